"""The case queue and case page: scoping by role and department, filters, the state machine,
assignment, moving, notes and messages, bulk changes, the CSV export and the audit log."""

import csv
import io
import re

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import selectinload

from portal import db
from portal.cases import workflow
from portal.cases.models import Case, CaseEvent
from portal.cases.staff import queue as case_queue
from tests.case_factory import make_case
from tests.conftest import audit_rows, csrf_token_in
from tests.test_status import status_link  # noqa: F401 - a fixture


@pytest.fixture(autouse=True)
def _english_staff_pages(client):
    """These tests read the staff pages in English (the source language)."""
    client.set_cookie("staff_lang", "en")


def _case(app, reference) -> Case:
    with app.app_context():
        session = db.get_session()
        query = select(Case).where(Case.reference == reference)
        return session.scalars(query.options(selectinload(Case.events))).one()


def _token(client, path):
    return csrf_token_in(client.get(path).get_data(as_text=True), prefix="(?:bulk-)?")


def _post(client, reference, action, data):
    token = _token(client, f"/staff/cases/{reference}")
    return client.post(f"/staff/cases/{reference}/{action}", data={**data, "csrf_token": token})


# --- who sees what -------------------------------------------------------------------------
def test_anonymous_people_are_sent_to_the_login(app, client):
    reference = make_case(app)
    for path in ("/staff/cases/", f"/staff/cases/{reference}", "/staff/cases/export.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/staff/login" in response.location
    assert client.post(f"/staff/cases/{reference}/note", data={"note": "x"}).status_code in (
        302,
        400,
    )
    assert len(_case(app, reference).events) == 1


def test_a_caseworker_sees_only_their_departments(app, staff, client):
    mine = make_case(app, department="settlement", name="Mine Person")
    other = make_case(app, department="introduction", name="Other Person")
    staff.as_role("caseworker", ("settlement",))
    html = client.get("/staff/cases/?status=all").get_data(as_text=True)
    assert mine in html and "Mine Person" in html
    assert other not in html and "Other Person" not in html
    assert client.get(f"/staff/cases/{mine}").status_code == 200
    assert client.get(f"/staff/cases/{other}").status_code == 404
    assert client.get(f"/staff/cases/{other.lower()}").status_code == 404
    for action, data in (("note", {"note": "x"}), ("message", {"message": "x"}),
                         ("status", {"status": "in_review"}), ("move", {"department": "settlement"}),
                         ("assign", {"assignee": ""})):  # fmt: skip
        token = _token(client, f"/staff/cases/{mine}")
        response = client.post(f"/staff/cases/{other}/{action}", data={**data, "csrf_token": token})
        assert response.status_code == 404, action
    assert len(_case(app, other).events) == 1 and _case(app, other).status == "received"
    # a filter for another department shows nothing of it either
    html = client.get("/staff/cases/?department=introduction&status=all").get_data(as_text=True)
    assert other not in html


def test_a_caseworker_in_two_departments_sees_both(app, staff, client):
    first = make_case(app, department="settlement")
    second = make_case(app, department="introduction")
    staff.as_role("caseworker", ("settlement", "introduction"))
    html = client.get("/staff/cases/").get_data(as_text=True)
    assert first in html and second in html


def test_reception_sees_no_case_contents(app, staff, client):
    reference = make_case(app)
    staff.as_role("reception", ())
    assert client.get("/staff/cases/").status_code == 403
    assert client.get(f"/staff/cases/{reference}").status_code == 403
    assert client.get("/staff/cases/export.csv").status_code == 403
    with app.app_context():
        account = (
            db.get_session()
            .scalars(select(workflow.StaffAccount).where(workflow.StaffAccount.role == "reception"))
            .one()
        )
        assert workflow.load_case(db.get_session(), account, reference) is None


def test_an_admin_sees_every_department(app, staff, client):
    first = make_case(app, department="settlement")
    second = make_case(app, department="introduction")
    staff.as_role("admin", ())
    html = client.get("/staff/cases/").get_data(as_text=True)
    assert first in html and second in html


def test_viewing_a_case_is_audited(app, staff, client):
    reference = make_case(app)
    account_id = staff.as_role("caseworker")
    client.get(f"/staff/cases/{reference}")
    entries = audit_rows(app, "case_viewed")
    assert [(e.actor_id, e.target_type, e.target_id) for e in entries] == [
        (account_id, "case", reference)
    ]


# --- the queue -----------------------------------------------------------------------------
def test_queue_filters_search_and_overdue(app, staff, client):
    late = make_case(app, name="Late Person", due_in_days=-2, interpreter="Tigrinya", locale="ti")
    fresh = make_case(app, name="Fresh Person", due_in_days=10, interpreter=None, locale="ar")
    done = make_case(app, name="Done Person", status="completed", due_in_days=-5)
    staff.as_role("caseworker")
    page = client.get("/staff/cases/").get_data(as_text=True)
    assert late in page and fresh in page and done not in page  # open cases by default
    assert page.index(late) < page.index(fresh)  # earliest due first
    assert 'class="overdue"' in page and "Overdue" in page
    overdue = client.get("/staff/cases/?overdue=y").get_data(as_text=True)
    assert late in overdue and fresh not in overdue and done not in overdue
    interpreter = client.get("/staff/cases/?interpreter=y").get_data(as_text=True)
    assert late in interpreter and fresh not in interpreter
    arabic = client.get("/staff/cases/?language=ar").get_data(as_text=True)
    assert fresh in arabic and late not in arabic
    completed = client.get("/staff/cases/?status=completed").get_data(as_text=True)
    assert done in completed and late not in completed
    by_name = client.get("/staff/cases/?search=fresh").get_data(as_text=True)
    assert fresh in by_name and late not in by_name
    compact = late.replace("-", "").lower()
    by_reference = client.get(f"/staff/cases/?search={compact}&status=all").get_data(as_text=True)
    assert late in by_reference and fresh not in by_reference
    newest = client.get("/staff/cases/?sort=newest").get_data(as_text=True)
    assert newest.index(fresh) < newest.index(late)
    # an unknown filter value (an old bookmark) falls back instead of failing
    assert client.get("/staff/cases/?status=nonsense&sort=nonsense").status_code == 200


def test_queue_counts_and_pages(app, staff, client, monkeypatch):
    monkeypatch.setattr(case_queue, "PAGE_SIZE", 2)
    references = [make_case(app, due_in_days=day) for day in range(5)]
    make_case(app, status="in_review")
    staff.as_role("caseworker")
    first = client.get("/staff/cases/").get_data(as_text=True)
    assert "6 cases match the filters" in first and "Page 1 of 3" in first
    assert references[0] in first and references[2] not in first
    assert re.search(r"Received: 5\b", first) and re.search(r"In review: 1\b", first)
    second = client.get("/staff/cases/?page=2").get_data(as_text=True)
    assert references[2] in second and references[0] not in second
    assert client.get("/staff/cases/?page=99").status_code == 200


def test_assignee_filters(app, staff, client):
    me = staff.as_role("caseworker")
    mine = make_case(app, assignee_id=me)
    nobody = make_case(app)
    html = client.get("/staff/cases/?assignee=me").get_data(as_text=True)
    assert mine in html and nobody not in html
    html = client.get("/staff/cases/?assignee=none").get_data(as_text=True)
    assert nobody in html and mine not in html


def test_the_queue_needs_a_fixed_number_of_queries(app, staff, client):
    """No query per row (N+1): 3 cases or 30, the same number of statements."""
    me = staff.as_role("caseworker")
    engine = app.extensions["db_engine"]
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    counts = []
    for batch in (3, 27):
        for _ in range(batch):
            make_case(app, assignee_id=me)
        event.listen(engine, "before_cursor_execute", listener)
        client.get("/staff/cases/")
        event.remove(engine, "before_cursor_execute", listener)
        counts.append(len(statements))
        statements.clear()
    assert counts[0] == counts[1] and counts[0] <= 10, counts  # login, choices, count, rows, counts


# --- the state machine ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("received", "in_review", True), ("received", "withdrawn", True),
        ("received", "completed", False), ("received", "waiting_for_applicant", False),
        ("in_review", "waiting_for_applicant", True), ("in_review", "completed", True),
        ("in_review", "rejected", True), ("waiting_for_applicant", "in_review", True),
        ("waiting_for_applicant", "completed", True), ("completed", "in_review", False),
        ("rejected", "received", False), ("withdrawn", "in_review", False),
        ("in_review", "received", False),
    ],
)  # fmt: skip
def test_status_changes_follow_the_state_machine(app, staff, client, start, target, allowed):
    reference = make_case(app, status=start)
    staff.as_role("caseworker")
    response = _post(client, reference, "status", {"status": target})
    case = _case(app, reference)
    if allowed:
        assert response.status_code == 302
        assert case.status == target
        last = case.events[-1]
        assert (last.kind, last.status, last.visible_to_applicant) == (
            "status_changed",
            target,
            True,
        )
        [entry] = audit_rows(app, "case_status_changed")
        assert entry.details == {"from": start, "to": target}
    else:
        assert response.status_code == 400
        assert case.status == start and not audit_rows(app, "case_status_changed")


def test_the_state_machine_refuses_directly_too():
    case = Case(status="completed")
    with pytest.raises(workflow.WorkflowError):
        workflow.change_status(case, "in_review", None)


# --- assign, move, notes and messages -----------------------------------------------------
def test_assign_only_to_people_who_may_see_the_case(app, staff, client):
    colleague, _ = staff.account("caseworker", ("settlement",), name="Colleague Same")
    stranger, _ = staff.account("caseworker", ("introduction",), name="Stranger Other")
    reference = make_case(app)
    staff.as_role("caseworker")
    page = client.get(f"/staff/cases/{reference}").get_data(as_text=True)
    assert "Colleague Same" in page and "Stranger Other" not in page
    assert _post(client, reference, "assign", {"assignee": str(stranger)}).status_code == 400
    assert _case(app, reference).assignee_id is None
    assert _post(client, reference, "assign", {"assignee": str(colleague)}).status_code == 302
    assert _case(app, reference).assignee_id == colleague
    assert audit_rows(app, "case_assigned")[0].target_id == reference


def test_moving_a_case_hands_it_to_the_other_department(app, staff, client):
    reference = make_case(app)
    staff.as_role("caseworker", ("settlement",))
    response = _post(client, reference, "move", {"department": "introduction"})
    assert response.status_code == 302 and response.location.endswith("/staff/cases/")
    case = _case(app, reference)
    assert case.department == "introduction" and case.assignee_id is None
    assert client.get(f"/staff/cases/{reference}").status_code == 404  # no longer theirs
    assert audit_rows(app, "case_moved")[0].details == {"from": "settlement", "to": "introduction"}
    assert _post(client, make_case(app), "move", {"department": "nowhere"}).status_code == 400


def test_notes_stay_internal_and_messages_reach_the_applicant(app, staff, client, status_link):  # noqa: F811
    applicant = app.test_client()
    applicant.get(status_link)
    with app.app_context():
        reference = db.get_session().scalars(select(Case.reference)).one()
    staff.as_role("caseworker")
    _post(client, reference, "status", {"status": "in_review"})
    assert (
        _post(client, reference, "note", {"note": "Internal: call the school"}).status_code == 302
    )
    assert (
        _post(
            client, reference, "message", {"message": "Please bring your permit on Monday."}
        ).status_code
        == 302
    )
    _post(client, reference, "status", {"status": "waiting_for_applicant"})
    page = applicant.get("/ar/status/").get_data(as_text=True)
    assert "Please bring your permit on Monday." in page
    assert "call the school" not in page
    assert (
        len(audit_rows(app, "case_note_added")) == 1
        and len(audit_rows(app, "case_message_sent")) == 1
    )

    # the applicant answers; the case goes back to the caseworker
    token = csrf_token_in(page)
    answer = "سأحضر التصريح يوم الاثنين"
    response = applicant.post("/ar/status/answer", data={"answer": answer, "csrf_token": token})
    assert response.status_code == 303
    case = _case(app, reference)
    assert case.status == "in_review"
    assert case.events[-2].kind == "applicant_message" and case.events[-2].details["text"] == answer
    staff_page = client.get(f"/staff/cases/{reference}").get_data(as_text=True)
    assert answer in staff_page and "call the school" in staff_page
    assert answer in applicant.get("/ar/status/").get_data(as_text=True)


def test_an_empty_or_long_answer_keeps_what_was_typed(app, status_link):  # noqa: F811
    applicant = app.test_client()
    applicant.get(status_link)
    page = applicant.get("/ar/status/").get_data(as_text=True)
    token = csrf_token_in(page)
    empty = applicant.post("/ar/status/answer", data={"answer": "  ", "csrf_token": token})
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.get_data(as_text=True)
    long = "ا" * (workflow.MESSAGE_MAX_LENGTH + 1)
    response = applicant.post("/ar/status/answer", data={"answer": long, "csrf_token": token})
    assert response.status_code == 400 and long in response.get_data(as_text=True)
    with app.app_context():
        assert (
            not db.get_session()
            .scalars(select(CaseEvent).where(CaseEvent.kind == "applicant_message"))
            .all()
        )


def test_a_closed_case_takes_no_more_messages(app, staff, client, status_link):  # noqa: F811
    applicant = app.test_client()
    applicant.get(status_link)
    with app.app_context():
        reference = db.get_session().scalars(select(Case.reference)).one()
    staff.as_role("caseworker")
    _post(client, reference, "status", {"status": "withdrawn"})
    assert _post(client, reference, "message", {"message": "Hello"}).status_code == 400
    page = applicant.get("/ar/status/").get_data(as_text=True)
    assert 'name="answer"' not in page


def test_an_answer_to_a_case_closed_meanwhile_is_kept_on_the_page(app, staff, client, status_link):  # noqa: F811
    applicant = app.test_client()
    applicant.get(status_link)
    page = applicant.get("/ar/status/").get_data(as_text=True)
    token = csrf_token_in(page)
    with app.app_context():
        reference = db.get_session().scalars(select(Case.reference)).one()
    staff.as_role("caseworker")
    _post(client, reference, "status", {"status": "withdrawn"})  # while the applicant writes
    response = applicant.post(
        "/ar/status/answer", data={"answer": "نصي الطويل", "csrf_token": token}
    )
    assert response.status_code == 409
    assert "نصي الطويل" in response.get_data(as_text=True)  # nothing typed is lost
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert all(e.kind != "applicant_message" for e in _case(app, reference).events)


def test_a_new_answer_is_marked_in_the_queue_until_someone_opens_the_case(
    app, staff, client, status_link
):  # noqa: F811
    applicant = app.test_client()
    applicant.get(status_link)
    page = applicant.get("/ar/status/").get_data(as_text=True)
    token = csrf_token_in(page)
    applicant.post("/ar/status/answer", data={"answer": "سؤال", "csrf_token": token})
    with app.app_context():
        reference = db.get_session().scalars(select(Case.reference)).one()
    staff.as_role("caseworker")
    assert "New answer" in client.get("/staff/cases/").get_data(as_text=True)
    client.get(f"/staff/cases/{reference}")
    assert "New answer" not in client.get("/staff/cases/").get_data(as_text=True)


# --- bulk changes and export ---------------------------------------------------------------
def _bulk(client, ids, **data):
    token = _token(client, "/staff/cases/")
    form = {
        "bulk-csrf_token": token,
        "case_ids": [str(i) for i in ids],
        **{f"bulk-{k}": v for k, v in data.items()},
    }
    return client.post("/staff/cases/bulk", data=form)


def test_bulk_assign_and_status_skip_what_is_not_allowed(app, staff, client):
    me = staff.as_role("caseworker")
    ids = [_case(app, make_case(app)).id for _ in range(3)]
    done = _case(app, make_case(app, status="completed")).id
    foreign = _case(app, make_case(app, department="introduction")).id
    assert _bulk(client, [*ids, foreign], action="assign", assignee=str(me)).status_code == 302
    with app.app_context():
        session = db.get_session()
        assert {session.get(Case, i).assignee_id for i in ids} == {me}
        assert session.get(Case, foreign).assignee_id is None
    assert len(audit_rows(app, "case_assigned")) == 3
    response = _bulk(client, [*ids, done], action="status", status="in_review")
    page = client.get(response.location).get_data(as_text=True)
    assert "3 cases were changed" in page and _case(app, make_case(app)).status == "received"
    with app.app_context():
        session = db.get_session()
        assert {session.get(Case, i).status for i in ids} == {"in_review"}
        assert session.get(Case, done).status == "completed"


def test_export_is_scoped_neutralised_and_audited(app, staff, client):
    make_case(app, name='=HYPERLINK("http://evil.example","click")')
    make_case(app, name="+47 trick")
    make_case(app, name="Other Department", department="introduction")
    staff.as_role("caseworker")
    response = client.get("/staff/cases/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    names = [row[5] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","click")' in names and "'+47 trick" in names
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "Other Department" not in response.get_data(as_text=True)
    [entry] = audit_rows(app, "cases_exported")
    assert entry.details["count"] == 2
    client.get("/staff/cases/export.csv?search=Olena+Secret")
    assert "Olena" not in str(
        audit_rows(app, "cases_exported")[-1].details
    )  # only that a search was made


def test_every_export_cell_is_quoted_so_a_semicolon_cannot_start_a_formula():
    text = case_queue.export_csv([None], ["A"], lambda _case: ["Arabic;=cmd|' /C calc'!A0", 7])
    assert text.splitlines() == ['"A"', '"Arabic;=cmd|\' /C calc\'!A0","7"']


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_neutralised(value):
    assert case_queue.neutralise(value).startswith("'")
    assert case_queue.neutralise("Olena") == "Olena"


def test_refusals_use_the_staff_layout_and_say_what_happened(app, staff, client):
    other = make_case(app, department="introduction")
    staff.as_role("reception", ())
    refused = client.get("/staff/cases/")
    assert refused.status_code == 403
    assert "You do not have access to this page" in refused.get_data(as_text=True)
    assert "staff.css" in refused.get_data(as_text=True)
    staff.logout()
    staff.as_role("caseworker", ("settlement",))
    missing = client.get(f"/staff/cases/{other}")
    assert missing.status_code == 404 and "department you do not work in" in missing.get_data(
        as_text=True
    )
    assert missing.headers["Cache-Control"] == "no-store"
    # the login page sends someone already logged in to their start page
    assert client.get("/staff/login").location.endswith("/staff/cases/")


def test_a_case_read_without_saying_what_the_page_shows_refuses_to_query(app):
    """Templates never query: the timeline, its authors and the assignee are loaded by whoever
    loads the case for a page (workflow.load_case(with_timeline=True)); forgetting it fails."""
    make_case(app)
    with app.app_context():
        case = db.get_session().scalars(select(Case)).one()
        for name in ("events", "assignee"):
            with pytest.raises(InvalidRequestError, match="lazy='raise'"):
                getattr(case, name)
        event = db.get_session().scalars(select(CaseEvent)).first()
        with pytest.raises(InvalidRequestError, match="lazy='raise'"):
            event.author  # noqa: B018
