"""The applicant's status page, reached only through a private link."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.cases import labels, services
from portal.cases.forms import AnswerForm
from portal.db import get_session
from portal.i18n.switching import switching_language
from portal.links.exchange import exchange_link_token
from portal.links.pages import abort_with_lost_link
from portal.links.urls import absolute_url
from portal.security import no_store
from portal.security.limits import limiter, lookup_limit, not_found, submit_limit, succeeded

bp = Blueprint("cases", __name__, url_prefix="/<lang>/status")
bp.after_request(no_store)
STATUS_COOKIE, STATUS_COOKIE_MAX_AGE = services.STATUS_COOKIE, services.STATUS_COOKIE_MAX_AGE


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(lookup_limit, deduct_when=not_found)
def show_status():
    """?token=… is exchanged for a cookie and a clean URL; then the cookie finds the case. A
    POST is only the language picker sending the answer form: the page comes back in the new
    language with the answer as typed (nothing is sent)."""
    if request.method == "POST":
        form = AnswerForm()
        if switching_language(form):
            return _status_page(_case_from_cookie(), form)
        return redirect(url_for(".show_status"), 303)
    exchanged = exchange_link_token(
        lambda token: services.case_for_status_token(get_session(), token),
        STATUS_COOKIE, STATUS_COOKIE_MAX_AGE, url_for(".show_status"), "status",
    )  # fmt: skip
    if exchanged:
        return exchanged
    return _status_page(_case_from_cookie(), AnswerForm(formdata=None))


def _case_from_cookie(for_update: bool = False):
    token = request.cookies.get(STATUS_COOKIE)
    case = services.case_for_status_token(get_session(), token, for_update=for_update)
    if case is None:
        abort_with_lost_link("status", token)
    return case


@bp.post("/answer")
@limiter.limit(submit_limit, deduct_when=succeeded)
def answer():
    """The applicant writes back; the case returns to the caseworker if it was waiting."""
    case = _case_from_cookie(for_update=True)
    form = AnswerForm()
    if form.validate_on_submit():
        if services.answer(get_session(), case, form.answer.data):
            flash(_("Thank you. Your answer was sent to the caseworker."))
            return redirect(url_for(".show_status"), 303)
        form.answer.errors.append(
            _(
                "Your case is closed, so we could not send your answer. If you have questions, call us."
            )
        )
        return _status_page(case, form), 409
    return _status_page(case, form), 400


def _status_page(case, form):
    page = services.status_page(get_session(), case)
    return render_template(
        "cases/status.html",
        page=page,
        case=case,
        form=form,
        status_url=absolute_url(".show_status", token=request.cookies.get(STATUS_COOKIE)),
        case_type_labels=labels.CASE_TYPE_LABELS,
        status_labels=labels.STATUS_LABELS,
        status_explanations=labels.STATUS_EXPLANATIONS,
        event_labels=labels.EVENT_LABELS,
    )
