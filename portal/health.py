"""/healthz: the process answers (liveness). /readyz: it can serve people (readiness): the
database answers at the schema this code expects; how rate limits are counted is reported too,
but a Redis outage does not make a host unready (limits fall back to memory)."""

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


@bp.get("/readyz")
def readyz():
    found = db.schema_revision()
    wanted = current_app.extensions["schema_head"]
    if found is None:
        database = "unreachable or not migrated"
    elif found != wanted:
        database = f"schema {found}, this code needs {wanted}"
    else:
        database = "ok"
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
