"""Schema migrations through Alembic, against the app's own engine."""

from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from portal.db import Base

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


class ForeignKeyError(RuntimeError):
    """A migration left rows that point at nothing."""


@contextmanager
def _migration_connection(engine: Engine):
    """A connection in a transaction for migrations. On SQLite, foreign keys are off meanwhile:
    Alembic's batch mode rebuilds a table by dropping and renaming it, and with foreign keys on,
    that DROP cascades into every child table (a case's registration and timeline, an account's
    departments). The pragma only works outside a transaction, so it is set on the raw connection
    before SQLAlchemy begins one; the rows are checked afterwards."""
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        raw = connection.connection.driver_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
            if sqlite:
                dangling = raw.execute("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    raise ForeignKeyError(
                        f"rows without their parent after migrating: {dangling[:5]}"
                    )
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def head_revision() -> str:
    """The newest migration: the schema this code expects."""
    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _migration_connection(engine) as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with _migration_connection(engine) as connection:
        command.downgrade(_alembic_config(connection), revision)


def revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between models and database."""
    with engine.begin() as connection:
        command.revision(_alembic_config(connection), message=message, autogenerate=True)


def drift(engine: Engine) -> list:
    """Differences between the models and the migrated database (empty when in step). Call it
    in an app: building one imports every feature's models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [
            diff
            for diff in compare_metadata(context, Base.metadata)
            if not (diff[0] == "remove_table" and diff[1].name == "alembic_version")
        ]
