"""Alembic migrations: the only source of the schema (STYLE rule 8)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    if url is not None:
        # ConfigParser interpolation: a literal % must be doubled.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(
    url: str | None = None, connection: Connection | None = None, revision: str = "heads"
) -> None:
    # "heads": feature branches of the migration tree may grow in parallel (each from the
    # revision it needs); upgrading applies every branch.
    command.upgrade(alembic_config(url, connection), revision)


def downgrade(
    url: str | None = None, connection: Connection | None = None, revision: str = "base"
) -> None:
    command.downgrade(alembic_config(url, connection), revision)
