"""The migration head the commands compare with is Alembic's own."""
from bot.infra import migrate


def test_head_constant_is_alembics_head():
    assert migrate.HEAD == migrate.head()
