"""The embedded default as `make run` serves it (deploy/run-local): nginx buffering in front of
gunicorn's sync workers, and an outbox worker that is started again when it stops (issue #12)."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_SECRET_KEY, free_port, wait_for_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(
    not NGINX, reason="nginx is not installed (apt-get install nginx-light)"
)


@pytest.fixture
def local_server(app, database_url, tmp_path):
    """deploy/run-local on the test's migrated database; returns (base URL, its process)."""
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port),
           "BIN": str(Path(os.sys.executable).parent), "PORTAL_DATABASE_URL": database_url,
           "PORTAL_SECRET_KEY": TEST_SECRET_KEY, "PORTAL_INSTANCE_DIR": str(tmp_path / "instance")}  # fmt: skip
    log = open(tmp_path / "run-local.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen([str(ROOT / "deploy" / "run-local")], env=env, stdout=log,
                               stderr=log, start_new_session=True)  # fmt: skip
    try:
        wait_for_port(port, process)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: get(base, "/readyz")[0] == 200)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
        leftovers = [pid for pid in descendants(process.pid) if Path(f"/proc/{pid}").exists()]
        os.killpg(process.pid, signal.SIGKILL) if leftovers else None
        assert not leftovers, "run-local left processes behind"


def get(base: str, path: str, timeout: float = 5):
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as response:  # noqa: S310 - local
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isascii() and entry.name.isdecimal():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def outbox_workers(pid: int) -> set[int]:
    return {
        child
        for child in descendants(pid)
        if b"outbox" in Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        and b"python" in Path(f"/proc/{child}/cmdline").read_bytes()
    }


def test_slow_clients_do_not_stop_the_embedded_server(local_server):
    """Far more slow clients than gunicorn has workers, each sending a header line every 2 s:
    nginx holds them; every other request is answered at once."""
    base, _process = local_server
    port = int(base.rsplit(":", 1)[1])
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
    stop = threading.Event()

    def drip():
        while not stop.wait(2):
            for connection in slow:
                with contextlib.suppress(OSError):
                    connection.send(b"X-Slow: 1\r\n")

    for connection in slow:
        connection.send(b"GET /nb/ HTTP/1.1\r\nHost: localhost\r\n")
    threading.Thread(target=drip, daemon=True).start()
    try:
        for _ in range(5):
            started = time.monotonic()
            assert get(base, "/healthz", timeout=3)[0] == 200
            assert time.monotonic() - started < 1.5
            time.sleep(1)
    finally:
        stop.set()
        for connection in slow:
            connection.close()


def test_a_huge_body_is_refused_by_the_proxy(local_server):
    base, _process = local_server
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.send(b"POST /uk/link-again/ HTTP/1.1\r\nHost: localhost\r\n"
                        b"Transfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n")  # fmt: skip
        chunk = b"a" * 65536
        try:
            for _ in range(200):  # up to 13 MB; nginx answers long before
                connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass
        answer = connection.recv(200)
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_forged_forwarded_for_buys_no_extra_attempts(local_server):
    """nginx replaces X-Forwarded-For with the client's address: the limit holds."""
    base, _process = local_server
    statuses = []
    for n in range(32):
        request = urllib.request.Request(
            base + f"/k/{'Q' * 22}", headers={"X-Forwarded-For": f"10.0.0.{n}"}
        )
        try:
            statuses.append(urllib.request.urlopen(request, timeout=5).status)  # noqa: S310
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    assert statuses == [404] * 30 + [429] * 2


def test_a_killed_outbox_worker_is_started_again(local_server):
    base, process = local_server

    def worker_seen() -> int | None:
        return json.loads(get(base, "/readyz")[1])["outbox"]["worker_seen_seconds_ago"]

    wait_until(lambda: worker_seen() is not None and len(outbox_workers(process.pid)) == 1)
    (first,) = outbox_workers(process.pid)
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: outbox_workers(process.pid) - {first})
    time.sleep(1)
    wait_until(lambda: worker_seen() <= 1)  # the new worker's own round
