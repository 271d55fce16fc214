"""The registration as a person moves through it (#14): the applicant's own name, error summary
lines that name their question, welcome back after saving, back links, removing a family member
only after asking."""

import re

import pytest
from sqlalchemy import select

from portal import db
from portal.cases.models import Case
from portal.registration.models import Draft, DraftStep
from tests.registration_data import STEPS, fill_in

BASE = "/en/family-registration"
MARIIA = STEPS["family-members/0"]
IVAN = {**MARIIA, "passport_name": "Ivan Petrenko", "native_name": "", "relationship": "spouse"}


def html_of(response) -> str:
    return response.get_data(as_text=True)


def back_link(html: str) -> str | None:
    """Where the page's back link goes, checked to stand before the heading."""
    found = re.search(r'<a class="back-link" href="([^"]+)">', html)
    if found is None:
        return None
    assert found.start() < html.index("<h1"), "the back link comes before the heading"
    return found.group(1).replace("&amp;", "&")


# --- 1. the family member registering themselves gives their own name ------------------------
def test_the_family_member_themselves_is_asked_their_name_in_the_passport(forms):
    fill_in(forms, lang="en", until="registrant")
    page = html_of(forms.client.get(f"{BASE}/registrant"))
    assert 'id="name" name="name" type="text" value="" autocomplete="name"' in page
    assert (
        'id="passport_name" name="passport_name" type="text" value="" autocomplete="name"' in page
    )
    response = forms.post(f"{BASE}/registrant", {"role": "self", "name": "", "passport_name": ""})
    html = html_of(response)
    assert response.status_code == 200
    assert 'id="name-error"' in html and 'id="passport_name-error"' in html
    arabic_only = {"role": "self", "name": "مريم أحمدي", "passport_name": "مريم أحمدي"}
    html = html_of(forms.post(f"{BASE}/registrant", arabic_only))
    assert 'id="passport_name-error"' in html and 'value="مريم أحمدي"' in html  # kept
    answers = {"role": "self", "name": "مريم أحمدي", "passport_name": "Maryam Ahmadi"}
    assert forms.post(f"{BASE}/registrant", answers).status_code == 302


def test_someone_registering_themselves_starts_the_family_members_with_themselves(forms):
    fill_in(forms, lang="en", until="registrant")
    answers = {"role": "self", "name": "مريم أحمدي", "passport_name": "Maryam Ahmadi"}
    assert forms.post(f"{BASE}/registrant", answers).status_code == 302
    page = html_of(forms.client.get(f"{BASE}/family-members/0"))
    assert "Start with yourself" in page
    assert 'value="Maryam Ahmadi"' in page and 'value="مريم أحمدي"' in page
    forms.post(f"{BASE}/registrant", {**answers, "role": "relative"})  # a relative instead
    relative = html_of(forms.client.get(f"{BASE}/family-members/0"))
    assert "Start with yourself" not in relative and 'value="Maryam Ahmadi"' not in relative


def test_a_relative_needs_no_passport_name(forms):
    fill_in(forms, lang="en", until="registrant")
    answers = {"role": "relative", "name": "Olena Petrenko", "passport_name": ""}
    assert forms.post(f"{BASE}/registrant", answers).status_code == 302


def test_the_staff_queue_and_case_page_show_the_applicant_who_registered_themselves(
    app, forms, staff
):
    fill_in(forms, lang="en")
    answers = {"role": "self", "name": "مريم أحمدي", "passport_name": "Maryam Ahmadi"}
    forms.post(f"{BASE}/registrant?return=check", answers)
    check = html_of(forms.client.get(f"{BASE}/check"))
    assert "Maryam Ahmadi" in check and "مريم أحمدي" in check
    assert forms.post(f"{BASE}/submit", {"confirm": "y"}).location == f"{BASE}/receipt"
    with app.app_context():
        case = db.get_session().scalars(select(Case)).one()
        assert case.applicant_name == "Maryam Ahmadi (مريم أحمدي)"
        reference = case.reference
    staff.as_role("caseworker", ("settlement",))
    queue = html_of(forms.client.get("/staff/cases/?status=all"))
    assert "Maryam Ahmadi (مريم أحمدي)" in queue
    case_page = html_of(forms.client.get(f"/staff/cases/{reference}"))
    assert "Maryam Ahmadi (مريم أحمدي)" in case_page


def test_a_draft_saved_without_the_name_asks_for_it_before_sending(app, forms):
    fill_in(forms, lang="en")
    with app.app_context():  # saved before the name was asked: "I am the family member", no name
        session = db.get_session()
        row = session.scalars(select(DraftStep).where(DraftStep.step == "registrant")).one()
        row.data = {"role": "self", "name": ""}
        session.commit()
    response = forms.client.get(f"{BASE}/check")
    assert response.location == f"{BASE}/your-registration?unfinished=1"
    page = html_of(forms.client.get(response.location))
    assert "<h1>Some steps are not done yet</h1>" in page and 'class="flash"' not in page
    assert re.search(
        r'href="/en/family-registration/registrant">About you</a>\s*<span>Not done yet', page
    )
    assert forms.client.get(f"{BASE}/submit").location == f"{BASE}/check"  # no sending yet


# --- 2. each line of the error summary names its question -----------------------------------
def test_error_summary_lines_name_their_question(forms):
    html = html_of(forms.post(f"{BASE}/eligibility", {}))
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</ul>", html.index('class="error-summary"')
        )
    ]
    lines = re.findall(r'<a href="#[^"]+">([^<]+)</a>', summary)
    assert [line.strip() for line in lines] == [
        "Has the person you came to join lived in the municipality for less than five years? "
        "Choose one of the answers.",
        "Which of these describes the person you came to join? Choose one of the answers.",
    ]
    # Beside the field the message stays short.
    assert re.search(
        r'id="group-error"><span class="visually-hidden">Error: </span>Choose one of the answers.</p>',
        html,
    )


def test_a_question_without_a_question_mark_is_followed_by_a_colon(forms):
    fill_in(forms, lang="en", until="reference-person")
    html = html_of(
        forms.post(f"{BASE}/reference-person", {**STEPS["reference-person"], "full_name": ""})
    )
    assert re.search(r'<a href="#full_name">\s*Full name: Write the full name.\s*</a>', html)


def test_the_summary_line_of_another_form_names_its_question_too(forms):
    html = html_of(forms.post("/en/link-again/", {"reference": "", "contact": ""}))
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</ul>", html.index('class="error-summary"')
        )
    ]
    for link in re.findall(r'<a href="#[^"]+">([^<]+)</a>', summary):
        assert ": " in link or "? " in link, link


# --- 3. continuing after "save and continue later" ------------------------------------------
def test_continue_now_says_welcome_back_and_what_is_done_and_left(forms):
    fill_in(forms, lang="en", until="permit")
    response = forms.post(f"{BASE}/permit", {**STEPS["permit"], "action": "save"})
    saved = html_of(forms.client.get(response.location))
    assert f'href="{BASE}/your-registration">Continue now</a>' in saved
    page = html_of(forms.client.get(f"{BASE}/your-registration"))
    assert "<h1>Welcome back</h1>" in page
    assert "missing" not in page and "error" not in page.lower().replace("error-summary", "")
    states = re.findall(r'<a href="[^"]+">([^<]+)</a>\s*<(strong|span)>(Done|Not done yet)<', page)
    assert [(name, state) for name, _tag, state in states] == [
        ("Who can register", "Done"),
        ("About you", "Done"),
        ("The person you came to join", "Done"),
        ("Family members", "Done"),
        ("Permit and dates", "Done"),
        ("Language and interpreter", "Not done yet"),
        ("How we can contact you", "Not done yet"),
    ]
    assert f'<a class="button" href="{BASE}/language">Continue</a>' in page


def test_the_saved_link_on_another_device_says_welcome_back(app, forms):
    fill_in(forms, lang="en", until="permit")
    saved = html_of(forms.client.get(f"{BASE}/saved"))
    resume = re.search(
        r'href="http://localhost(/en/family-registration/resume\?token=[\w-]+)"', saved
    ).group(1)
    other_device = app.test_client()
    response = other_device.get(resume)
    assert response.location == f"{BASE}/your-registration?renewed=1"
    page = html_of(other_device.get(response.location))
    assert "<h1>Welcome back</h1>" in page and 'class="flash"' not in page
    assert f'<a class="button" href="{BASE}/permit">Continue</a>' in page


def test_a_finished_draft_continues_to_the_check_page(forms):
    fill_in(forms, lang="en")
    page = html_of(forms.client.get(f"{BASE}/your-registration"))
    assert "Not done yet" not in page
    assert f'<a class="button" href="{BASE}/check">Check your answers</a>' in page
    start = html_of(forms.client.get(f"{BASE}/"))
    assert f'href="{BASE}/your-registration">Continue your registration</a>' in start


# --- 4. back links ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "back"),
    [
        ("/eligibility", "/"),
        ("/registrant", "/eligibility"),
        ("/reference-person", "/registrant"),
        ("/family-members", "/reference-person"),
        ("/family-members/1", "/family-members"),
        ("/family-members/0/remove", "/family-members"),
        ("/permit", "/family-members"),
        ("/language", "/permit"),
        ("/contact", "/language"),
        ("/check", "/contact"),
        ("/submit", "/check"),
        ("/permit?return=check", "/check"),
        ("/family-members/0?return=check", "/check"),
    ],
)
def test_every_step_has_a_back_link_to_the_step_before(forms, path, back):
    fill_in(forms, lang="en")
    assert back_link(html_of(forms.client.get(BASE + path))) == BASE + back


def test_the_first_member_page_goes_back_to_the_person_you_came_to_join(forms):
    fill_in(forms, lang="en", until="family-members/0")
    assert (
        back_link(html_of(forms.client.get(f"{BASE}/family-members/0")))
        == f"{BASE}/reference-person"
    )


def test_the_not_eligible_page_goes_back_to_the_questions(forms):
    html = html_of(forms.client.get(f"{BASE}/not-eligible"))
    assert back_link(html) == f"{BASE}/eligibility"


def test_back_link_in_arabic(forms):
    html = html_of(forms.client.get("/ar/family-registration/eligibility"))
    assert '<html lang="ar" dir="rtl"' in html
    assert back_link(html) == "/ar/family-registration/"


# --- 5. removing a family member asks first, then names who was removed ----------------------
def members_in(app) -> list[str]:
    with app.app_context():
        rows = db.get_session().scalars(
            select(DraftStep).where(DraftStep.step == "family-member").order_by(DraftStep.position)
        )
        return [row.data["passport_name"] for row in rows]


def shown_member(forms, position: int) -> str:
    """The hidden field of the remove question: which saved family member it asks about."""
    ask = html_of(forms.client.get(f"{BASE}/family-members/{position}/remove"))
    return re.search(r'name="member" type="hidden" value="(\d+-[0-9a-f]{16})"', ask).group(1)


def test_removing_a_family_member_asks_first_and_names_who_was_removed(app, forms):
    fill_in(forms, lang="en", until="permit")
    assert forms.post(f"{BASE}/family-members/1", IVAN).status_code == 302
    listing = html_of(forms.client.get(f"{BASE}/family-members"))
    assert f'href="{BASE}/family-members/0/remove">Remove' in listing
    assert 'method="post"' not in listing  # one tap only opens the question
    ask = html_of(forms.client.get(f"{BASE}/family-members/0/remove"))
    assert "<h1>Remove <bdi>Mariia Petrenko</bdi>?</h1>" in ask
    assert "Марія Петренко" in ask and "<dd>Child</dd>" in ask
    assert "Yes, remove" in ask and f'href="{BASE}/family-members">No, keep this person</a>' in ask
    assert members_in(app) == ["Mariia Petrenko", "Ivan Petrenko"]  # asking removed nobody
    member = shown_member(forms, 0)
    response = forms.post(f"{BASE}/family-members/0/remove", {"member": member})
    assert response.location == f"{BASE}/family-members"
    listing = html_of(forms.client.get(response.location))
    assert '<div class="flash"' in listing and "<bdi>Mariia Petrenko</bdi> was removed." in listing
    assert members_in(app) == ["Ivan Petrenko"]


def test_a_second_tap_on_yes_remove_removes_nobody_else(app, forms):
    fill_in(forms, lang="en", until="permit")
    forms.post(f"{BASE}/family-members/1", IVAN)
    token_page = f"{BASE}/family-members/0/remove"
    member = shown_member(forms, 0)
    forms.post(token_page, {"member": member})
    again = forms.post(token_page, {"member": member})
    assert again.location == f"{BASE}/family-members"
    assert members_in(app) == ["Ivan Petrenko"]  # Ivan moved up to position 0 and stays
    notice = html_of(forms.client.get(again.location))
    assert "Nobody was removed" in notice and "was removed." not in notice


def test_the_same_person_added_twice_is_removed_once(app, forms):
    fill_in(forms, lang="en", until="permit")
    first = html_of(forms.client.get(f"{BASE}/family-members"))
    assert "Mariia Petrenko" in first
    with app.app_context():  # the same answers twice, as a double "Continue" can leave them
        session = db.get_session()
        row = session.scalars(select(DraftStep).where(DraftStep.step == "family-member")).one()
        session.add(
            DraftStep(draft_id=row.draft_id, step=row.step, position=1, data=dict(row.data))
        )
        session.commit()
    member = shown_member(forms, 0)
    for _tap in range(2):
        forms.post(f"{BASE}/family-members/0/remove", {"member": member})
    assert members_in(app) == ["Mariia Petrenko"]


def test_a_question_left_open_while_the_list_changed_removes_nobody(app, forms):
    fill_in(forms, lang="en", until="permit")
    forms.post(f"{BASE}/family-members/1", IVAN)
    stale = shown_member(forms, 1)  # the question about Ivan, left open in a tab
    forms.post(f"{BASE}/family-members/1/remove", {"member": shown_member(forms, 1)})
    # Someone else added: a new row at position 1 (SQLite may even give it Ivan's row number).
    forms.post(f"{BASE}/family-members/1", {**IVAN, "passport_name": "Petro Petrenko"})
    forms.post(f"{BASE}/family-members/1/remove", {"member": stale})
    assert members_in(app) == ["Mariia Petrenko", "Petro Petrenko"]
    for odd in ("", "x", "\u0663", "1" * 30, "-1"):  # not a row of this draft: nobody
        forms.post(f"{BASE}/family-members/0/remove", {"member": odd})
    assert members_in(app) == ["Mariia Petrenko", "Petro Petrenko"]


def test_a_name_with_markup_is_shown_as_text_in_the_notice(app, forms):
    fill_in(forms, lang="en", until="permit")
    with app.app_context():
        session = db.get_session()
        row = session.scalars(select(DraftStep).where(DraftStep.step == "family-member")).one()
        row.data = {**row.data, "passport_name": "<b>Eve</b>"}
        session.commit()
    forms.post(f"{BASE}/family-members/0/remove", {"member": shown_member(forms, 0)})
    page = html_of(forms.client.get(f"{BASE}/family-members/0"))
    assert "<bdi>&lt;b&gt;Eve&lt;/b&gt;</bdi> was removed." in page and "<b>Eve" not in page


def test_the_confirmation_of_a_member_not_there_goes_back_to_the_list(forms):
    fill_in(forms, lang="en", until="permit")
    assert forms.client.get(f"{BASE}/family-members/4/remove").location == f"{BASE}/family-members"


def test_the_draft_is_untouched_by_asking(app, forms):
    fill_in(forms, lang="en", until="permit")
    forms.client.get(f"{BASE}/family-members/0/remove")
    with app.app_context():
        assert db.get_session().scalars(select(Draft)).one() is not None
    assert members_in(app) == ["Mariia Petrenko"]
