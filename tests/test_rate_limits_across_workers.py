"""Rate limits hold whichever worker answers (issue #12): a real gunicorn with several worker
processes, on the embedded default (a file every worker shares) and on Redis. Each request is a
new connection, so the kernel hands it to any worker; the access log shows several answered."""

import http.client
import os
import re
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import CSRF_INPUT

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL")
# gunicorn's own access log for these tests only: which worker (pid) gave which status.
BY_WORKER = ("--access-logfile", "-", "--access-logformat", "worker=%(p)s status=%(s)s")


def request(base: str, method: str, path: str, body: str | None = None, headers=None):
    """One request on a connection of its own; returns (status, headers, text)."""
    address = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def workers_that_answered(log_path, status: int) -> set[str]:
    text = log_path.read_text()
    return set(re.findall(rf"worker=<(\d+)> status={status}\b", text))


def in_threes(count: int, send) -> list[int]:
    """`count` requests, three at a time: three sync workers are busy at once, so every worker
    answers some of them whatever else the machine is doing."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = []
        for start in range(0, count, 3):
            statuses += list(pool.map(send, range(start, min(start + 3, count))))
    return statuses


def wrong_link_lookups(base: str, count: int) -> list[int]:
    return in_threes(count, lambda n: request(base, "GET", f"/k/{'Q' * 21}{n % 10}")[0])


def wrong_staff_logins(base: str, count: int) -> list[int]:
    """A browser that loads the login form once, then sends a wrong password again and again."""
    _status, headers, page = request(base, "GET", "/staff/login")
    cookie = headers["Set-Cookie"].split(";")[0]
    body = urllib.parse.urlencode({"csrf_token": CSRF_INPUT.search(page).group(1),
                                   "email": "nobody@example.org", "password": "wrong password!"})  # fmt: skip
    form = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    return in_threes(count, lambda _n: request(base, "POST", "/staff/login", body, form)[0])


@pytest.mark.parametrize(
    "storage",
    [
        pytest.param({}, id="shared-file"),
        pytest.param(
            {"PORTAL_RATELIMIT_STORAGE_URL": REDIS_URL},
            id="redis",
            marks=pytest.mark.skipif(not REDIS_URL, reason="PORTAL_TEST_REDIS_URL is not set"),
        ),
    ],
)
def test_the_limit_holds_across_gunicorn_workers(gunicorn, tmp_path, storage):
    base = gunicorn(*BY_WORKER, workers=3, PORTAL_RATELIMIT_KEY_PREFIX=uuid.uuid4().hex, **storage)
    # 30 wrong link lookups a minute (RATELIMIT_LOOKUPS). A lookup is counted after its answer
    # (only one that finds nothing counts), so three at once at the edge may let one or two more
    # through: "about 31", never per worker (3 workers counting alone would let 90 through).
    lookups = wrong_link_lookups(base, 45)
    first_refused = lookups.index(429)
    assert 30 <= first_refused <= 32 and set(lookups[first_refused + 3 :]) == {429}
    # 20 wrong staff logins a minute from one address (RATELIMIT_LOGINS), counted before the
    # answer in one atomic step: exactly 20.
    assert sorted(wrong_staff_logins(base, 24)) == [401] * 20 + [429] * 4
    log = tmp_path / "gunicorn.log"
    assert len(workers_that_answered(log, 404)) > 1 and len(workers_that_answered(log, 429)) > 1
