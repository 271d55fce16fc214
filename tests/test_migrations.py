"""Alembic migrations build the schema from empty and match the models."""

from sqlalchemy import inspect

from portal import db
from portal.db import schema


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


def test_upgrading_to_the_staff_side_keeps_every_row(app):
    """Migration 0004 rebuilds tables (SQLite batch mode); nothing may cascade away: a case keeps
    its registration and timeline, an account's department becomes a membership, and the case
    gets the applicant's name and interpreter language for the queue."""
    import sqlalchemy as sa

    with app.app_context():
        engine = db.get_engine()
        schema.downgrade(engine, "0003")
        account = sa.table(
            "staff_account",
            *(
                sa.column(c)
                for c in ("email", "name", "role", "department", "password_hash", "active")
            ),
        )
        cases = sa.table(
            "cases",
            *(
                sa.column(c)
                for c in (
                    "reference",
                    "type",
                    "status",
                    "department",
                    "due_date",
                    "locale",
                    "submission_key",
                    "status_token_hash",
                )
            ),
        )
        events = sa.table(
            "case_events",
            sa.column("case_id"),
            sa.column("kind"),
            sa.column("visible_to_applicant"),
        )
        registration = sa.table(
            "registration",
            sa.column("case_id"),
            sa.column("answers", sa.JSON),
            sa.column("interpreter_language"),
            sa.column("family_member_count"),
        )
        with engine.begin() as connection:
            connection.execute(
                account.insert().values(
                    email="a@example.org",
                    name="A",
                    role="caseworker",
                    department="settlement",
                    password_hash="x",
                    active=True,
                )
            )
            connection.execute(
                cases.insert().values(
                    reference="FG-2222-3333",
                    type="family_reunification",
                    status="received",
                    department="settlement",
                    due_date=sa.func.current_date(),
                    locale="uk",
                    submission_key="k",
                    status_token_hash="t",
                )
            )
            case_id = connection.execute(sa.text("SELECT id FROM cases")).scalar()
            connection.execute(
                events.insert().values(case_id=case_id, kind="received", visible_to_applicant=True)
            )
            connection.execute(
                registration.insert().values(
                    case_id=case_id,
                    answers={"registrant": {"name": "Olena P"}},
                    interpreter_language="Ukrainian",
                    family_member_count=1,
                )
            )
        schema.upgrade(engine)
        with engine.connect() as connection:

            def count(table):
                return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()

            assert (count("case_events"), count("registration")) == (1, 1)
            assert connection.execute(sa.text("SELECT department FROM staff_department")).all() == [
                ("settlement",)
            ]
            assert connection.execute(
                sa.text("SELECT applicant_name, interpreter_language FROM cases")
            ).one() == ("Olena P", "Ukrainian")
        schema.downgrade(engine, "0003")
        with engine.connect() as connection:
            assert (
                connection.execute(sa.text("SELECT department FROM staff_account")).scalar()
                == "settlement"
            )
            assert connection.execute(sa.text("SELECT count(*) FROM registration")).scalar() == 1
