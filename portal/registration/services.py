"""Rules for registrations: drafts kept on the server, step answers, members, submission."""

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.cases import messages as case_messages
from portal.cases import routing
from portal.cases import services as cases
from portal.cases.models import Case
from portal.forms.validation import without_control_characters
from portal.i18n import languages
from portal.links.retired import find_retired, replace_links
from portal.links.short_links import short_link_target
from portal.links.tokens import derived_token, keyed_hash, looks_like_token, new_token, token_hash
from portal.profile import Profile
from portal.registration import messages
from portal.registration.models import Draft, DraftStep, Registration
from portal.registration.steps import MEMBER_STEP, ORDER, SIMPLE_STEPS

CASE_TYPE = "family_reunification"
STATUS_LINK_PURPOSE = "registration-status"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def interpreter_language(language: dict) -> str | None:
    """What the case stores from the language step: a language tag, the typed name of
    "another language", an old draft's free text as typed; None without need."""
    if language.get("interpreter_needed") != "yes":
        return None
    return languages.stored_value(
        language.get("interpreter_language"), language.get("interpreter_language_other")
    )


def create_draft(session: Session, locale: str, days: int) -> tuple[Draft, str]:
    """A new draft and its private token (shown to the person, never stored)."""
    token = new_token()
    draft = Draft(
        token_hash=token_hash(token), locale=locale, expires_at=_now() + timedelta(days=days),
        status_seed=new_token(),
    )  # fmt: skip
    session.add(draft)
    session.commit()
    return draft, token


def find_draft(session: Session, token: str | None, *, for_update: bool = False) -> Draft | None:
    """The unexpired draft of a token, or None. `for_update` locks its row (PostgreSQL) before
    its link is replaced: of two requests with the same link (a double tap), the second then
    finds it replaced."""
    if not looks_like_token(token):
        return None
    query = select(Draft).where(Draft.token_hash == token_hash(token))
    draft = session.scalars(query.with_for_update() if for_update else query).first()
    if draft is None:  # a short link from a text message opens the same draft
        draft_id = short_link_target(session, token, "draft_id")
        query = select(Draft).where(Draft.id == draft_id)
        draft = session.scalars(query.with_for_update() if for_update else query).first()
        if (
            for_update
            and draft is not None
            and short_link_target(session, token, "draft_id") is None
        ):
            draft = None  # used up while we waited for the lock
    if draft is None or _aware(draft.expires_at) <= _now():
        return None
    return draft


def draft_of_retired_link(session: Session, token: str | None) -> Draft | None:
    """The unexpired draft a replaced link of it belonged to (the first phone's cookie after the
    person went on on another phone, an SMS link used once)."""
    retired = find_retired(session, token)
    draft = session.get(Draft, retired.draft_id) if retired and retired.draft_id else None
    if draft is None or _aware(draft.expires_at) <= _now():
        return None
    return draft


def renew_token(session: Session, draft: Draft) -> str:
    """Give the draft a new private token; the old link stops working, and so do short links
    sent by SMS or e-mail (each works until it is used once). The old ones are kept as retired,
    so the device that still holds one is told what happened."""
    token, draft.token_hash = replace_links(session, draft.token_hash, draft_id=draft.id)
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
    if step == "contact":
        _remember_contact(draft, data)
    session.commit()


def contact_hash(contact: tuple[str, str]) -> str:
    return keyed_hash(current_app.config["SECRET_KEY"], "draft-contact", ":".join(contact))


def _remember_contact(draft: Draft, data: dict) -> None:
    """The contact page's phone and e-mail, as keyed hashes (see Draft.phone_hash)."""
    given = dict(messages.contacts({"contact": data}))
    draft.phone_hash = contact_hash(("sms", given["sms"])) if "sms" in given else None
    draft.email_hash = contact_hash(("email", given["email"])) if "email" in given else None


def members(draft: Draft) -> list[dict]:
    rows = sorted((r for r in draft.steps if r.step == MEMBER_STEP), key=lambda r: r.position)
    return [dict(r.data) for r in rows]


def member_key(draft: Draft, position: int) -> str | None:
    """What names the family member at `position` for the remove question: its saved row and
    what the row holds ("17-3f2a…"), so the answer removes that person also when the list has
    moved up, holds the same person twice, or a row number was used again by the database."""
    rows = sorted((r for r in draft.steps if r.step == MEMBER_STEP), key=lambda r: r.position)
    return _member_key(rows[position]) if 0 <= position < len(rows) else None


def _member_key(row: DraftStep) -> str:
    content = json.dumps(row.data, sort_keys=True, ensure_ascii=False).encode()
    return f"{row.id}-{hashlib.sha256(content).hexdigest()[:16]}"


def remove_member(session: Session, draft: Draft, key: str) -> dict | None:
    """Remove the family member that `key` names (member_key: the one the question showed: a
    second tap, or a list changed in another tab, removes nobody) and close the gap, so
    positions stay 0, 1, 2, … Returns the removed member's answers, or None."""
    rows = sorted((r for r in draft.steps if r.step == MEMBER_STEP), key=lambda r: r.position)
    target = next((r for r in rows if _member_key(r) == key), None)
    if target is None:
        return None
    removed = dict(target.data)
    draft.steps.remove(target)
    session.flush()
    for new_position, row in enumerate(r for r in rows if r is not target):
        row.position = new_position
    session.commit()
    return removed


def _answered(key: str, data: dict | None) -> bool:
    """Whether a step's saved answers are enough. A draft saved before the registrant's own name
    was asked has "About you" without it: that step is not done yet."""
    if data is None:
        return False
    if key == "registrant":
        return bool(data.get("name")) and (
            data.get("role") != "self" or bool(data.get("passport_name"))
        )
    return True


def steps_done(draft: Draft) -> list[tuple[str, bool]]:
    """Every step in order (not the check page), and whether it is done."""
    done = []
    for key in ORDER[:-1]:
        if key == "family-members":
            done.append((key, bool(members(draft))))
        else:
            done.append((key, _answered(key, answers(draft, key))))
    return done


def first_missing_step(draft: Draft) -> str | None:
    """The first step without answers (None when everything needed is there)."""
    return next((key for key, done in steps_done(draft) if not done), None)


def applicant_name(registrant: dict) -> str:
    """The applicant's name for the staff's lists: the passport spelling (Latin letters, which
    every caseworker can read) with the name in the person's own script beside it."""
    name = without_control_characters(registrant.get("name") or "").strip()
    latin = without_control_characters(registrant.get("passport_name") or "").strip()
    if not latin or latin.casefold() == name.casefold():
        return name[:200]
    both = f"{latin} ({name})" if name else latin
    return both if len(both) <= 200 else latin[:200]


def delete_draft(session: Session, draft: Draft) -> None:
    session.delete(draft)
    session.commit()


def status_token(secret_key: str, draft: Draft) -> str | None:
    """The status link's token, derived from the draft's seed (which, unlike the draft's own
    link, never changes): every answer to the same submit, and the receipt, show the same link.
    None for a draft sent before seeds existed."""
    if not draft.status_seed:
        return None
    return derived_token(secret_key, STATUS_LINK_PURPOSE, draft.status_seed)


def submitted_case(session: Session, draft: Draft) -> Case | None:
    return session.get(Case, draft.case_id) if draft.case_id else None


def submit(
    session: Session,
    draft: Draft,
    *,
    secret_key: str,
    profile: Profile,
    locale: str,
) -> str | None:
    """Turn a complete draft into a case; returns its status link's token, for the browser that
    sent it (the same for a second submit of the same draft, which makes no second case; None
    when that link has been replaced since)."""
    token = status_token(secret_key, draft)
    case = _submit(session, draft, token, profile=profile, locale=locale)
    return token if token and token_hash(token) == case.status_token_hash else None


def _submit(session: Session, draft: Draft, token: str | None, *, profile, locale) -> Case:
    existing = submitted_case(session, draft)
    if existing is not None:
        return existing
    if first_missing_step(draft) is not None:
        raise ValueError("the draft is not complete")
    key = f"draft:{draft.id}"
    collected = {step: answers(draft, step) for step in SIMPLE_STEPS}
    collected["family_members"] = members(draft)
    # Answers saved before forms refused control characters: a NUL would stop the submit on
    # PostgreSQL, and this registration could never be sent.
    collected = _without_control_characters(collected)
    route = routing.route_for(session, profile, CASE_TYPE)
    case = cases.open_case(
        session,
        case_type=CASE_TYPE,
        department=route.department,
        locale=locale,
        submission_key=key,
        status_token=token or new_token(),
        due_in_days=route.due_in_days,
    )
    language = collected["language"]
    case.applicant_name = applicant_name(collected["registrant"])
    case.interpreter_language = interpreter_language(language)
    session.add(
        Registration(
            case=case,
            answers=collected,
            interpreter_language=case.interpreter_language,
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
    case_messages.received(session, case, messages.contacts(collected))  # in this transaction
    messages.draft_sent(session, draft)
    draft.steps.clear()  # the answers now live in the case; the draft keeps only the receipt
    session.commit()
    return case


def _without_control_characters(value):
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, dict):
        return {key: _without_control_characters(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_control_characters(item) for item in value]
    return value


def send_draft_link(
    session: Session, draft: Draft, *, locale: str, phone: str | None, email: str | None, now
) -> dict[str, str]:
    """The saved registration's link to the phone and/or e-mail the person wrote (the form's
    "send me the link"). Returns, per field ("phone", "email"), why it could not be sent."""
    refused = {}
    for field, contact in (("phone", ("sms", phone)), ("email", ("email", (email or "").lower()))):
        if contact[1]:
            refusal = messages.draft_link(
                session, draft_id=draft.id, locale=locale, contact=contact, now=now
            )
            if refusal:
                refused[field] = refusal
    session.commit()
    return refused


# --- getting back in -----------------------------------------------------------------------
def send_status_link_again(
    session: Session, reference: str, contact: tuple[str, str], now: datetime
) -> bool:
    """The applicant asked for their status link again: when `contact` is the phone or e-mail
    they gave, a new link goes there and the old one stops working (the caller commits and
    answers the same either way)."""
    case = cases.case_by_reference(session, reference)
    registration = _registration_of(session, case)
    if registration is None or contact not in messages.contacts(registration.answers):
        return False
    renewal = cases.new_status_link(session, case)
    case_messages.status_link(session, case, [contact], event=f"again:{renewal}", public=True)
    return True


def _registration_of(session: Session, case: Case | None) -> Registration | None:
    if case is None:
        return None
    return session.scalars(select(Registration).where(Registration.case_id == case.id)).first()


def send_draft_link_again(session: Session, contact: tuple[str, str], now: datetime) -> bool:
    """A saved registration's link, asked for with the phone or e-mail given in it (on the
    contact page or to the send-the-link form): the newest such draft gets a new link, sent
    there; the old link stops working."""
    draft = _newest_draft_with_contact(session, contact, now)
    if draft is None:
        return False
    _token, draft.token_hash = replace_links(session, draft.token_hash, draft_id=draft.id)
    messages.draft_link_again(session, draft, contact, event=f"again:{draft.token_hash[:16]}")
    return True


def _newest_draft_with_contact(session: Session, contact, now: datetime) -> Draft | None:
    """The newest unsent draft whose contact page gives this phone or e-mail, locked while its
    link is replaced. Never one found by an address its link was sent to: whoever held the link
    once could send it to themselves, and take it back after the person went on."""
    column = Draft.phone_hash if contact[0] == "sms" else Draft.email_hash
    query = (
        select(Draft)
        .where(column == contact_hash(contact), Draft.case_id.is_(None), Draft.expires_at > now)
        .order_by(Draft.id.desc())
        .limit(1)
    )
    return session.scalars(query.with_for_update()).first()


def count_expired_drafts(session: Session, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Draft).where(Draft.expires_at <= now))


def purge_expired_drafts(session: Session, now: datetime) -> int:
    """Delete drafts past their expiry (their steps go with them; the caller commits)."""
    expired = session.scalars(select(Draft.id).where(Draft.expires_at <= now)).all()
    if expired:
        session.execute(delete(DraftStep).where(DraftStep.draft_id.in_(expired)))
        session.execute(delete(Draft).where(Draft.id.in_(expired)))
    return len(expired)
