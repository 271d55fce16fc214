"""The applicant's status page, reached only through a private link."""

from flask import Blueprint, abort, render_template, request, url_for

from portal.cases import labels, services
from portal.db import get_session
from portal.limits import limiter, lookup_limit, not_found
from portal.private_links import exchange_link_token
from portal.security import no_store

bp = Blueprint("cases", __name__, url_prefix="/<lang>/status")
bp.after_request(no_store)
STATUS_COOKIE = "case_status"
STATUS_COOKIE_MAX_AGE = 365 * 24 * 3600


@bp.get("/")
@limiter.limit(lookup_limit, deduct_when=not_found)
def show_status():
    """?token=… is exchanged for a cookie and a clean URL; then the cookie finds the case."""
    exchanged = exchange_link_token(
        lambda token: services.case_for_status_token(get_session(), token),
        STATUS_COOKIE, STATUS_COOKIE_MAX_AGE, url_for(".show_status"),
    )  # fmt: skip
    if exchanged:
        return exchanged
    case = services.case_for_status_token(get_session(), request.cookies.get(STATUS_COOKIE))
    if case is None:
        abort(404)
    return render_template(
        "cases/status.html",
        case=case,
        timeline=services.applicant_timeline(case),
        case_type_labels=labels.CASE_TYPE_LABELS,
        status_labels=labels.STATUS_LABELS,
        status_explanations=labels.STATUS_EXPLANATIONS,
        event_labels=labels.EVENT_LABELS,
    )
