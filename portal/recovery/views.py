"""/<lang>/link-again/: the form, and the answer that is the same whether or not it matched."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from portal import clock, references, validation
from portal.db import get_session
from portal.limits import limiter
from portal.links.forms import LinkAgainForm
from portal.recovery import services
from portal.security import csrf, no_store

bp = Blueprint("recovery", __name__, url_prefix="/<lang>/link-again")
bp.after_request(no_store)
csrf.exempt(bp)  # LinkAgainForm (a PortalForm) checks CSRF and keeps what was typed
OUTCOMES = ("sent", "recipient_limit", "paused")


def per_address_limit() -> str:
    return current_app.config["RATELIMIT_LINK_REQUESTS"]


def per_target_limit() -> str:
    return current_app.config["RATELIMIT_LINK_REQUESTS_PER_TARGET"]


def _target_key() -> str:
    """The reference asked about (or, for a saved registration, the address), however typed."""
    reference = references.normalise(request.form.get("reference", ""))
    contact = validation.parse_contact(request.form.get("contact", ""))
    return "link-again:" + (reference or (contact[1] if contact else "?"))


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(per_address_limit, methods=["POST"])
@limiter.limit(per_target_limit, methods=["POST"], key_func=_target_key)
def request_link():
    form = LinkAgainForm()
    if not form.validate_on_submit():
        return render_template("recovery/request.html", form=form), 400 if form.errors else 200
    outcome = services.request_new_link(
        get_session(), form.normalised_reference, form.parsed_contact, clock.now()
    )
    return redirect(url_for(".answer", outcome=outcome), 303)


@bp.get("/sent")
def answer():
    outcome = request.args.get("outcome")
    return render_template("recovery/sent.html", outcome=outcome if outcome in OUTCOMES else "sent")
