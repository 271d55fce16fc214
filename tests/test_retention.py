"""Retention (`portal purge`): closed cases anonymised after the profile's days, old audit entries
deleted, and a dry run that counts without changing anything."""

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import audit, db
from portal.audit.models import AuditEntry
from portal.cases.models import Case, CaseEvent
from portal.ops import retention
from portal.profile import clock
from portal.registration.models import Registration
from tests.case_factory import make_case


def _age(app, reference, days):
    """Close the case `days` ago (its status change, as the timeline records it)."""
    with app.app_context():
        session = db.get_session()
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        case.status = "completed"
        session.add(CaseEvent(case=case, kind="status_changed", status="completed", visible_to_applicant=True,
                              details={"text": "Takk, saken er ferdig"},
                              created_at=clock.now() - timedelta(days=days)))  # fmt: skip
        session.commit()


def _count(app, model):
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(model))


def test_purge_anonymises_old_closed_cases_and_deletes_old_audit_entries(app, runner):
    old = make_case(app, name="Old Closed")
    recent = make_case(app, name="Recently Closed")
    still_open = make_case(app, name="Still Open")
    _age(app, old, days=400)
    _age(app, recent, days=10)
    with app.app_context():
        session = db.get_session()
        audit.record(session, "case_viewed", target_type="case", target_id=old).at = (
            clock.now() - timedelta(days=800)
        )
        audit.record(session, "case_viewed", target_type="case", target_id=recent)
        session.commit()

    dry = runner.invoke(args=["purge", "--dry-run"])
    assert (
        "Would anonymise 1 case(s)" in dry.output and "Would delete 1 audit entries" in dry.output
    )
    assert _count(app, Registration) == 3 and _count(app, AuditEntry) == 2  # nothing changed

    done = runner.invoke(args=["purge"])
    assert "Anonymised 1 case(s)" in done.output and "Deleted 1 audit entries" in done.output
    with app.app_context():
        session = db.get_session()
        query = select(Case).options(selectinload(Case.events))
        cases = {c.reference: c for c in session.scalars(query)}
        assert (
            cases[old].applicant_name is None and cases[old].status == "completed"
        )  # the envelope stays
        assert cases[recent].applicant_name == "Recently Closed"
        assert cases[still_open].applicant_name == "Still Open"
        assert all(e.details is None for e in cases[old].events)
        assert session.scalars(select(Registration.case_id)).all().count(cases[old].id) == 0
    assert _count(app, AuditEntry) == 1
    again = runner.invoke(args=["purge", "--dry-run"])
    assert "Would anonymise 0 case(s)" in again.output  # anonymised once


def test_plan_counts_what_apply_does_and_a_failing_rule_changes_nothing(app, monkeypatch):
    old = make_case(app, name="Old Closed")
    _age(app, old, days=400)
    with app.app_context():
        session = db.get_session()
        audit.record(session, "case_viewed", target_type="case", target_id=old).at = (
            clock.now() - timedelta(days=800)
        )
        session.commit()
    profile = app.extensions["profile"]
    with app.app_context():
        planned = [o.count for o in retention.plan(db.get_session(), clock.now(), profile)]
    assert planned == [0, 0, 0, 1, 1]  # drafts, bookings, messages, cases, audit entries

    failing = dataclasses.replace(retention.RULES[-1], apply=lambda *args: 1 / 0)
    monkeypatch.setattr(retention, "RULES", (*retention.RULES[:-1], failing))
    with app.app_context(), pytest.raises(ZeroDivisionError):
        retention.apply(db.get_session(), clock.now(), profile)
    monkeypatch.undo()
    with app.app_context():  # the case anonymised before the failure is as it was
        case = db.get_session().scalars(select(Case).where(Case.reference == old)).one()
        assert case.applicant_name == "Old Closed"

    with app.app_context():
        done = [o.count for o in retention.apply(db.get_session(), clock.now(), profile)]
        assert done == planned
        assert [o.count for o in retention.plan(db.get_session(), clock.now(), profile)] == [0] * 5
