"""Family-reunification registration: eligibility, steps, validation, drafts, submission."""

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import db
from portal.cases.models import Case, CaseEvent
from portal.notify.models import OutboxMessage
from portal.profile import clock
from portal.registration.models import Draft, DraftStep, Registration
from tests.registration_data import STEPS, fill_in

BASE = "/uk/family-registration"


def count(app, model) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(model))


def test_start_page_explains_and_links_to_eligibility(client):
    html = client.get(f"{BASE}/").get_data(as_text=True)
    assert f'href="{BASE}/eligibility"' in html
    assert client.get(f"{BASE}/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("answers", "eligible"),
    [
        ({"lived_here_under_five_years": "yes", "group": "refugee"}, True),
        ({"lived_here_under_five_years": "unsure", "group": "unknown"}, True),
        ({"lived_here_under_five_years": "yes", "group": "unaccompanied_minor"}, True),
        ({"lived_here_under_five_years": "no", "group": "refugee"}, False),
        ({"lived_here_under_five_years": "yes", "group": "none"}, False),
    ],
)
def test_eligibility_check(app, forms, answers, eligible):
    response = forms.post(f"{BASE}/eligibility", answers)
    assert response.status_code == 302
    if eligible:
        assert response.location == f"{BASE}/registrant"
        assert "draft=" in response.headers["Set-Cookie"]
        assert count(app, Draft) == 1
    else:
        assert response.location == f"{BASE}/not-eligible"
        assert count(app, Draft) == 0  # nothing stored about someone we cannot help
        page = forms.client.get(response.location).get_data(as_text=True)
        assert "51 91 40 20" in page and 'href="/uk/contact"' in page  # a way forward


@pytest.mark.parametrize("lang", ["nb", "uk", "ar"])
def test_a_complete_registration_becomes_a_case(app, forms, lang):
    base = f"/{lang}/family-registration"
    fill_in(forms, lang=lang)
    check = forms.client.get(f"{base}/check").get_data(as_text=True)
    assert f'<html lang="{lang}"' in check
    assert "Mariia Petrenko" in check and "15076500565" in check
    assert f'href="{base}/reference-person?return=check#national_id"' in check
    response = forms.post(f"{base}/submit", {"confirm": "y"})
    assert response.location == f"{base}/receipt"
    with app.app_context():
        session = db.get_session()
        case = session.scalars(select(Case).options(selectinload(Case.events))).one()
        assert re.fullmatch(
            r"FG-[2-46-9BCDFGHJKMNPQRTV-Z]{4}-[2-46-9BCDFGHJKMNPQRTV-Z]{4}", case.reference
        )
        assert (case.type, case.status, case.department, case.locale) == (
            "family_reunification", "received", "settlement", lang
        )  # fmt: skip
        assert case.due_date == clock.today() + timedelta(days=14)  # the office's day (Oslo)
        assert [event.kind for event in case.events] == ["received"]
        registration = session.scalars(select(Registration)).one()
        assert registration.answers["reference-person"]["national_id"] == "15076500565"
        assert registration.answers["family_members"][0]["duf_number"] == "201212345678"
        assert registration.answers["contact"]["phone"] == "+380501234567"
        assert registration.interpreter_language == "uk"
        assert session.scalar(select(func.count()).select_from(DraftStep)) == 0


def test_receipt_shows_reference_and_a_private_status_link(app, forms):
    fill_in(forms)
    forms.post(f"{BASE}/submit", {"confirm": "y"})
    receipt = forms.client.get(f"{BASE}/receipt")
    html = receipt.get_data(as_text=True)
    assert receipt.headers["Cache-Control"] == "no-store"
    reference = re.search(r"FG-\w{4}-\w{4}", html.replace("<wbr>", "")).group(0)
    link = re.search(r'href="http://localhost(/uk/status/\?token=([\w-]+))"', html)
    assert len(link.group(2)) >= 22  # at least 128 bits in URL-safe base64
    assert f'<bdi dir="ltr">{reference}</bdi>' in html.replace("<wbr>", "")


def test_validation_messages_beside_fields_and_input_kept(forms):
    fill_in(forms, until="reference-person")
    typed = {
        **STEPS["reference-person"],
        "national_id": "15076500564",
        "full_name": "Петро Петренко",
    }
    response = forms.post(f"{BASE}/reference-person", typed)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and 'href="#national_id"' in html
    assert 'id="national_id-error"' in html
    assert (
        'aria-invalid="true"' in html
        and 'aria-describedby="national_id-hint national_id-error"' in html
    )
    assert 'value="15076500564"' in html and 'value="Петро Петренко"' in html  # nothing lost
    assert re.search(r"<title>[^<]+: ", html)  # the title says there is an error


@pytest.mark.parametrize(
    ("step", "changes", "field"),
    [
        ("registrant", {"role": "helper", "name": ""}, "name"),
        ("reference-person", {"settled_on": "2001-01-01"}, "settled_on"),  # over five years
        ("reference-person", {"settled_on": "2999-01-01"}, "settled_on"),
        ("reference-person", {"settled_on": "31.02.2024"}, "settled_on"),
        ("reference-person", {"full_name": "x" * 201}, "full_name"),
        ("permit", {"application_date": "2024-06-02", "permit_date": "2024-06-01"}, "permit_date"),
        (
            "language",
            {"interpreter_needed": "yes", "interpreter_language": ""},
            "interpreter_language",
        ),
        ("contact", {"phone": "12345"}, "phone"),
        ("contact", {"preferred_channel": "email", "email": ""}, "preferred_channel"),
        ("contact", {"email": "not-an-address"}, "email"),
    ],
)
def test_invalid_answers_are_refused_with_a_message(forms, step, changes, field):
    fill_in(forms, until=step)
    response = forms.post(f"{BASE}/{step}", {**STEPS[step], **changes})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "changes",
    [
        {"passport_name": "Марія Петренко"},  # the passport name must be in Latin letters
        {"birth_date": "2999-01-01"},
        {"duf_number": "12345"},
        {"national_id": "15076500564"},
        {"citizenship": "XX"},
        {"relationship": ""},
    ],
)
def test_family_member_rules(forms, changes):
    fill_in(forms, until="family-members/0")
    response = forms.post(f"{BASE}/family-members/0", {**STEPS["family-members/0"], **changes})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.get_data(as_text=True)


def test_unknown_choices_get_our_translated_message(forms):
    response = forms.post("/ti/family-registration/eligibility",
                          {"lived_here_under_five_years": "maybe", "group": "x"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert "Not a valid choice" not in html  # WTForms' own English message never shows
    assert html.count('class="error-message"') == 2


def test_digits_in_arabic_script_are_accepted(app, forms):
    fill_in(forms, lang="ar", until="reference-person")
    answers = {**STEPS["reference-person"], "national_id": "١٥٠٧٦٥٠٠٥٦٥",
               "settled_on": "٢٠٢٥-٠١-٠٥", "phone": "۹۱۲ ۳۴ ۵۶۷"}  # fmt: skip
    response = forms.post("/ar/family-registration/reference-person", answers)
    assert response.status_code == 302
    with app.app_context():
        row = (
            db.get_session()
            .scalars(select(DraftStep).where(DraftStep.step == "reference-person"))
            .one()
        )
        assert row.data["national_id"] == "15076500565"
        assert row.data["settled_on"] == "2025-01-05"
        assert row.data["phone"] == "+4791234567"


def test_family_members_can_be_added_changed_and_removed(app, forms):
    fill_in(forms, until="permit")
    second = {
        **STEPS["family-members/0"],
        "passport_name": "Ivan Petrenko",
        "relationship": "spouse",
    }
    assert forms.post(f"{BASE}/family-members/1", second).status_code == 302
    assert forms.client.get(f"{BASE}/family-members/5").status_code == 404  # no gaps
    listing = forms.client.get(f"{BASE}/family-members").get_data(as_text=True)
    assert "Mariia Petrenko" in listing and "Ivan Petrenko" in listing
    ask = forms.client.get(f"{BASE}/family-members/0/remove").get_data(as_text=True)
    member = re.search(r'name="member" type="hidden" value="([\w-]+)"', ask).group(1)
    response = forms.post(f"{BASE}/family-members/0/remove", {"member": member})
    assert response.location == f"{BASE}/family-members"
    listing = forms.client.get(f"{BASE}/family-members").get_data(as_text=True)
    with app.test_request_context(), force_locale("uk"):  # the notice names her
        notice = gettext("%(name)s was removed.", name="<bdi>Mariia Petrenko</bdi>")
    assert notice in listing and "was removed" not in listing
    listed = listing[listing.index('class="summary-list"') :]
    assert "Mariia Petrenko" not in listed and "Ivan Petrenko" in listed
    with app.app_context():
        positions = (
            db.get_session()
            .scalars(select(DraftStep.position).where(DraftStep.step == "family-member"))
            .all()
        )
        assert positions == [0]


def test_add_another_family_member_follows_the_last_family_member_on_the_check_page(forms):
    fill_in(forms)
    check = forms.client.get(f"{BASE}/check").get_data(as_text=True)
    add = check.index(f'href="{BASE}/family-members/1"')
    last_member = check.rindex(f'href="{BASE}/family-members/0?return=check')
    after = check.find("<h2", last_member)
    assert last_member < add and (after == -1 or add < after), "between the member and the next"
    assert check.count(f'href="{BASE}/family-members/1"') == 1


def test_change_links_return_to_the_check_page(forms):
    fill_in(forms)
    check = forms.client.get(f"{BASE}/check").get_data(as_text=True)
    assert f'href="{BASE}/contact?return=check#phone"' in check
    assert f'href="{BASE}/family-members/0?return=check#passport_name"' in check
    response = forms.post(
        f"{BASE}/contact?return=check", {**STEPS["contact"], "phone": "+47 912 34 567"}
    )
    assert response.location == f"{BASE}/check"
    member = {**STEPS["family-members/0"], "passport_name": "Maria Petrenko"}
    response = forms.post(f"{BASE}/family-members/0?return=check", member)
    assert response.location == f"{BASE}/check"
    check = forms.client.get(f"{BASE}/check").get_data(as_text=True)
    assert "91 23 45 67" in check and "Maria Petrenko" in check and "Mariia" not in check


def test_save_and_resume_on_another_device(app, forms, make_app):
    fill_in(forms, until="permit")
    response = forms.post(f"{BASE}/permit", {**STEPS["permit"], "action": "save"})
    assert response.location == f"{BASE}/saved"
    saved = forms.client.get(response.location).get_data(as_text=True)
    resume = re.search(
        r'href="http://localhost(/uk/family-registration/resume\?token=[\w-]+)"', saved
    ).group(1)
    other_device = app.test_client()
    response = other_device.get(resume)
    assert response.status_code == 302
    assert (
        response.location == f"{BASE}/your-registration?renewed=1"
    )  # what is done, and what is left
    assert "token" not in response.location
    assert "HttpOnly" in response.headers["Set-Cookie"]
    page = other_device.get(response.location)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


def test_a_saved_link_opened_again_on_the_same_phone_still_leads_on(app, forms):
    """Each resume replaces the link (a copy someone else has stops working); the page after it
    shows the new link to keep, and the phone that holds the draft may open the old one again."""
    fill_in(forms, until="permit")
    forms.post(f"{BASE}/permit", {**STEPS["permit"], "action": "save"})
    saved = forms.client.get(f"{BASE}/saved").get_data(as_text=True)
    old = re.search(r'href="http://localhost(/uk/family-registration/resume\?token=[\w-]+)"', saved)
    phone = app.test_client()
    first = phone.get(old.group(1))
    assert first.location == f"{BASE}/your-registration?renewed=1"
    page = phone.get(first.location).get_data(as_text=True)
    new = re.search(r'href="http://localhost(/uk/family-registration/resume\?token=[\w-]+)"', page)
    assert new and new.group(1) != old.group(1)
    again = phone.get(old.group(1))  # the same phone, the same old link
    assert again.status_code == 302 and again.location == f"{BASE}/your-registration?renewed=1"
    assert app.test_client().get(old.group(1)).status_code == 404  # anyone else: dead
    assert app.test_client().get(new.group(1)).status_code == 302  # the new one works


def test_switching_language_on_the_saved_page_keeps_the_typed_address(app, forms):
    fill_in(forms, until="permit")
    forms.post(f"{BASE}/permit", {**STEPS["permit"], "action": "save"})
    saved = forms.client.get(f"{BASE}/saved").get_data(as_text=True)
    assert 'form="send-link-form" formaction="/ar/family-registration/saved"' in saved
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', saved).group(1)
    response = forms.client.post(
        "/ar/family-registration/saved",
        data={"email": "olena@", "switch_language": "ar", "csrf_token": token},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="ar" dir="rtl">' in html
    assert 'value="olena@"' in html and "error-summary" not in html
    assert count(app, OutboxMessage) == 0  # nothing was sent
    # A POST that is not a switch sends nothing either: back to the page.
    other = forms.client.post(f"{BASE}/saved", data={"email": "x@example.no", "csrf_token": token})
    assert other.status_code == 303 and other.location == f"{BASE}/saved"


def test_delete_draft_removes_everything_at_once(app, forms):
    fill_in(forms, until="permit")
    saved = forms.client.get(f"{BASE}/saved").get_data(as_text=True)
    resume = re.search(r"(/uk/family-registration/resume\?token=[\w-]+)", saved).group(1)
    assert (
        f'href="{BASE}/delete"' in saved and 'action="/uk/family-registration/delete"' not in saved
    )
    asked = forms.client.get(f"{BASE}/delete").get_data(as_text=True)  # asks once
    assert (
        'name="confirm" type="hidden" value="yes"' in asked or 'name="confirm" value="yes"' in asked
    )
    stray = forms.post(f"{BASE}/delete", {}, token_from=f"{BASE}/delete")  # no "yes"
    assert stray.status_code == 200 and count(app, Draft) == 1
    response = forms.post(f"{BASE}/delete", {"confirm": "yes"}, token_from=f"{BASE}/delete")
    assert response.location == f"{BASE}/"
    assert count(app, Draft) == 0 and count(app, DraftStep) == 0
    assert app.test_client().get(resume).status_code == 404


def test_expired_drafts_cannot_be_resumed_and_are_purged(app, forms, runner):
    fill_in(forms, until="permit")
    saved = forms.client.get(f"{BASE}/saved").get_data(as_text=True)
    resume = re.search(r"(/uk/family-registration/resume\?token=[\w-]+)", saved).group(1)
    with app.app_context():
        session = db.get_session()
        draft = session.scalars(select(Draft)).one()
        assert draft.expires_at.replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(days=13)
        draft.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.commit()
    assert app.test_client().get(resume).status_code == 404
    lost = forms.client.get(f"{BASE}/permit")  # the page says what happened, and how to go on
    assert lost.status_code == 404 and 'action="/uk/link-again/"' in lost.get_data(as_text=True)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "1 expired draft" in result.output
    assert count(app, Draft) == 0 and count(app, DraftStep) == 0


def test_submit_twice_makes_one_case(app, forms):
    fill_in(forms)
    token = forms.csrf_token(f"{BASE}/submit")
    first = forms.client.post(f"{BASE}/submit", data={"confirm": "y", "csrf_token": token})
    second = forms.client.post(f"{BASE}/submit", data={"confirm": "y", "csrf_token": token})
    assert first.location == second.location == f"{BASE}/receipt"
    assert count(app, Case) == 1 and count(app, CaseEvent) == 1


def test_simultaneous_submits_make_one_case(app, forms):
    fill_in(forms)
    token = forms.csrf_token(f"{BASE}/submit")
    cookies = {cookie.key: cookie.value for cookie in forms.client._cookies.values()}
    results, barrier = [], threading.Barrier(6)

    def send():
        client = app.test_client()
        for name, value in cookies.items():
            client.set_cookie(name, value)
        barrier.wait()
        results.append(client.post(f"{BASE}/submit", data={"confirm": "y", "csrf_token": token}))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6, "a submit failed with an exception"
    assert {r.status_code for r in results} == {302}
    assert count(app, Case) == 1 and count(app, Registration) == 1


def test_tokens_are_stored_only_as_hashes(app, forms):
    fill_in(forms)
    forms.post(f"{BASE}/submit", {"confirm": "y"})
    receipt = forms.client.get(f"{BASE}/receipt").get_data(as_text=True)
    status_token = re.search(r"status/\?token=([\w-]+)", receipt).group(1)
    draft_token = forms.client.get_cookie("draft").value
    with app.app_context():
        session = db.get_session()
        stored = [str(value) for model in (Case, Draft) for row in session.scalars(select(model))
                  for value in vars(row).values()]  # fmt: skip
    assert not any(status_token in value or draft_token in value for value in stored)


def test_csrf_failure_keeps_what_was_typed(app, forms):
    fill_in(forms, until="reference-person")
    typed = {**STEPS["reference-person"], "full_name": "Петро Петренко", "csrf_token": "expired"}
    response = forms.client.post(f"{BASE}/reference-person", data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    with app.test_request_context("/uk/"), force_locale("uk"):
        expected = str(
            escape(
                gettext("For your safety, the form expired. Check your answers and send it again.")
            )
        )
    assert expected in html and "the form expired" not in html  # translated
    assert 'value="Петро Петренко"' in html and 'value="15076500565"' in html
    with app.app_context():
        saved = db.get_session().scalars(select(DraftStep.step)).all()
    assert "reference-person" not in saved  # nothing was saved without a valid token
    again = forms.client.post(f"{BASE}/reference-person",
                              data={**typed, "csrf_token": forms.csrf_token(f"{BASE}/reference-person")})  # fmt: skip
    assert again.status_code == 302


def test_posts_without_a_valid_token_change_nothing(app, forms):
    assert forms.client.post(f"{BASE}/eligibility", data=STEPS["eligibility"]).status_code == 200
    assert count(app, Draft) == 0
    fill_in(forms, until="permit")
    forms.client.post(f"{BASE}/family-members/0/remove", data={"csrf_token": "x"})
    forms.client.post(f"{BASE}/delete", data={})
    assert count(app, Draft) == 1 and "Mariia" in forms.client.get(
        f"{BASE}/family-members"
    ).get_data(as_text=True)
    forms.client.post(f"{BASE}/submit", data={"confirm": "y"})
    assert count(app, Case) == 0


def test_registration_pages_are_never_cached(forms):
    fill_in(forms, until="permit")
    for path in ("/", "/eligibility", "/registrant", "/family-members", "/permit", "/saved"):
        assert forms.client.get(BASE + path).headers["Cache-Control"] == "no-store", path


def test_resuming_gives_a_new_link_and_the_old_one_stops_working(app, forms):
    fill_in(forms, until="permit")
    saved = forms.client.get(f"{BASE}/saved").get_data(as_text=True)
    planted = re.search(r"(/uk/family-registration/resume\?token=[\w-]+)", saved).group(1)
    victim = app.test_client()
    victim.get(planted)
    assert app.test_client().get(planted).status_code == 404  # the sender cannot follow along
    new_saved = victim.get(f"{BASE}/saved").get_data(as_text=True)
    assert planted not in new_saved and "resume?token=" in new_saved


def test_after_sending_the_receipt_cookie_lasts_only_until_the_browser_closes(forms):
    fill_in(forms)
    response = forms.post(f"{BASE}/submit", {"confirm": "y"})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("draft=") and "Max-Age" not in cookie and "Expires" not in cookie


def test_change_links_of_radio_questions_land_on_the_first_choice(forms):
    fill_in(forms)
    check = forms.client.get(f"{BASE}/check").get_data(as_text=True)
    assert f'href="{BASE}/registrant?return=check#role-0"' in check
    assert f'href="{BASE}/eligibility?return=check#group-0"' in check
    page = forms.client.get(f"{BASE}/registrant").get_data(as_text=True)
    assert 'id="role-0"' in page


def test_corrections_do_not_use_up_the_rate_limit(make_app):
    from tests.conftest import FormFiller

    app = make_app(RATELIMIT_SUBMITS="3 per hour")
    forms = FormFiller(app.test_client())
    for _ in range(5):  # mistakes: re-rendered forms are not counted
        assert forms.post(f"{BASE}/eligibility", {}).status_code == 200
    codes = [forms.post(f"{BASE}/eligibility", STEPS["eligibility"]).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
