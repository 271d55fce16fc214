"""Database engine and session per app; a session per request, closed at teardown."""

from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """Base class of every model."""


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and SQLAlchemy's documented pysqlite recipe: SQLAlchemy
    emits BEGIN itself, so a transaction that must serialise can ask for BEGIN IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # pysqlite must not emit its own deferred BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

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
        writes = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        engine = get_engine().execution_options(serialise=True) if writes else get_engine()
        g.db_session = current_app.extensions["db_sessionmaker"](bind=engine)
    return g.db_session


def _close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


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


def refresh_statistics() -> None:
    """ANALYZE: the query planner's picture of the tables. SQLite has none until asked, and then
    walks an unselective index (a department) row by row instead of reading the table: the queue
    over 50,000 cases went from 370 ms to 45 ms. Run after migrations and by the daily purge."""
    with get_engine().begin() as connection:
        connection.execute(text("ANALYZE"))
