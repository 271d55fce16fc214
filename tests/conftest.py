"""Fixtures: an app per test on a fresh database (SQLite file, or PostgreSQL when configured)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pyotp
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from portal import create_app, db
from portal.config import ROOT
from portal.db import schema
from portal.profile import clock
from portal.staff import session as staff_session


def _database_of_this_worker(url: str | None) -> str | None:
    """With pytest-xdist (`make test` runs `pytest -n auto`) each worker gets a PostgreSQL
    database of its own, made beside the one named (test -> test_gw0), so workers never empty
    each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker or not url.startswith("postgresql"):
        return url
    named = make_url(url)
    own = named.set(database=f"{named.database}_{worker}")
    engine = db.make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


TEST_DATABASE_URL = _database_of_this_worker(os.environ.get("PORTAL_TEST_DATABASE_URL"))
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


def _drop_every_table(url: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()


def _migrate(url: str) -> None:
    engine = db.make_engine(url)
    schema.upgrade(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_schema(tmp_path_factory) -> Path | None:
    """The schema, built once per test session by the real migrations (tests/test_migrations.py
    runs them again, up and down): a SQLite file each test gets a copy of, or, on PostgreSQL,
    the test database itself, emptied between tests."""
    if TEST_DATABASE_URL:
        _drop_every_table(TEST_DATABASE_URL)
        _migrate(TEST_DATABASE_URL)
        return None
    template = tmp_path_factory.mktemp("schema") / "template.db"
    _migrate(f"sqlite:///{template}")
    return template


def _empty_postgresql(url: str) -> None:
    """Every table emptied (the schema stays); rebuilt when a test left it elsewhere than at the
    newest migration (the migration tests go down and up)."""
    engine = db.make_engine(url)
    with engine.begin() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if version == schema.head_revision() and tables:
            names = ", ".join(f'"{table}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            engine.dispose()
            return
    engine.dispose()
    _drop_every_table(url)
    _migrate(url)


@pytest.fixture
def database_url(tmp_path, migrated_schema) -> str:
    """A fresh database at the newest migration for each test."""
    if TEST_DATABASE_URL:
        _empty_postgresql(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    copy = tmp_path / "portal.db"
    shutil.copyfile(migrated_schema, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def make_app(database_url, tmp_path):
    """Factory: an app with test settings, overridable per test, on the test's database. A test
    that points an app at another database gets it migrated."""
    apps = []

    def _make(**overrides):
        config = {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "DATABASE_URL": database_url,
            "ARGON2_CHEAPEST": True,
            "INSTANCE_DIR": str(tmp_path / "instance"),
            # Most staff tests log in with a password only; the TOTP tests turn this on.
            "STAFF_TOTP_REQUIRED": False,
        }
        config.update(overrides)
        app = create_app(config)
        if config["DATABASE_URL"] != database_url:
            with app.app_context():
                schema.upgrade(db.get_engine())
        apps.append(app)
        return app

    yield _make
    for app in apps:
        app.extensions["db_engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def pages_copy(tmp_path) -> Path:
    """A private copy of translations/ that a test may change."""
    target = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", target, ignore=shutil.ignore_patterns("*.mo"))
    return target


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class FormFiller:
    """Posts forms the way a browser does: first GET the page, then send its CSRF token."""

    def __init__(self, client):
        self.client = client

    def csrf_token(self, path: str) -> str:
        html = self.client.get(path).get_data(as_text=True)
        return CSRF_INPUT.search(html).group(1)

    def post(self, path: str, data: dict, token_from: str | None = None, **kwargs):
        data = {**data, "csrf_token": self.csrf_token(token_from or path)}
        return self.client.post(path, data=data, **kwargs)


@pytest.fixture
def forms(client):
    return FormFiller(client)


STAFF_PASSWORD = "correct horse battery staple"


class StaffLogin:
    """Creates staff accounts and logs in through the real login form."""

    def __init__(self, app, client):
        self.app = app
        self.client = client
        self.forms = FormFiller(client)
        self._count = 0
        self.english(client)

    @staticmethod
    def english(client):
        """Staff pages in English, the source language, so tests can read their messages
        (Norwegian is the default: see test_staff_auth.py)."""
        client.set_cookie("staff_lang", "en")

    def account(
        self,
        role="caseworker",
        departments=("settlement",),
        email=None,
        name=None,
        password=STAFF_PASSWORD,
    ):
        from portal.staff.services import create_or_update_account

        self._count += 1
        email = email or f"{role}{self._count}@example.org"
        with self.app.app_context():
            session = db.get_session()
            account = create_or_update_account(
                session,
                self.app.extensions["profile"],
                email=email,
                name=name or f"{role.title()} Number{self._count}",
                role=role,
                departments=list(departments),
                password=password,
            )
            session.commit()
            return account.id, email

    def login(self, email, password=STAFF_PASSWORD):
        self.english(self.forms.client)
        return self.forms.post("/staff/login", {"email": email, "password": password})

    def as_role(self, role="caseworker", departments=("settlement",)):
        """A new account of that role, logged in; returns its id."""
        account_id, email = self.account(role, departments)
        response = self.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return account_id

    def logout(self):
        return self.forms.post("/staff/logout", {}, token_from="/staff/account")


@pytest.fixture
def staff(app, client):
    return StaffLogin(app, client)


def free_port() -> int:
    """A local TCP port nobody listens on (for servers a test starts itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def form_key(app, key: str | None = None) -> dict:
    """The keyword arguments a booking form gives the booking service: a new one-time form key
    (or the given one, to send "the same form" again) and the app's secret key."""
    from portal.links.tokens import new_token

    return {"form_key": key or new_token(), "secret_key": app.config["SECRET_KEY"]}


def wait_for_port(port: int, process=None, seconds: float = 30) -> None:
    """Until something listens on the port (or the process that should has died)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server stopped (exit status {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


@pytest.fixture
def gunicorn(database_url, tmp_path, app):
    """Factory: the app under a real gunicorn (deploy/gunicorn.conf.py) with several workers, on
    the test's database (migrated by the `app` fixture); returns its base URL. Extra arguments
    go to gunicorn, extra environment variables to the app. Stopped after the test; its output
    is in tmp_path/gunicorn.log."""
    processes = []

    def _start(*arguments: str, workers: int = 3, **environment: str) -> str:
        port = free_port()
        env = {**os.environ, "PORTAL_DATABASE_URL": database_url,
               "PORTAL_SECRET_KEY": TEST_SECRET_KEY,
               "PORTAL_INSTANCE_DIR": str(tmp_path / "instance"), **environment}  # fmt: skip
        log = open(tmp_path / "gunicorn.log", "a")  # noqa: SIM115 - closed with the process
        command = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
                   "--bind", f"127.0.0.1:{port}", "--workers", str(workers), *arguments,
                   "portal:create_app()"]  # fmt: skip
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        processes.append((process, log))
        wait_for_port(port, process)
        return f"http://127.0.0.1:{port}"

    yield _start
    for process, log in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def audit_rows(app, action: str | None = None) -> list:
    """The audit log's entries (of one action), oldest first."""
    from portal.audit.models import AuditEntry

    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(db.get_session().scalars(query))


def portal_lines_outside(folder: str, pattern: str, unless: str | None = None) -> list[str]:
    """ "module:line" of every line of portal/ (not in the package `folder`) that matches
    `pattern` and does not contain `unless`: for tests that keep one job in one place."""
    package = ROOT / "portal"
    return [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if path.parent.name != folder
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(pattern, line) and not (unless and unless in line)
    ]


def csrf_token_in(html: str, prefix: str = "") -> str:
    """The CSRF token of a page's form (`prefix`: a form field prefix such as "bulk-")."""
    return re.search(rf'name="{prefix}csrf_token"[^>]*value="([^"]+)"', html).group(1)


# --- clocks ---------------------------------------------------------------------------------
class MovedTime:
    """Moves the clocks the login code reads: portal.staff.session's time.time (session ages,
    the pending second step) and portal.profile.clock.now (lockout, TOTP codes), together."""

    def __init__(self, monkeypatch):
        self.offset = 0.0
        real_time, real_now = time.time, clock.now
        monkeypatch.setattr(
            staff_session, "time", SimpleNamespace(time=lambda: real_time() + self.offset)
        )
        monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(seconds=self.offset))

    def forward(self, **delta) -> None:
        self.offset += timedelta(**delta).total_seconds()


@pytest.fixture
def later(monkeypatch) -> MovedTime:
    return MovedTime(monkeypatch)


class FrozenClock:
    """clock.now stands still (so TOTP steps are exact) until moved; the middle of a 30 s step."""

    def __init__(self, monkeypatch):
        self.moment = datetime.fromtimestamp(int(time.time()) // 30 * 30 + 15, UTC)
        monkeypatch.setattr(clock, "now", lambda: self.moment)

    def forward(self, **delta) -> None:
        self.moment += timedelta(**delta)

    def code(self, secret: str, steps: int = 0) -> str:
        """The code of the current time step, or `steps` later (negative: earlier)."""
        return pyotp.TOTP(secret).at(self.moment + timedelta(seconds=30 * steps))


@pytest.fixture
def frozen(monkeypatch) -> FrozenClock:
    return FrozenClock(monkeypatch)
