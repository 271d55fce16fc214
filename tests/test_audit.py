"""The audit log: entries are only added, and its day filter means the office's days."""

from datetime import UTC, date, datetime

import pytest

from portal import audit, db
from portal.audit.models import AuditEntry
from portal.audit.services import AppendOnlyError


def _entry(app, at: datetime, target: str) -> None:
    with app.app_context():
        session = db.get_session()
        audit.record(session, "case_viewed", target_type="case", target_id=target).at = at
        session.commit()


def test_entries_cannot_be_changed_or_deleted(app):
    _entry(app, datetime(2030, 3, 10, 9, tzinfo=UTC), "FG-2222-2222")
    with app.app_context():
        session = db.get_session()
        entry = session.query(AuditEntry).one()
        entry.action = "logout"
        with pytest.raises(AppendOnlyError):
            session.flush()
        session.rollback()
        session.delete(session.query(AuditEntry).one())
        with pytest.raises(AppendOnlyError):
            session.flush()


def test_the_day_filter_uses_the_office_s_days(app):
    # 00:30 in Oslo on 10 March 2030 is 23:30 UTC on 9 March
    _entry(app, datetime(2030, 3, 9, 23, 30, tzinfo=UTC), "FG-AAAA-AAAA")
    _entry(app, datetime(2030, 3, 9, 22, 30, tzinfo=UTC), "FG-BBBB-BBBB")  # 23:30 on 9 March
    with app.app_context():
        session = db.get_session()
        tenth, _ = audit.entries(
            session,
            audit.AuditFilter(first_day=date(2030, 3, 10), last_day=date(2030, 3, 10)),
            limit=10,
            offset=0,
        )
        ninth, _ = audit.entries(
            session,
            audit.AuditFilter(first_day=date(2030, 3, 9), last_day=date(2030, 3, 9)),
            limit=10,
            offset=0,
        )
    assert [e.target_id for e in tenth] == ["FG-AAAA-AAAA"]
    assert [e.target_id for e in ninth] == ["FG-BBBB-BBBB"]
