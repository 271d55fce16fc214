"""Retention (`portal purge`, run daily): what is deleted or anonymised after how many days of
the municipality profile. Each rule's counting and deleting belong to the feature whose records
they are; this module only puts them in order. `plan()` counts what would go and changes
nothing (`--dry-run`); `apply()` does it in one transaction and reports the same counts."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal import audit
from portal.appointments import services as appointments
from portal.cases import retention as cases
from portal.notify import outbox
from portal.profile import Profile
from portal.registration import services as registration


@dataclass(frozen=True)
class Rule:
    verb: str  # "delete" or "anonymise"
    what: Callable[[Profile], str]  # "booking(s) more than 30 days past"
    count: Callable[[Session, datetime, Profile], int]
    apply: Callable[[Session, datetime, Profile], int]  # flushes; apply() commits them all


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    count: int
    profile: Profile

    def line(self, done: bool) -> str:
        if done:
            verb = {"delete": "Deleted", "anonymise": "Anonymised"}[self.rule.verb]
        else:
            verb = f"Would {self.rule.verb}"
        return f"{verb} {self.count} {self.rule.what(self.profile)}."


RULES = (
    Rule(
        "delete",
        lambda profile: "expired draft(s)",
        lambda session, now, profile: registration.count_expired_drafts(session, now),
        lambda session, now, profile: registration.purge_expired_drafts(session, now),
    ),
    Rule(
        "delete",
        lambda profile: f"booking(s) more than {profile.booking_retention_days} days past",
        lambda session, now, profile: appointments.count_old_bookings(
            session, now, profile.booking_retention_days
        ),
        lambda session, now, profile: appointments.purge_old_bookings(
            session, now, profile.booking_retention_days
        ),
    ),
    Rule(
        "delete",
        lambda profile: f"finished message(s) older than {profile.booking_retention_days} days",
        lambda session, now, profile: outbox.count_finished(
            session, now, profile.booking_retention_days
        ),
        lambda session, now, profile: outbox.purge_finished(
            session, now, profile.booking_retention_days
        ),
    ),
    Rule(
        "anonymise",
        lambda profile: f"case(s) closed more than {profile.case_retention_days} days ago",
        lambda session, now, profile: len(
            cases.closed_cases_due(session, now, profile.case_retention_days)
        ),
        lambda session, now, profile: cases.anonymise_cases(
            session, cases.closed_cases_due(session, now, profile.case_retention_days)
        ),
    ),
    Rule(
        "delete",
        lambda profile: f"audit entries older than {profile.audit_retention_days} days",
        lambda session, now, profile: audit.count_old_entries(
            session, now, profile.audit_retention_days
        ),
        lambda session, now, profile: audit.delete_old_entries(
            session, now, profile.audit_retention_days
        ),
    ),
)


def plan(session: Session, now: datetime, profile: Profile) -> list[Outcome]:
    """What apply() would delete or anonymise now; nothing changes."""
    return [Outcome(rule, rule.count(session, now, profile), profile) for rule in RULES]


def apply(session: Session, now: datetime, profile: Profile) -> list[Outcome]:
    """Every rule, in one transaction: a failure part-way leaves everything as it was."""
    try:
        outcomes = [Outcome(rule, rule.apply(session, now, profile), profile) for rule in RULES]
    except Exception:
        session.rollback()
        raise
    session.commit()
    return outcomes
