"""`portal backup`: a consistent copy of a live SQLite database that restores with its data."""

import sqlite3
import threading

import pytest
from sqlalchemy import select

from portal import db
from portal.cases.models import Case
from tests.case_factory import make_case


@pytest.fixture
def sqlite_only(app):
    if app.extensions["db_engine"].dialect.name != "sqlite":
        pytest.skip("portal backup copies SQLite; PostgreSQL uses pg_dump (README)")


def test_a_backup_taken_while_writing_restores_with_the_data(
    app, make_app, runner, tmp_path, sqlite_only
):
    references = [make_case(app, name=f"Person {n}") for n in range(5)]
    stop = threading.Event()

    def keep_writing():
        while not stop.is_set():
            make_case(app, name="Written during the backup")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        target = tmp_path / "copy.db"
        result = runner.invoke(args=["backup", "--to", str(target)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert oct(target.stat().st_mode)[-3:] == "600"
    restored = make_app(DATABASE_URL=f"sqlite:///{target}")  # the restore drill: run on the copy
    with restored.app_context():
        found = set(db.get_session().scalars(select(Case.reference)))
    assert set(references) <= found


def test_backup_refuses_to_overwrite(app, runner, tmp_path, sqlite_only):
    target = tmp_path / "copy.db"
    assert runner.invoke(args=["backup", "--to", str(target)]).exit_code == 0
    again = runner.invoke(args=["backup", "--to", str(target)])
    assert again.exit_code != 0 and "exists already" in again.output


def test_postgresql_is_pointed_to_pg_dump(tmp_path):
    from sqlalchemy import create_engine

    from portal.ops.backup import BackupError, backup_sqlite

    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connected
    with pytest.raises(BackupError, match="pg_dump"):
        backup_sqlite(engine, tmp_path / "x.db")
