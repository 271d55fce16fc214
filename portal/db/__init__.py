"""Database engine and session per app; a session per request, closed at teardown."""

import os
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, String, create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    """Base class of every model."""


class Heartbeat(Base):
    """When something last proved it works: the outbox worker after each round, /readyz after
    each write it tries."""

    __tablename__ = "heartbeat"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _file_identity(path: str | None) -> tuple[int, int] | None:
    try:
        found = os.stat(path) if path else None
    except OSError:
        return None
    return found and (found.st_dev, found.st_ino)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and SQLAlchemy's documented pysqlite recipe: SQLAlchemy
    emits BEGIN itself, so a transaction that must serialise can ask for BEGIN IMMEDIATE.

    A pooled connection keeps the file it opened: if the database file is moved away or
    replaced while the app runs, it would go on writing into the moved file, and nobody would
    see what it wrote. Each checkout compares the file at the path with the connection's; a
    changed file gets a new connection, and a missing one is an error (503), never a new empty
    database in its place."""
    path = engine.url.database if engine.url.database not in (None, "", ":memory:") else None
    opened_once = []

    @event.listens_for(engine, "do_connect")
    def _refuse_a_missing_file(_dialect, _record, _args, _params):
        if path and opened_once and _file_identity(path) is None:
            raise engine.dialect.dbapi.OperationalError(f"the database file is gone: {path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None  # pysqlite must not emit its own deferred BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
        record.info["file"] = _file_identity(path)
        opened_once.append(True)

    @event.listens_for(engine, "checkout")
    def _same_file_as_at_connect(_dbapi_connection, record, _proxy):
        if path and record.info.get("file") != _file_identity(path):
            raise DisconnectionError("the database file was moved or replaced")

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get("serialise", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    # hide_parameters: an error's message (and so the log) names the statement, never the values
    # a person typed.
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"), hide_parameters=True)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def init_app(app: Flask) -> None:
    """Bind an engine and a session factory to the app."""
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.config["DATABASE_URL"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions["db_engine"]


def get_session() -> Session:
    """The session of the current request (or app context), created on first use.

    A request that changes things (POST) serialises its transaction with other writers: on
    SQLite a read that later upgrades to a write would otherwise fail at once with
    SQLITE_BUSY_SNAPSHOT under concurrency (a double click). Reads stay unserialised."""
    if "db_session" not in g:
        writes = has_request_context() and (
            request.method not in ("GET", "HEAD", "OPTIONS") or g.get("db_writes", False)
        )
        engine = get_engine().execution_options(serialise=True) if writes else get_engine()
        g.db_session = current_app.extensions["db_sessionmaker"](bind=engine)
    return g.db_session


def writing_view(view):
    """A GET view that writes (a link opened that replaces itself): its transaction serialises
    with other writers, as a POST's does."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.db_writes = True
        return view(*args, **kwargs)

    return wrapper


def _close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def discard_session() -> None:
    """Forget the current session, whatever state it is in (a long-running command between
    rounds): closing a session whose connection died must not stop the command."""
    try:
        _close_session()
    except Exception:  # noqa: BLE001 - the next get_session() starts afresh either way
        current_app.logger.warning("closing a broken session failed", exc_info=True)


def serialised_session() -> Session:
    """A session whose transactions serialise with other writers: BEGIN IMMEDIATE on SQLite (the
    write lock is taken before the first read). On PostgreSQL it is an ordinary session; services
    lock the rows they read with SELECT … FOR UPDATE. On SQLite, do not use it while the request's
    own session (serialised too for a POST) holds a transaction: it would wait for that lock."""
    engine = get_engine().execution_options(serialise=True)
    return Session(bind=engine, expire_on_commit=False)


def schema_revision() -> str | None:
    """The migration the database is at; None when it does not answer or was never migrated."""
    try:
        with get_engine().connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    except Exception:  # noqa: BLE001 - any failure means "not available"
        current_app.logger.warning("database check failed", exc_info=True)
        return None


def beat(name: str) -> bool:
    """Write a heartbeat row in a transaction of its own, serialised like any write: True when
    the database took it (readiness checks that a write commits, not only that a read answers)."""
    try:
        with get_engine().execution_options(serialise=True).begin() as connection:
            now = datetime.now(UTC)
            table = Heartbeat.__table__
            changed = connection.execute(
                table.update().where(table.c.name == name).values(beat_at=now)
            ).rowcount
            if not changed:
                connection.execute(table.insert().values(name=name, beat_at=now))
    except Exception:  # noqa: BLE001 - any failure means "cannot write now"
        current_app.logger.warning("database write check failed", exc_info=True)
        return False
    return True


def last_beat(name: str) -> datetime | None:
    with get_engine().connect() as connection:
        table = Heartbeat.__table__
        found = connection.execute(
            select(table.c.beat_at).where(table.c.name == name)
        ).scalar_one_or_none()
    return found and (found if found.tzinfo else found.replace(tzinfo=UTC))


def refresh_statistics() -> None:
    """ANALYZE: the query planner's picture of the tables. SQLite has none until asked, and then
    walks an unselective index (a department) row by row instead of reading the table: the queue
    over 50,000 cases went from 370 ms to 45 ms. Run after migrations and by the daily purge."""
    with get_engine().begin() as connection:
        connection.execute(text("ANALYZE"))
