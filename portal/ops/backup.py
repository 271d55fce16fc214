"""`portal backup`: a consistent copy of a running SQLite database through SQLite's online backup
API (a file copy of a live WAL database can miss committed pages or catch half a checkpoint).
PostgreSQL is backed up with pg_dump (see the README)."""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine


class BackupError(RuntimeError):
    pass


def default_target(instance_dir: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(instance_dir) / "backups" / f"portal-{stamp}.db"


def backup_sqlite(engine: Engine, target: Path) -> Path:
    """Copy the database page by page while others keep reading and writing."""
    if engine.dialect.name != "sqlite":
        raise BackupError("portal backup copies SQLite databases; use pg_dump for PostgreSQL.")
    import sqlite3

    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupError(f"{target} exists already")
    with engine.connect() as connection:
        source = connection.connection.driver_connection
        destination = sqlite3.connect(target)
        try:
            source.backup(destination, pages=256)
        finally:
            destination.close()
    target.chmod(0o600)  # personal data: readable by the service's user only
    return target
