"""/<lang>/link-again/: the form, and the answer that is the same whether or not it matched."""

import time

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from portal.db import get_session
from portal.forms import validation
from portal.i18n.switching import SWITCH_FIELD, switching_language
from portal.links import references
from portal.links.forms import LinkAgainForm
from portal.links.tokens import keyed_hash
from portal.profile import clock
from portal.recovery import services
from portal.security import csrf, no_store
from portal.security.limits import limiter

bp = Blueprint("recovery", __name__, url_prefix="/<lang>/link-again")
bp.after_request(no_store)
csrf.exempt(bp)  # LinkAgainForm (a PortalForm) checks CSRF and keeps what was typed
OUTCOMES = ("sent", "paused")


def per_address_limit() -> str:
    return current_app.config["RATELIMIT_LINK_REQUESTS"]


def per_target_limit() -> str:
    return current_app.config["RATELIMIT_LINK_REQUESTS_PER_TARGET"]


def _target_key() -> str:
    """The reference and the address asked about, however typed, as a keyed hash: what is
    counted (and what the limiter may log) names nobody, and someone who knows only a reference
    cannot use up its owner's attempts."""
    reference = references.normalise(request.form.get("reference", "")) or ""
    contact = validation.parse_contact(request.form.get("contact", ""))
    asked = f"{reference}|{contact[1] if contact else request.form.get('contact', '')}"
    return "link-again:" + keyed_hash(current_app.config["SECRET_KEY"], "link-again", asked)


def _answered(response) -> bool:
    """Only a complete, valid request counts against its target (a form sent back with
    mistakes, or without its CSRF token, does not)."""
    return response.status_code == 303


def _asked(response) -> bool:
    """Every POST counts against the address except a language switch: the picker sends the
    form to show it in another language, and that asks nothing (a switch without a good CSRF
    token is refused before anything is looked up, so the field cannot buy free lookups)."""
    return not request.form.get(SWITCH_FIELD)


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(per_address_limit, methods=["POST"], deduct_when=_asked)
@limiter.limit(per_target_limit, methods=["POST"], key_func=_target_key, deduct_when=_answered)
def request_link():
    form = LinkAgainForm()
    if switching_language(form):
        return render_template("recovery/request.html", form=form)
    if not form.validate_on_submit():
        return render_template("recovery/request.html", form=form), 400 if form.errors else 200
    started = time.monotonic()
    outcome = services.request_new_link(
        get_session(), form.normalised_reference, form.parsed_contact, clock.now()
    )
    # The same answer, after the same time, whether or not the details matched something.
    time.sleep(
        max(0.0, current_app.config["LINK_AGAIN_ANSWER_SECONDS"] - (time.monotonic() - started))
    )
    return redirect(url_for(".answer", outcome=outcome), 303)


@bp.get("/sent")
def answer():
    outcome = request.args.get("outcome")
    return render_template("recovery/sent.html", outcome=outcome if outcome in OUTCOMES else "sent")
