"""The applicant's status page: private link, cookie exchange, translation, refusals."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal import db
from portal.cases.models import Case, CaseEvent
from tests.registration_data import STEPS, fill_in


@pytest.fixture
def status_link(app, forms):
    """A submitted registration (in Arabic); returns its private status link."""
    fill_in(forms, lang="ar")
    forms.post("/ar/family-registration/submit", {"confirm": "y"})
    receipt = forms.client.get("/ar/family-registration/receipt").get_data(as_text=True)
    return re.search(r'href="http://localhost(/ar/status/\?token=[\w-]+)"', receipt).group(1)


def test_link_is_exchanged_for_a_cookie_and_a_clean_url(app, status_link):
    browser = app.test_client()
    response = browser.get(status_link)
    assert response.status_code == 302 and response.location == "/ar/status/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("case_status=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = browser.get("/ar/status/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert '<html lang="ar" dir="rtl">' in html
    with app.app_context():
        reference = db.get_session().scalars(select(Case.reference)).one()
    assert f'<bdi dir="ltr" class="reference-inline">{reference}</bdi>' in html.replace("<wbr>", "")


def test_status_follows_changes_in_the_applicants_language(app, status_link):
    with app.app_context():
        session = db.get_session()
        case = session.scalars(select(Case)).one()
        case.status = "in_review"
        session.add(CaseEvent(case=case, kind="status_changed", status="in_review"))
        session.add(CaseEvent(case=case, kind="note", visible_to_applicant=False))
        session.commit()
    browser = app.test_client()
    browser.get(status_link)
    html = browser.get("/uk/status/").get_data(as_text=True)
    assert html.count('<li><time class="timeline-date"') == 2  # the internal event is not shown
    with app.test_request_context("/uk/"), force_locale("uk"):
        in_review = gettext("Being processed")
    assert in_review != "Being processed" and in_review in html


@pytest.mark.parametrize(
    "query", ["?token=" + "A" * 43, "?token=short", "?token=../../etc", "?token=", ""]
)
def test_unknown_tokens_get_a_plain_404(client, query):
    assert client.get(f"/uk/status/{query}").status_code == 404


def test_a_reference_number_alone_reveals_nothing(app, status_link, client):
    with app.app_context():
        reference = db.get_session().scalars(select(Case.reference)).one()
    assert client.get(f"/uk/status/?token={reference}").status_code == 404
    client.set_cookie("case_status", reference)
    assert client.get("/uk/status/").status_code == 404


def test_status_lookups_are_rate_limited(make_app):
    app = make_app(RATELIMIT_LOOKUPS="3 per minute")
    client = app.test_client()
    codes = [client.get("/uk/status/?token=" + "B" * 43).status_code for _ in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    assert '<html lang="uk"' in client.get("/uk/status/").get_data(as_text=True)


def test_one_applicants_link_never_shows_another_case(app, make_app):
    from tests.conftest import FormFiller

    links = []
    for name in ("Mariia Petrenko", "Ahmad Karimi"):
        forms = FormFiller(app.test_client())
        fill_in(forms, lang="uk", until="family-members/0")
        member = {**STEPS["family-members/0"], "passport_name": name}
        forms.post("/uk/family-registration/family-members/0", member)
        for step in ("permit", "language", "contact"):
            forms.post(f"/uk/family-registration/{step}", STEPS[step])
        forms.post("/uk/family-registration/submit", {"confirm": "y"})
        receipt = forms.client.get("/uk/family-registration/receipt").get_data(as_text=True)
        links.append(
            re.search(r'href="http://localhost(/uk/status/\?token=[\w-]+)"', receipt).group(1)
        )
    with app.app_context():
        references = db.get_session().scalars(select(Case.reference).order_by(Case.id)).all()
    assert links[0] != links[1] and len(set(references)) == 2
    for link, own, other in ((links[0], *references), (links[1], *reversed(references))):
        browser = app.test_client()
        browser.get(link)
        html = browser.get("/uk/status/").get_data(as_text=True)
        html = html.replace("<wbr>", "")
        assert own in html and other not in html


# --- what the page shows first ---------------------------------------------------------------

QUESTION = "Please send a photo of your residence permit."


def _add_events(app, *events, status=None):
    """Timeline lines with the given (kind, minutes after receipt, text or status)."""
    with app.app_context():
        session = db.get_session()
        case = session.scalars(select(Case)).one()
        received = session.scalars(select(CaseEvent.created_at)).one()
        for kind, minutes, value in events:
            details = {"text": value} if kind != "status_changed" else {"from": case.status}
            session.add(
                CaseEvent(
                    case=case, kind=kind, visible_to_applicant=True,
                    status=value if kind == "status_changed" else None,
                    details=details, created_at=received + timedelta(minutes=minutes),
                )
            )  # fmt: skip
        if status:
            case.status = status
        session.commit()


def _page(app, status_link, lang="en"):
    browser = app.test_client()
    browser.get(status_link)
    return browser.get(f"/{lang}/status/").get_data(as_text=True)


def test_a_waiting_question_comes_first_with_the_answer_form_under_it(app, status_link):
    _add_events(
        app,
        ("status_changed", 60, "in_review"),
        ("message_to_applicant", 125, QUESTION),
        ("status_changed", 126, "waiting_for_applicant"),
        status="waiting_for_applicant",
    )
    html = _page(app, status_link)
    waiting = html.index("We are waiting for your answer")
    question = html.index(QUESTION)
    form = html.index('name="answer"')
    timeline = html.index('<ol class="timeline"')
    assert html.index("<h1>") < waiting < question < form < timeline
    assert html.count('name="answer"') == 1  # one answer form, not a second one further down
    section = html[waiting:timeline]
    assert re.search(r'<time datetime="[^"]+">[^<]*\d\d:\d\d[^<]*</time>', section)


def test_an_answered_question_no_longer_waits(app, status_link):
    _add_events(
        app,
        ("message_to_applicant", 10, QUESTION),
        ("applicant_message", 20, "Here it is."),
    )
    html = _page(app, status_link)
    assert "We are waiting for your answer" not in html
    assert 'class="waiting-question"' not in html
    assert html.index('<ol class="timeline"') < html.index('name="answer"')  # "Write to us"


def test_the_timeline_is_newest_first_with_date_and_time(app, status_link):
    _add_events(
        app,
        ("status_changed", 60, "in_review"),
        ("message_to_applicant", 125, QUESTION),
    )
    html = _page(app, status_link)
    timeline = html[html.index('<ol class="timeline"') : html.index("</ol>")]
    moments = re.findall(r'<time class="timeline-date" datetime="([^"]+)">([^<]+)</time>', timeline)
    assert len(moments) == 3
    stamps = [stamp for stamp, _text in moments]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    assert all(re.search(r"\b\d\d:\d\d\b", text) for _stamp, text in moments)  # with a time
    assert timeline.index(QUESTION) < timeline.index("We received your registration")


def test_the_page_shows_what_was_sent_read_only(app, status_link):
    html = _page(app, status_link)
    start = html.index('<details class="sent-answers">')
    sent = html[start : html.index("</details>", start)]
    assert "What you sent" in sent
    assert "Olena Petrenko" in sent and "Mariia Petrenko" in sent  # registrant, family member
    assert "<form" not in sent and "<input" not in sent and "?return=check" not in sent


def test_numbers_that_identify_someone_are_masked_on_the_status_page(app, status_link):
    """The link travels by SMS and lives as long as the case: the identity number, the UDI
    number and the phone show only their last characters (staff see them in full)."""
    html = _page(app, status_link)
    start = html.index('<details class="sent-answers">')
    sent = html[start : html.index("</details>", start)]
    assert "15076500565" not in sent and "\u2022\u2022\u2022\u2022\u00a0565" in sent
    assert "2012 1234 5678" not in sent and "\u2022\u2022\u2022\u2022\u00a0678" in sent
    assert "123 4567" not in sent and "+380\u00a0\u2022\u2022\u2022\u2022\u00a045\u00a067" in sent


def test_switching_language_keeps_a_half_written_answer(app, status_link):
    _add_events(app, ("message_to_applicant", 5, QUESTION), status="waiting_for_applicant")
    browser = app.test_client()
    browser.get(status_link)
    page = browser.get("/ar/status/").get_data(as_text=True)
    assert 'form="answer-form" formaction="/ti/status/"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    switched = browser.post(
        "/ti/status/", data={"answer": "ሰላም <b>", "switch_language": "ti", "csrf_token": token}
    )
    html = switched.get_data(as_text=True)
    assert switched.status_code == 200 and '<html lang="ti" dir="ltr">' in html
    assert "ሰላም &lt;b&gt;</textarea>" in html and "error-summary" not in html
    with app.app_context():  # nothing was sent
        kinds = db.get_session().scalars(select(CaseEvent.kind)).all()
        assert "applicant_message" not in kinds
    # Without the picker's field a POST to the page sends nothing either.
    other = browser.post("/ti/status/", data={"answer": "x", "csrf_token": token})
    assert other.status_code == 303 and other.location == "/ti/status/"
