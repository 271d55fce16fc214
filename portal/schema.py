"""Schema migrations through Alembic, against the app's own engine."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from portal.db import Base
from portal.models import import_all_models

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), revision)


def revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between models and database."""
    with engine.begin() as connection:
        command.revision(_alembic_config(connection), message=message, autogenerate=True)


def drift(engine: Engine) -> list:
    """Differences between the models and the migrated database (empty when in step)."""
    import_all_models()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [
            diff
            for diff in compare_metadata(context, Base.metadata)
            if not (diff[0] == "remove_table" and diff[1].name == "alembic_version")
        ]
