"""Rules for registrations: drafts kept on the server, step answers, members, submission."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.cases import routing
from portal.cases import services as cases
from portal.cases.models import Case
from portal.notify import outbox
from portal.profile import Profile
from portal.registration.models import Draft, DraftStep, Registration
from portal.registration.steps import MEMBER_STEP, ORDER, SIMPLE_STEPS
from portal.tokens import derived_token, looks_like_token, new_token, token_hash

CASE_TYPE = "family_reunification"
STATUS_LINK_PURPOSE = "registration-status"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def create_draft(session: Session, locale: str, days: int) -> tuple[Draft, str]:
    """A new draft and its private token (shown to the person, never stored)."""
    token = new_token()
    draft = Draft(
        token_hash=token_hash(token), locale=locale, expires_at=_now() + timedelta(days=days)
    )
    session.add(draft)
    session.commit()
    return draft, token


def find_draft(session: Session, token: str | None) -> Draft | None:
    """The unexpired draft of a token, or None."""
    if not looks_like_token(token):
        return None
    draft = session.scalars(select(Draft).where(Draft.token_hash == token_hash(token))).first()
    if draft is None:  # a short link from a text message opens the same draft
        from portal.notify.links import short_link_target

        draft_id = short_link_target(session, token, "draft_id")
        draft = session.get(Draft, draft_id) if draft_id else None
    if draft is None or _aware(draft.expires_at) <= _now():
        return None
    return draft


def renew_token(session: Session, draft: Draft) -> str:
    """Give the draft a new private token; the old link stops working, and so do short links
    sent by SMS or e-mail (each works until it is used once)."""
    from portal.notify.models import ShortLink

    token = new_token()
    draft.token_hash = token_hash(token)
    session.execute(delete(ShortLink).where(ShortLink.draft_id == draft.id))
    session.commit()
    return token


def _jsonable(data: dict) -> dict:
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in data.items()
        if name != "csrf_token"
    }


def _step_row(draft: Draft, step: str, position: int = 0) -> DraftStep | None:
    return next((r for r in draft.steps if r.step == step and r.position == position), None)


def answers(draft: Draft, step: str, position: int = 0) -> dict | None:
    row = _step_row(draft, step, position)
    return dict(row.data) if row else None


def save_step(session: Session, draft: Draft, step: str, data: dict, position: int = 0) -> None:
    row = _step_row(draft, step, position)
    if row is None:
        draft.steps.append(DraftStep(step=step, position=position, data=_jsonable(data)))
    else:
        row.data = _jsonable(data)
    session.commit()


def members(draft: Draft) -> list[dict]:
    rows = sorted((r for r in draft.steps if r.step == MEMBER_STEP), key=lambda r: r.position)
    return [dict(r.data) for r in rows]


def remove_member(session: Session, draft: Draft, position: int) -> None:
    """Remove one family member and close the gap, so positions stay 0, 1, 2, …"""
    rows = sorted((r for r in draft.steps if r.step == MEMBER_STEP), key=lambda r: r.position)
    if not 0 <= position < len(rows):
        return
    draft.steps.remove(rows[position])
    session.flush()
    for new_position, row in enumerate(r for r in rows if r is not rows[position]):
        row.position = new_position
    session.commit()


def first_missing_step(draft: Draft) -> str | None:
    """The first step without answers (None when everything needed is there)."""
    for key in ORDER:
        if key in SIMPLE_STEPS and answers(draft, key) is None:
            return key
        if key == "family-members" and not members(draft):
            return key
    return None


def delete_draft(session: Session, draft: Draft) -> None:
    session.delete(draft)
    session.commit()


def status_token(secret_key: str, draft_token: str) -> str:
    """The status link's token, derived from the draft's: the receipt can show it again."""
    return derived_token(secret_key, STATUS_LINK_PURPOSE, draft_token)


def submitted_case(session: Session, draft: Draft) -> Case | None:
    return session.get(Case, draft.case_id) if draft.case_id else None


def submit(
    session: Session,
    draft: Draft,
    *,
    draft_token: str,
    secret_key: str,
    profile: Profile,
    locale: str,
) -> Case:
    """Turn a complete draft into a case. A second submit of the same draft returns the first case."""
    existing = submitted_case(session, draft)
    if existing is not None:
        return existing
    if first_missing_step(draft) is not None:
        raise ValueError("the draft is not complete")
    key = f"draft:{draft.id}"
    collected = {step: answers(draft, step) for step in SIMPLE_STEPS}
    collected["family_members"] = members(draft)
    route = routing.route_for(session, profile, CASE_TYPE)
    case = cases.open_case(
        session,
        case_type=CASE_TYPE,
        department=route.department,
        locale=locale,
        submission_key=key,
        status_token=status_token(secret_key, draft_token),
        due_in_days=route.due_in_days,
    )
    language = collected["language"]
    case.applicant_name = collected["registrant"].get("name")
    if language.get("interpreter_needed") == "yes":
        case.interpreter_language = language.get("interpreter_language")
    session.add(
        Registration(
            case=case,
            answers=collected,
            interpreter_language=language.get("interpreter_language")
            if language.get("interpreter_needed") == "yes"
            else None,
            family_member_count=len(collected["family_members"]),
        )
    )
    try:
        session.flush()
    except IntegrityError:
        # Another request submitted the same draft a moment ago: use its case.
        session.rollback()
        return cases.case_by_submission_key(session, key)
    draft.case_id = case.id
    outbox.registration_received(session, case, collected)  # the receipt, in this transaction
    draft.steps.clear()  # the answers now live in the case; the draft keeps only the receipt
    session.commit()
    return case


def purge_expired_drafts(session: Session, now: datetime | None = None) -> int:
    """Delete drafts past their expiry (their steps go with them)."""
    moment = now or _now()
    expired = session.scalars(select(Draft.id).where(Draft.expires_at <= moment)).all()
    if expired:
        session.execute(delete(DraftStep).where(DraftStep.draft_id.in_(expired)))
        session.execute(delete(Draft).where(Draft.id.in_(expired)))
    session.commit()
    return len(expired)
