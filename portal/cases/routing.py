"""Where each type of case goes and how many days staff have: the profile's answer, unless an
administrator has chosen otherwise in the staff pages (kept in the database, audited)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.cases.models import CASE_TYPES, RoutingOverride
from portal.profile import CaseRouting, Profile, clock

MAX_DUE_DAYS = 365


class RoutingError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def effective_routing(session: Session, profile: Profile) -> dict[str, tuple[CaseRouting, bool]]:
    """Per case type: (routing in force, whether an administrator set it)."""
    overrides = {o.case_type: o for o in session.scalars(select(RoutingOverride))}
    known = {d.key for d in profile.departments}
    result = {}
    for case_type in CASE_TYPES:
        override = overrides.get(case_type)
        if override is not None and override.department in known:
            result[case_type] = (CaseRouting(override.department, override.due_in_days), True)
        else:  # no choice, or one that names a department the profile no longer has
            result[case_type] = (profile.case_routing[case_type], False)
    return result


def route_for(session: Session, profile: Profile, case_type: str) -> CaseRouting:
    return effective_routing(session, profile)[case_type][0]


def set_routing(
    session: Session, profile: Profile, case_type: str, department: str, due_in_days: int, actor
) -> None:
    """Send new cases of this type elsewhere (cases already made stay where they are)."""
    if case_type not in CASE_TYPES:
        raise RoutingError("case_type")
    if profile.department(department) is None:
        raise RoutingError("department")
    if not 1 <= due_in_days <= MAX_DUE_DAYS:
        raise RoutingError("due_days")
    override = session.get(RoutingOverride, case_type) or RoutingOverride(case_type=case_type)
    override.department = department
    override.due_in_days = due_in_days
    override.changed_at = clock.now()
    override.changed_by_id = getattr(actor, "id", None)
    session.add(override)


def reset_routing(session: Session, case_type: str) -> bool:
    """Back to the profile's routing; False when there was nothing to reset."""
    override = session.get(RoutingOverride, case_type)
    if override is None:
        return False
    session.delete(override)
    return True


def change(
    session: Session,
    profile: Profile,
    case_type: str,
    actor,
    *,
    department=None,
    due_in_days=None,
    reset: bool = False,
) -> CaseRouting:
    """Where new cases of a type go and their due days, set by an administrator (or reset to
    the profile's), audited with before and after, committed; returns the routing in force."""
    before = route_for(session, profile, case_type)
    if reset:
        reset_routing(session, case_type)
    else:
        set_routing(session, profile, case_type, department, due_in_days, actor)
    after = route_for(session, profile, case_type)
    audit.record(session, "routing_changed", actor=actor, target_type="case_type",
                 target_id=case_type, details={"from": [before.department, before.due_in_days],
                                               "to": [after.department, after.due_in_days]})  # fmt: skip
    session.commit()
    return after
