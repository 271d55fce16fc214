"""/healthz: the process answers (liveness). /readyz: it can serve people (readiness): the
database answers at the schema this code expects and takes a write (a heartbeat row committed
for real: a read-only, full or moved-away database is not ready). How rate limits are counted and
how the outbox is doing (messages waiting past their time, a worker not seen lately) are reported
too, without making the host unready: a Redis outage falls back to memory, and a stopped outbox
worker loses nothing (the messages wait for it)."""

import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify

from portal import db
from portal.db import get_session, schema
from portal.notify import outbox
from portal.notify.worker import OUTBOX_WORKER
from portal.profile import clock
from portal.security import limits

bp = Blueprint("health", __name__)
BACKLOG_AFTER = timedelta(minutes=5)
WORKER_SILENT_AFTER = timedelta(minutes=2)
WRITE_CHECK_EVERY = 5  # seconds


def _no_store(response, status: int):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _no_store(jsonify(status="ok"), 200)


def _sqlite_disk_full() -> bool:
    url = current_app.config["DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        return False
    folder = Path(url.removeprefix("sqlite:///")).parent
    return shutil.disk_usage(folder).free < current_app.config["SQLITE_MIN_FREE_BYTES"]


def _database_state() -> str:
    found = db.schema_revision()
    wanted = current_app.extensions["schema_head"]
    if found is None:
        return "unreachable or not migrated"
    if found != wanted:
        return f"schema {found}, this code needs {wanted}"
    if _sqlite_disk_full():
        return "disk full"
    if not _write_works():
        return "cannot write"
    return "ok"


def _write_works() -> bool:
    """A heartbeat committed for real, at most every WRITE_CHECK_EVERY seconds per process: a
    load balancer polling /readyz (or someone hammering it) costs one small write now and then."""
    state = current_app.extensions.setdefault("readiness", {"written_at": None})
    now = time.monotonic()
    if state["written_at"] is not None and now - state["written_at"] < WRITE_CHECK_EVERY:
        return True
    if not db.beat("readyz"):
        state["written_at"] = None
        return False
    state["written_at"] = now
    return True


def _outbox_state(now: datetime) -> dict:
    """ "ok", "backlog" (messages waiting more than BACKLOG_AFTER past their time) or "no worker"
    (no round for WORKER_SILENT_AFTER), with the figures behind it."""
    due, oldest = outbox.due_backlog(get_session(), now)
    seen = db.last_beat(OUTBOX_WORKER)
    state = "ok"
    if seen is None or now - seen > WORKER_SILENT_AFTER:
        state = "no worker"
    elif oldest is not None and now - oldest > BACKLOG_AFTER:
        state = "backlog"
    return {
        "state": state,
        "due": due,
        "oldest_due_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "worker_seen_seconds_ago": int((now - seen).total_seconds()) if seen else None,
    }


@bp.get("/readyz")
def readyz():
    database = _database_state()
    ready = database == "ok"
    response = jsonify(
        status="ready" if ready else "unavailable",
        database=database,
        rate_limits=limits.storage_state(),
        outbox=_outbox_state(clock.now()) if ready else None,
    )
    return _no_store(response, 200 if ready else 503)


def init_app(app: Flask) -> None:
    app.extensions["schema_head"] = schema.head_revision()
    app.register_blueprint(bp)
