"""Alembic migrations build the schema from empty and match the models."""

from sqlalchemy import inspect

from portal import db, schema


def test_migrations_match_the_models(app):
    with app.app_context():
        assert schema.drift(db.get_engine()) == []


def test_downgrade_to_empty_and_back(app):
    with app.app_context():
        engine = db.get_engine()
        schema.downgrade(engine, "base")
        assert "staff_account" not in inspect(engine).get_table_names()
        schema.upgrade(engine)
        assert "staff_account" in inspect(engine).get_table_names()
        assert schema.drift(engine) == []


def test_sqlite_runs_in_wal_mode(app):
    engine = app.extensions["db_engine"]
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
