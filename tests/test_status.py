"""The applicant's status page: private link, cookie exchange, translation, refusals."""

import re

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
    assert f'<bdi dir="ltr">{reference}</bdi>' in html


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
        assert own in html and other not in html
