"""Bad days: the database unreachable, its disk full, the schema behind the code. People get a
translated 503 page and keep what they typed; /healthz and /readyz tell operators."""

import html
import os
import re
import subprocess
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text

from portal import db
from portal.db import schema
from portal.registration.models import Draft
from tests.conftest import TEST_DATABASE_URL, csrf_token_in
from tests.registration_data import STEPS, fill_in

HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
SEND_AGAIN_FORM = re.compile(r'<form method="post" action="([^"]+)">')


def unreachable_engine():
    """An engine for a database that is not there, of the kind the suite runs on."""
    if TEST_DATABASE_URL:
        return db.make_engine("postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2")
    return db.make_engine("sqlite:////nonexistent-directory/portal.db")


@contextmanager
def database_down(app):
    """The database goes away while the app runs, and comes back afterwards."""
    working = app.extensions["db_engine"]
    app.extensions["db_engine"] = unreachable_engine()
    try:
        yield
    finally:
        app.extensions["db_engine"].dispose()
        app.extensions["db_engine"] = working


def kept_form(page: str) -> tuple[str, dict]:
    """The address and fields of the 503 page's "Send again" form, as a browser would send them."""
    action = html.unescape(SEND_AGAIN_FORM.search(page).group(1))
    fields = {html.unescape(n): html.unescape(v) for n, v in HIDDEN_INPUT.findall(page)}
    return action, fields


def draft_answers(app, step: str) -> dict | None:
    with app.app_context():
        draft = db.get_session().scalars(select(Draft)).one()
        return {row.step: row.data for row in draft.steps}.get(step)


def test_healthz_is_liveness_and_needs_no_database(app):
    with database_down(app):
        response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_reports_a_ready_host(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready", "database": "ok", "rate_limits": "file",
        "outbox": {"state": "no worker", "due": 0, "oldest_due_seconds": None,
                   "worker_seen_seconds_ago": None},
    }  # fmt: skip
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_reports_an_unreachable_database(app, caplog):
    with database_down(app):
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert response.get_json()["database"] == "unreachable or not migrated"
    assert "database check failed" in caplog.text


def test_readyz_refuses_a_schema_behind_the_code(app):
    with app.app_context():
        schema.downgrade(db.get_engine(), "-1")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "this code needs" in response.get_json()["database"]


def test_a_form_sent_while_the_database_is_down_comes_back_to_send_again(app, forms, caplog):
    fill_in(forms, lang="uk", until="reference-person")
    token = forms.csrf_token("/uk/family-registration/reference-person")
    answers = {**STEPS["reference-person"], "csrf_token": token, "action": "continue"}
    with database_down(app):
        response = forms.client.post("/uk/family-registration/reference-person", data=answers)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "120"
    assert '<html lang="uk" dir="ltr">' in page
    assert "Traceback" not in page and "OperationalError" not in page
    action, fields = kept_form(page)
    assert action == "/uk/family-registration/reference-person"
    assert fields == answers  # everything typed, the CSRF token and the button pressed
    assert STEPS["reference-person"]["national_id"] not in caplog.text  # values never logged

    again = forms.client.post(action, data=fields)  # the database is back
    assert again.status_code == 302
    assert draft_answers(app, "reference-person")["full_name"] == "Petro Petrenko"


def test_a_page_read_while_the_database_is_down_is_translated_and_offers_to_try_again(app, forms):
    fill_in(forms, lang="ar", until="reference-person")
    with database_down(app):
        response = forms.client.get("/ar/family-registration/reference-person")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert '<html lang="ar" dir="rtl">' in page
    assert 'href="/ar/family-registration/reference-person"' in page
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_passwords_are_not_written_back_into_the_page(app, client):
    with database_down(app):
        token = csrf_token_in(client.get("/staff/login").get_data(as_text=True))  # fmt: skip
        response = client.post(
            "/staff/login",
            data={"csrf_token": token, "email": "a@example.org", "password": "s3cret-typed-here"},
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "s3cret-typed-here" not in page
    assert kept_form(page)[1]["email"] == "a@example.org"


@pytest.mark.parametrize("code", ["nb", "en", "ckb", "fa-af", "ti"])
def test_the_503_page_speaks_each_language(app, forms, code):
    fill_in(forms, lang=code, until="registrant")
    with database_down(app):
        response = forms.client.get(f"/{code}/family-registration/registrant")
    assert response.status_code == 503
    title = re.search(r"<h1>(.*?)</h1>", response.get_data(as_text=True)).group(1)
    if code != "en":
        assert title != "The service is not available right now"


@pytest.fixture
def small_disk(tmp_path):
    """A real 4 MB file system that a test can fill (a tmpfs; mounting needs root)."""
    if TEST_DATABASE_URL:
        pytest.skip("disk full is a SQLite matter; PostgreSQL runs on its own server")
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system to fill needs root")
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill_up(directory) -> None:
    """Write a file until the disk refuses more."""
    with open(directory / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass


def test_disk_full_on_sqlite_gives_the_503_page_and_keeps_the_answers(make_app, small_disk):
    app = make_app(
        DATABASE_URL=f"sqlite:///{small_disk / 'portal.db'}", SQLITE_MIN_FREE_BYTES=1024 * 1024
    )
    client = app.test_client()
    from tests.conftest import FormFiller

    forms = FormFiller(client)
    fill_in(forms, lang="so", until="reference-person")
    token = forms.csrf_token("/so/family-registration/reference-person")
    with app.app_context(), db.get_engine().connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # no room left in the WAL
    assert client.get("/readyz").status_code == 200
    fill_up(small_disk)
    assert client.get("/readyz").get_json()["database"] == "disk full"
    answers = {**STEPS["reference-person"], "csrf_token": token, "action": "continue"}
    response = client.post("/so/family-registration/reference-person", data=answers)
    assert response.status_code == 503
    assert '<html lang="so" dir="ltr">' in response.get_data(as_text=True)
    action, fields = kept_form(response.get_data(as_text=True))
    assert fields == answers

    (small_disk / "filler").unlink()  # room again
    assert client.get("/readyz").status_code == 200
    assert client.post(action, data=fields).status_code == 302
    assert draft_answers(app, "reference-person")["national_id"] == "15076500565"
    app.extensions["db_engine"].dispose()


# --- issue #12: readiness checks what a write needs; the outbox is reported --------------------


def read_only_engine(app):
    """The same database, opened so that nothing can be written (a read-only mount, a replica
    promoted the wrong way, a revoked grant: writes fail while reads work)."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        return db.make_engine(f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true")
    separator = "&" if "?" in url else "?"
    return db.make_engine(f"{url}{separator}options=-c%20default_transaction_read_only%3Don")


def test_readyz_is_unready_while_the_database_refuses_writes(app, forms):
    from tests.test_booking import FORM, first_free_time

    day, times = first_free_time(forms.client)
    token = forms.csrf_token(f"/uk/book/general/{day}/{times[0]}")
    working = app.extensions["db_engine"]
    app.extensions["db_engine"] = read_only_engine(app)
    try:
        ready = forms.client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["database"] == "cannot write"
        booking = forms.client.post(
            f"/uk/book/general/{day}/{times[0]}", data={**FORM, "csrf_token": token}
        )
        assert booking.status_code == 503  # not "this time was just taken"
        _action, fields = kept_form(booking.get_data(as_text=True))
        assert fields["note"] == FORM["note"]
    finally:
        app.extensions["db_engine"].dispose()
        app.extensions["db_engine"] = working
    assert forms.client.get("/readyz").status_code == 200


def test_a_sqlite_file_moved_away_is_noticed_and_never_replaced_by_an_empty_one(app, client):
    if TEST_DATABASE_URL:
        pytest.skip("a database file is a SQLite matter")
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    assert client.get("/readyz").status_code == 200  # the pool holds a connection to the file
    moved = {name: f"{name}.moved" for name in (path, f"{path}-wal", f"{path}-shm")}
    for name, away in moved.items():
        if os.path.exists(name):
            os.rename(name, away)
    try:
        assert client.get("/readyz").status_code == 503
        assert client.get("/uk/book/general/").status_code == 503  # a page that reads
        assert not os.path.exists(path)  # no new, empty database in its place
    finally:
        for name, away in moved.items():
            if os.path.exists(away):
                os.rename(away, name)
    assert client.get("/readyz").status_code == 200


def test_readyz_reports_an_outbox_backlog_and_a_silent_worker(app, client):
    from datetime import UTC, datetime, timedelta

    from portal.notify.models import OutboxMessage

    assert client.get("/readyz").get_json()["outbox"]["state"] == "no worker"
    with app.app_context():
        db.beat("outbox-worker")
        assert client.get("/readyz").get_json()["outbox"]["state"] == "ok"
        session = db.get_session()
        session.add(OutboxMessage(dedupe_key="test", kind="draft_link", channel="sms",
                                  recipient="+4791234567", locale="nb", status="pending", attempts=0,
                                  next_attempt_at=datetime.now(UTC) - timedelta(minutes=12)))  # fmt: skip
        session.commit()
    ready = client.get("/readyz")
    outbox = ready.get_json()["outbox"]
    assert ready.status_code == 200  # a stopped worker loses nothing: the host still serves
    assert outbox["state"] == "backlog" and outbox["due"] == 1
    assert outbox["oldest_due_seconds"] >= 12 * 60
