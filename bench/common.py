"""Helpers shared by the benchmarks: free ports, gunicorn, plain HTTP, percentiles."""

import http.client
import os
import random
import re
import runpy
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
POOL_THREADS = 256  # open-loop visits in flight at once
GIVE_UP_SECONDS = 20  # a request not sent this long after its time counts as failed
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_workers() -> int:
    """The worker count deploy/gunicorn.conf.py gives this machine."""
    return runpy.run_path(str(GUNICORN_CONFIG))["workers"]


def start_gunicorn(
    app_spec: str, port: int, workers: int | None, env: dict, config=None, output=None
) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:port; with `config` (a gunicorn.conf.py) its settings apply and
    workers=None keeps its worker count (command-line options win over the file). `output`: a
    file for everything gunicorn and the app write (the app's request log, errors)."""
    options = ["--config", str(config)] if config else []
    options += ["--workers", str(workers)] if workers else []
    log = open(output, "ab") if output else None  # noqa: SIM115 - the child keeps it open
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), *options, "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app_spec],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log,
    )  # fmt: skip
    if log:
        log.close()  # the child has its own copy
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn for {app_spec} did not start")


def request(port, method, path, body=None, headers=None):
    """One request on a new connection (gunicorn's sync workers close it anyway)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.getheaders(), data


class BrowserSession:
    """One visitor's requests with its own cookies, as a browser keeps them (by name; a cookie
    set empty or with Max-Age=0 is dropped). Forms are sent URL-encoded."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in list(self.cookies.items()))}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, data = request(self.port, method, path, body, headers)
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.split(";", 1)[0].partition("=")
                if rest and "max-age=0" not in value.lower():
                    self.cookies[key.strip()] = rest
                else:
                    self.cookies.pop(key.strip(), None)
        return status, response_headers, data


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children, e.g. gunicorn and its
    workers: less disturbed by other load on a shared machine than latency is. Linux only."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    ticks = 0
    for process in (pid, *map(int, children)):
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def csrf_token(html: bytes) -> str:
    return CSRF.search(html).group(1).decode()


def staff_login(port: int, email: str, password: str) -> BrowserSession:
    """A staff session logged in through the login form (PORTAL_STAFF_TOTP_REQUIRED=false)."""
    session = BrowserSession(port)
    _, _, page = session.send("GET", "/staff/login")
    form = {"csrf_token": csrf_token(page), "email": email, "password": password}
    status, _, _ = session.send("POST", "/staff/login", form)
    assert status == 302, f"staff login failed: {status}"
    return session


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))]


def portal_cli(env: dict, *args: str) -> None:
    subprocess.run([str(VENV_BIN / "portal"), *args], cwd=ROOT, env={**os.environ, **env},
                   check=True, capture_output=True)  # fmt: skip


def reset_postgresql(database_url: str) -> None:
    """Drop every table of a PostgreSQL benchmark database (SQLite runs get a new file)."""
    from sqlalchemy import create_engine, inspect, text

    if not database_url.startswith("postgresql"):
        return
    engine = create_engine(database_url)
    with engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()


def create_staff(env: dict, email: str, password: str, role: str, departments: list[str]) -> None:
    """`portal staff create`, the password on standard input as an operator would give it."""
    subprocess.run(
        [str(VENV_BIN / "portal"), "staff", "create", "--email", email, "--name", "Bench Staff",
         "--role", role, *(f"--department={d}" for d in departments), "--password-stdin"],
        input=password + "\n", text=True, check=True, capture_output=True, cwd=ROOT,
        env={**os.environ, **env},
    )  # fmt: skip


class GiveUp(Exception):
    """A visit stops at its first failed request, as a person would at an error page."""


@dataclass
class Tally:
    """What an open-loop run recorded."""

    requests: list = field(default_factory=list)  # (kind, seconds, ok)
    outcomes: list = field(default_factory=list)  # what the actions counted ("booked", …)
    problems: list = field(default_factory=list)  # what went wrong, for the report


class Visit:
    """One visitor's requests in order (own cookies), each recorded in the tally with its latency.
    `site` is anything with a `port`, plus whatever the visit's action reads from it."""

    def __init__(self, site, scheduled, tally, seed_value):
        self.site, self.ready, self.tally = site, scheduled, tally
        self.rng, self.session = random.Random(seed_value), BrowserSession(site.port)

    def call(self, kind, method, path, form=None, expect=(200,), bad=None):
        """Send one request; a status not in `expect`, or `bad` in a 200 page, is an error."""
        if time.perf_counter() - self.ready > GIVE_UP_SECONDS:
            self.tally.requests.append((kind, GIVE_UP_SECONDS, False))
            raise GiveUp(f"{kind}: not sent, the client fell {GIVE_UP_SECONDS} s behind")
        try:
            status, _, body = self.session.send(method, path, form)
        except (OSError, http.client.HTTPException) as error:  # refused, reset, cut short
            status, body = repr(error), b""
        now = time.perf_counter()
        ok = status in expect and not (bad and status == 200 and bad in body)
        self.tally.requests.append((kind, now - self.ready, ok))
        self.ready = now
        if not ok:
            raise GiveUp(f"{method} {path}: {status}")
        return status, body


def _visit_one(action, site, scheduled, tally, seed_value):
    try:
        action(Visit(site, scheduled, tally, seed_value))
    except GiveUp as problem:
        tally.problems.append(str(problem))
    except Exception as error:  # noqa: BLE001 - a page without what the visit needs
        tally.requests.append((action.__name__, 0.0, False))
        tally.problems.append(f"{action.__name__}: {error!r}")


def open_loop(site, mix, rate: float, seconds: float) -> tuple[Tally, float]:
    """Open-loop load: start visits on a fixed schedule, so that requests arrive at `rate` per
    second whatever the responses do (queueing shows in the latency: no coordinated omission).
    `mix` holds (action, visits in a deck, requests per visit); the deck is shuffled and dealt
    in turn, so every run offers the exact proportions. Returns the tally and the seconds from
    the first scheduled request to the last response."""
    deck = [action for action, visits, _ in mix for _ in range(visits)]
    per_visit = sum(visits * count for _, visits, count in mix) / len(deck)
    shuffler, tally = random.Random(7), Tally()
    with ThreadPoolExecutor(POOL_THREADS) as pool:
        start = time.perf_counter() + 0.05
        for number in range(round(rate * seconds / per_visit)):
            if number % len(deck) == 0:
                shuffler.shuffle(deck)  # the exact mix in every len(deck) visits
            scheduled = start + number * per_visit / rate
            time.sleep(max(0.0, scheduled - time.perf_counter()))
            pool.submit(_visit_one, deck[number % len(deck)], site, scheduled, tally, number)
    return tally, time.perf_counter() - start


def latency_stats(entries) -> dict:
    """Count, errors and p50/p95/p99 in ms of (kind, seconds, ok) entries."""
    times = sorted(seconds * 1000 for _, seconds, _ in entries)
    return {"count": len(times), "errors": sum(not ok for *_, ok in entries),
            **{name: percentile(times, share) for name, share in
               (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}}  # fmt: skip
