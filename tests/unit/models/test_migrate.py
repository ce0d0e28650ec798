"""The migration head the commands compare with is Alembic's own."""
from bot.infra import migrate


def test_head_constant_is_alembics_head():
    assert migrate.HEAD == migrate.head()


def test_the_models_need_no_migration_the_scripts_do_not_have(tmp_path):
    """Alembic's autogenerate finds nothing to add: the models (our UTC column
    type included) and the migrations describe the same schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from bot.models import Base

    engine = create_engine(f"sqlite:///{tmp_path / 'schema.db'}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []
