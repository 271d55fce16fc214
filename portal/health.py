"""/healthz: the process answers (liveness). /readyz: it can serve people (readiness): the
database answers at the schema this code expects and, for SQLite, its disk has room to write; how
rate limits are counted is reported too, but a Redis outage does not make a host unready (limits
fall back to memory)."""

import shutil
from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify

from portal import db, limits, schema

bp = Blueprint("health", __name__)


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
    return "ok"


@bp.get("/readyz")
def readyz():
    database = _database_state()
    ready = database == "ok"
    response = jsonify(
        status="ready" if ready else "unavailable",
        database=database,
        rate_limits=limits.storage_state(),
    )
    return _no_store(response, 200 if ready else 503)


def init_app(app: Flask) -> None:
    app.extensions["schema_head"] = schema.head_revision()
    app.register_blueprint(bp)
