"""Alembic driven from our settings: `liaison db upgrade` and start-up."""
from __future__ import annotations

from importlib.resources import files
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

# Shipped inside the package (bot/migrations/, package data), so an installed
# wheel finds them as well as a checkout does.
MIGRATIONS = files("bot") / "migrations"
# The newest migration; a test checks it against Alembic's own head. Comparing
# with it spares every command the cost of loading Alembic and its scripts.
HEAD = "0016"


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def head() -> str:
    """Alembic's head revision, read from the migration scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def revision(engine: Engine) -> str | None:
    """The revision the database carries, or None for an empty database."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            return None


def is_current(engine: Engine) -> bool:
    """True when the database carries the newest migration."""
    return revision(engine) == HEAD


def ensure_current(engine: Engine) -> None:
    """The embedded SQLite database migrates itself; a server database must be
    migrated deliberately (`liaison db upgrade`), so we only check it."""
    if is_current(engine):
        return
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    else:
        raise RuntimeError("数据库结构需要升级：请先运行 liaison db upgrade（the database schema is not current）")
