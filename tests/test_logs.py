"""One log line per request with a request id, as text or JSON; and the production gunicorn
configuration started for real."""

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portal.logs import JsonFormatter
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "portal.request"]


def test_each_request_is_one_line_with_its_request_id(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/nb/contact?name=Olena&token=private")
    [record] = request_records(caplog)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert record.request_id == response.headers["X-Request-ID"]
    assert (record.method, record.path, record.status) == ("GET", "/nb/contact", 200)
    assert "?" not in record.getMessage() and "Olena" not in record.getMessage()
    assert record.duration_ms >= 0


def test_short_link_tokens_never_reach_the_request_line(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/k/AbCdEfGhIjKlMnOpQrStUv")
    [record] = request_records(caplog)
    assert record.path == "/k/…" and "AbCdEf" not in caplog.text


def test_every_line_written_during_a_request_carries_its_id(make_app, caplog):
    caplog.set_level(logging.INFO)
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def explode():
        raise RuntimeError("boom")

    app.add_url_rule("/nb/explode", "explode", explode)
    response = app.test_client().get("/nb/explode")
    ids = {
        record.request_id
        for record in caplog.records
        if record.name in ("portal", "portal.request")
    }
    assert ids == {response.headers["X-Request-ID"]}


def test_json_lines_for_a_log_collector(make_app, caplog):
    caplog.set_level(logging.INFO)
    client = make_app(LOG_FORMAT="json").test_client()
    response = client.get("/uk/")
    [record] = request_records(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["logger"] == "portal.request" and line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/uk/", 200)
    assert isinstance(line["duration_ms"], float)
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "portal_handler", False))
    assert isinstance(handler.formatter, JsonFormatter)


@pytest.mark.parametrize(
    ("proxies", "incoming", "taken"),
    [(1, "3f2a9c0d1e4b5a6978877665544332211", True), (0, "3f2a9c0d1e4b5a69", False),
     (1, "bad id with spaces", False), (1, "x" * 200, False)],
)  # fmt: skip
def test_a_trusted_proxys_request_id_is_taken_over(make_app, proxies, incoming, taken):
    client = make_app(TRUSTED_PROXIES=proxies).test_client()
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert (response.headers["X-Request-ID"] == incoming) is taken


def test_an_unknown_log_format_is_refused(make_app):
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="PORTAL_LOG_FORMAT"):
        make_app(LOG_FORMAT="xml")


def _get(url: str, headers: dict | None = None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as r:  # noqa: S310 - local
        return r.status, dict(r.headers), r.read()


def _wait_for(port: int, process) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def test_gunicorn_starts_with_the_production_config_and_logs_json(app, database_url, tmp_path):
    """deploy/gunicorn.conf.py for real: workers fork after the app is loaded and each uses its
    own database connections; one JSON line per request, without query strings."""
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_LOG_FORMAT": "json",
        "PORTAL_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "PORTAL_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    command = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
               "--bind", f"127.0.0.1:{port}", "--workers", "2", "--preload", "portal:create_app()"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(port, process)
        status, _, body = _get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and json.loads(body)["database"] == "ok"
        for _ in range(6):  # both workers answer from their own connections
            assert _get(f"http://127.0.0.1:{port}/nb/?utm=secret-query")[0] == 200
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "portal.request"]
    assert len(requests) == 7
    assert all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in requests)
    assert "secret-query" not in stderr
