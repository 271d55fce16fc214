"""Rate limits shared through Redis by every worker and host, and kept (in memory, with a
warning) when Redis stops answering: the app keeps serving."""

import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest

from portal.security.limits import limiter
from tests.conftest import free_port

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL")
GUESS = "/uk/status/?token=" + "B" * 43  # a status-link guess: counted, 404


@pytest.fixture(autouse=True)
def _limiter_starts_healthy():
    """The limiter is one object per process; a test that kills its storage must not leave the
    next test counting in the fallback."""
    yield
    limiter._storage_dead = False


def limited_app(make_app, storage_url: str, prefix: str):
    return make_app(
        RATELIMIT_STORAGE_URL=storage_url,
        RATELIMIT_KEY_PREFIX=prefix,
        RATELIMIT_LOOKUPS="3 per minute",
    )


@pytest.mark.skipif(not REDIS_URL, reason="PORTAL_TEST_REDIS_URL is not set (CI sets it)")
def test_hosts_sharing_redis_count_together(make_app):
    prefix = f"test-{uuid.uuid4().hex}"
    first_host = limited_app(make_app, REDIS_URL, prefix)
    assert [first_host.test_client().get(GUESS).status_code for _ in range(3)] == [404] * 3
    # Another host (a new app and a new storage connection) sees the same counts.
    second_host = limited_app(make_app, REDIS_URL, prefix)
    assert second_host.test_client().get(GUESS).status_code == 429
    assert second_host.test_client().get("/readyz").get_json()["rate_limits"] == "redis"


def test_memory_storage_is_per_process(make_app):
    """The contrast: without Redis each process (here: each app) counts on its own."""
    first = limited_app(make_app, "memory://", "memory")
    assert [first.test_client().get(GUESS).status_code for _ in range(3)] == [404] * 3
    second = limited_app(make_app, "memory://", "memory")
    assert second.test_client().get(GUESS).status_code == 404


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of the test's own, so the test can stop it."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait()


def test_redis_going_down_keeps_the_app_serving_and_limiting(make_app, redis_server, caplog):
    process, url = redis_server
    app = limited_app(make_app, url, f"test-{uuid.uuid4().hex}")
    client = app.test_client()
    assert client.get(GUESS).status_code == 404
    assert client.get("/readyz").get_json()["rate_limits"] == "redis"

    process.kill()
    process.wait()
    codes = [client.get(GUESS).status_code for _ in range(4)]
    assert codes[:3] == [404, 404, 404] and codes[3] == 429  # counted again, in memory
    assert client.get("/nb/").status_code == 200
    assert "falling back to in-memory storage" in caplog.text
    ready = client.get("/readyz")
    assert ready.status_code == 200  # a Redis outage does not take the host out of service
    assert ready.get_json()["rate_limits"] == "memory (redis unreachable)"


def test_the_app_starts_and_serves_with_redis_unreachable(make_app, caplog):
    app = limited_app(make_app, f"redis://127.0.0.1:{free_port()}/0", "unreachable")
    assert "rate limit storage unreachable at start" in caplog.text
    client = app.test_client()
    assert client.get("/nb/").status_code == 200
    codes = [client.get(GUESS).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_behind_a_trusted_proxy_each_client_address_has_its_own_budget(make_app):
    proxied = make_app(RATELIMIT_LOOKUPS="3 per minute", TRUSTED_PROXIES=1).test_client()

    def guesses(test_client, address: str) -> list[int]:
        headers = {"X-Forwarded-For": address}
        return [test_client.get(GUESS, headers=headers).status_code for _ in range(4)]

    assert guesses(proxied, "203.0.113.7") == [404, 404, 404, 429]
    assert guesses(proxied, "198.51.100.20")[0] == 404  # another person behind the same proxy
    # Without a trusted proxy, a forged X-Forwarded-For does not buy a fresh budget.
    direct = make_app(RATELIMIT_LOOKUPS="3 per minute").test_client()
    assert guesses(direct, "203.0.113.8") == [404, 404, 404, 429]
    assert guesses(direct, "198.51.100.21") == [429, 429, 429, 429]


def test_a_limit_file_that_cannot_be_written_counts_in_memory_and_says_so(make_app, caplog):
    """Never fail open: while another process holds the file's write lock (or the disk is full)
    this process counts in memory, warns, and /readyz reports it."""
    import sqlite3

    app = make_app(RATELIMIT_LOOKUPS="3 per minute")
    client = app.test_client()
    assert client.get("/readyz").get_json()["rate_limits"] == "file"
    blocker = sqlite3.connect(app.config["RATELIMIT_STORAGE_URI"].removeprefix("sqlite:///"))
    blocker.execute("BEGIN IMMEDIATE")
    try:
        assert [client.get(GUESS).status_code for _ in range(4)] == [404, 404, 404, 429]
        assert client.get("/readyz").get_json()["rate_limits"] == "memory (file unreachable)"
    finally:
        blocker.rollback()
        blocker.close()
    assert any("counting in memory" in r.getMessage() for r in caplog.records)
