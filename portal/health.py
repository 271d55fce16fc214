"""/healthz: the app answers and its database answers."""

from flask import Blueprint, Flask, jsonify

from portal import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    healthy = db.ping()
    response = jsonify(status="ok" if healthy else "unavailable", database=healthy)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
