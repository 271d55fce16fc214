"""Registration pages: parse the form, call a service, render or redirect."""

from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal import i18n
from portal.cases import services as case_services
from portal.cases.services import STATUS_COOKIE
from portal.db import get_session, writing_view
from portal.i18n.switching import switching_language
from portal.links.pages import lost_link_for, lost_link_page
from portal.links.urls import absolute_url
from portal.profile import clock, get_profile
from portal.registration import forms, services, summary
from portal.registration.forms import SEND_LINK_REFUSED
from portal.registration.steps import (
    MAX_MEMBERS,
    MEMBER_STEP,
    SIMPLE_STEPS,
    heading,
    next_after,
    previous_before,
)
from portal.registration.urls import step_url
from portal.security import csrf, no_store, private_cookie
from portal.security.limits import limiter, lookup_limit, not_found, submit_limit, succeeded

bp = Blueprint("registration", __name__, url_prefix="/<lang>/family-registration")
bp.after_request(no_store)
# Every POST here validates a PortalForm, whose CSRF check keeps what was typed (see PortalForm).
csrf.exempt(bp)
DRAFT_COOKIE = "draft"


def _draft_token() -> str | None:
    return request.cookies.get(DRAFT_COOKIE)


def _draft_cookie(token: str) -> dict:
    return private_cookie(DRAFT_COOKIE, token, current_app.config["DRAFT_DAYS"] * 24 * 3600)


def _continue(key: str):
    if request.form.get("action") == "save":
        return redirect(url_for(".saved"))
    if request.args.get("return") == "check":
        return redirect(url_for(".check"))
    return redirect(step_url(next_after(key)))


def _back(key: str) -> str:
    """The back link's target: the check page when the person came from it to change an answer,
    otherwise the step before (the start page before the first)."""
    if request.args.get("return") == "check":
        return url_for(".check")
    previous = previous_before(key)
    return step_url(previous) if previous else url_for(".start")


def draft_required(view):
    """Load the person's draft into g.draft; without one, say what happened (a sent
    registration says it was sent, never "start again") and offer to send the link again."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.draft = services.find_draft(get_session(), _draft_token())
        if g.draft is None:
            return _draft_lost(_draft_token())
        if g.draft.case_id and request.endpoint != "registration.receipt":
            return redirect(url_for(".receipt"))
        return view(*args, **kwargs)

    return wrapper


def _draft_lost(token: str | None):
    """The page for a draft link or cookie that opens no draft."""
    draft = services.draft_of_retired_link(get_session(), token)
    case = draft and services.submitted_case(get_session(), draft)
    if case is not None:
        return lost_link_page("draft", "sent", reference=case.reference, sent_on=case.created_at)
    return lost_link_for("draft", token)


@bp.get("/")
def start():
    """The start page; it also says when this phone has sent a registration (its draft link,
    current or replaced), so nobody registers the same family twice by mistake."""
    session, token = get_session(), _draft_token()
    draft = services.find_draft(session, token)
    sent_from = draft or services.draft_of_retired_link(session, token)
    return render_template(
        "registration/start.html", draft=draft,
        sent_case=sent_from and services.submitted_case(session, sent_from),
        follow_url=url_for(".receipt" if draft else "recovery.request_link"),
    )  # fmt: skip


@bp.route("/eligibility", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"], deduct_when=succeeded)
def eligibility():
    draft = services.find_draft(get_session(), _draft_token())
    form = forms.EligibilityForm(data=draft and services.answers(draft, "eligibility"))
    if switching_language(form) or not form.validate_on_submit():
        return render_template(
            "registration/step.html", form=form, step=SIMPLE_STEPS["eligibility"],
            back_url=_back("eligibility"),
        )  # fmt: skip
    if not form.eligible():
        return redirect(url_for(".not_eligible"))
    token = None
    if draft is None or draft.case_id:
        days = current_app.config["DRAFT_DAYS"]
        draft, token = services.create_draft(get_session(), i18n.current_locale().code, days)
    services.save_step(get_session(), draft, "eligibility", form.data)
    response = _continue("eligibility")
    if token:
        response.set_cookie(**_draft_cookie(token))
    return response


@bp.get("/not-eligible")
def not_eligible():
    return render_template("registration/not_eligible.html", back_url=url_for(".eligibility"))


@bp.route(
    "/<any(registrant, 'reference-person', permit, language, contact):step>",
    methods=["GET", "POST"],
)
@draft_required
def simple_step(step):
    definition = SIMPLE_STEPS[step]
    form = definition.form(data=services.answers(g.draft, step))
    if not switching_language(form) and form.validate_on_submit():
        services.save_step(get_session(), g.draft, step, form.data)
        return _continue(step)
    return render_template(
        "registration/step.html", form=form, step=definition, back_url=_back(step)
    )


@bp.get("/family-members")
@draft_required
def family_members():
    listed = services.members(g.draft)
    if not listed:
        return redirect(url_for(".family_member", position=0))
    return render_template(
        "registration/members.html", members=listed, can_add=len(listed) < MAX_MEMBERS,
        back_url=_back("family-members"),
    )  # fmt: skip


@bp.route("/family-members/<int:position>", methods=["GET", "POST"])
@draft_required
def family_member(position):
    if position > len(services.members(g.draft)) or position >= MAX_MEMBERS:
        abort(404)
    saved = services.answers(g.draft, MEMBER_STEP, position)
    registrant = services.answers(g.draft, "registrant") or {}
    # Someone registering themselves is the first family member: their name is filled in.
    yourself = position == 0 and saved is None and registrant.get("role") == "self"
    if yourself:
        saved = {
            "passport_name": registrant.get("passport_name"),
            "native_name": registrant.get("name"),
        }
    form = forms.FamilyMemberForm(data=saved)
    if not switching_language(form) and form.validate_on_submit():
        services.save_step(get_session(), g.draft, MEMBER_STEP, form.data, position)
        if request.form.get("action") == "save":
            return redirect(url_for(".saved"))
        return redirect(
            url_for(".check" if request.args.get("return") == "check" else ".family_members")
        )
    listed = services.members(g.draft)
    back_url = url_for(".family_members") if listed else _back("family-members")
    if request.args.get("return") == "check":
        back_url = url_for(".check")
    return render_template(
        "registration/member.html", form=form, position=position, back_url=back_url,
        yourself=yourself,
    )  # fmt: skip


@bp.route("/family-members/<int:position>/remove", methods=["GET", "POST"])
@draft_required
def remove_family_member(position):
    """Ask once ("Remove Mariia?", with her relation), then remove and name who was removed."""
    form = forms.RemoveMemberForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("For your safety, the form expired. Please try again."))
            return redirect(url_for(".family_members"))
        removed = services.remove_member(get_session(), g.draft, form.member.data or "")
        if removed is None:
            # A second tap, or the list changed in another tab: nobody else is removed.
            flash(_("Nobody was removed: the list of family members has changed. Check it below."))
        else:
            flash(_removed_notice(_member_name(removed)))
        return redirect(url_for(".family_members"))
    key = services.member_key(g.draft, position)
    if key is None:
        return redirect(url_for(".family_members"))
    member = services.members(g.draft)[position]
    form.member.data = key
    relationships = {choice.value: choice.label for choice in forms.RELATIONSHIPS}
    return render_template(
        "registration/remove_member.html", form=form, member=member, position=position,
        name=_member_name(member), relationship=relationships.get(member.get("relationship")),
        back_url=url_for(".family_members"),
    )  # fmt: skip


def _member_name(member: dict) -> str:
    return member.get("passport_name") or member.get("native_name") or "–"


def _removed_notice(name: str) -> Markup:
    """The notice "Mariia Petrenko was removed.", the name isolated from the text's direction."""
    # i18n: a notice after the person removed a family member from the registration.
    sentence = escape(_("%(name)s was removed."))  # Markup: the name below is escaped
    return sentence % {"name": Markup("<bdi>%s</bdi>") % name}


@bp.get("/check")
@draft_required
def check():
    if services.first_missing_step(g.draft) is not None:
        # Steps not reached yet are not mistakes: show what is done and what is left.
        return redirect(url_for(".progress_page", unfinished=1))
    return render_template(
        "registration/check.html", sections=summary.sections(g.draft), max_members=MAX_MEMBERS,
        back_url=_back("check"),
    )  # fmt: skip


@bp.get("/your-registration")
@draft_required
def progress_page():
    """Where "continue now" and a saved link lead: welcome back, the steps done and not yet,
    and a button to the first step not done (or to the check page)."""
    missing = services.first_missing_step(g.draft)
    steps = [(heading(key), step_url(key), done) for key, done in services.steps_done(g.draft)]
    return render_template(
        "registration/progress.html", steps=steps, next_url=step_url(missing or "check"),
        complete=missing is None, unfinished=bool(request.args.get("unfinished")),
        # After a saved link: the link is new now; show it to keep (the old one stops working).
        resume_url=request.args.get("renewed") and absolute_url("registration.resume", token=_draft_token()),
    )  # fmt: skip


@bp.route("/submit", methods=["GET", "POST"])
@draft_required
@limiter.limit(submit_limit, methods=["POST"], deduct_when=succeeded)
def submit():
    if services.first_missing_step(g.draft) is not None:
        return redirect(url_for(".check"))
    form = forms.SubmitForm()
    if form.validate_on_submit():
        status_token = services.submit(
            get_session(), g.draft, profile=get_profile(),
            secret_key=current_app.config["SECRET_KEY"], locale=i18n.current_locale().code,
        )  # fmt: skip
        response = redirect(url_for(".receipt"))
        # After sending, the receipt stays only until the browser closes (shared phones). Only
        # this browser gets the status link: it holds it in the status cookie; another copy of
        # the draft's link shows that the registration was sent, and how to get the link.
        response.set_cookie(**{**_draft_cookie(_draft_token()), "max_age": None})
        if status_token:
            response.set_cookie(**private_cookie(STATUS_COOKIE, status_token, None))
        return response
    return render_template("registration/submit.html", form=form, back_url=url_for(".check"))


@bp.get("/receipt")
@draft_required
def receipt():
    case = services.submitted_case(get_session(), g.draft)
    if case is None:
        return redirect(url_for(".check"))
    token = request.cookies.get(STATUS_COOKIE)
    holder = case_services.case_for_status_token(get_session(), token)
    if holder is None or holder.id != case.id:  # not the browser that sent it, or a newer link
        return lost_link_page(
            "draft", "sent", reference=case.reference, sent_on=case.created_at, status=200
        )
    status_url = absolute_url("cases.show_status", token=token)
    return render_template("registration/receipt.html", case=case, status_url=status_url)


@bp.route("/saved", methods=["GET", "POST"])
@draft_required
def saved():
    """The saved page; a POST is only the language picker sending the send-link form, which
    comes back in the new language with what was typed (nothing is sent)."""
    form = forms.SendLinkForm()
    if switching_language(form):
        return _saved_page(form)
    if request.method == "POST":
        return redirect(url_for(".saved"), 303)
    return _saved_page(forms.SendLinkForm(formdata=None))


def _saved_page(send_form, status: int = 200):
    resume_url = absolute_url("registration.resume", token=_draft_token())
    return render_template(
        "registration/saved.html", resume_url=resume_url, draft=g.draft,
        form=send_form,
    ), status  # fmt: skip


@bp.post("/send-link")
@limiter.limit(submit_limit, deduct_when=succeeded)
@draft_required
def send_link():
    """The link to this saved registration by SMS and/or e-mail (the message holds a short link
    made when it is sent, nothing the person wrote)."""
    form = forms.SendLinkForm()
    if not form.validate_on_submit():
        return _saved_page(form, 400)
    refusals = services.send_draft_link(
        get_session(), g.draft, locale=i18n.current_locale().code, phone=form.phone.data,
        email=form.email.data, now=clock.now(),
    )  # fmt: skip
    for field_name, refusal in refusals.items():
        form[field_name].errors.append(SEND_LINK_REFUSED[refusal])
    if refusals:
        return _saved_page(form, 429)
    flash(_("We are sending you the link. It can take a few minutes."))
    return redirect(url_for(".saved"))


@bp.get("/resume")
@limiter.limit(lookup_limit, deduct_when=not_found)
@writing_view
def resume():
    """Exchange a private resume link for the draft cookie, then continue on a clean URL."""
    token = request.args.get("token")
    draft = services.find_draft(get_session(), token, for_update=True)
    if draft is None:
        # An older link of the draft this phone holds: its owner, who saved the first link.
        held = services.find_draft(get_session(), _draft_token())
        retired = services.draft_of_retired_link(get_session(), token)
        if held is not None and retired is not None and held.id == retired.id:
            return redirect(url_for(".progress_page", renewed=1))
        return _draft_lost(token)
    if draft.case_id:  # sent: nothing more to protect, and nothing to renew
        response = redirect(url_for(".receipt"))
        response.set_cookie(**_draft_cookie(token))
        return response
    response = redirect(url_for(".progress_page", renewed=1))
    # A new token on every resume: a link someone else sent cannot be used to read what this
    # person writes afterwards. (The "save" page always shows the current link.)
    response.set_cookie(**_draft_cookie(services.renew_token(get_session(), draft)))
    return response


@bp.route("/delete", methods=["GET", "POST"])
@draft_required
def delete_draft():
    """Asked once ("Delete all your answers?"), then everything goes at once."""
    form = forms.DeleteDraftForm()
    if request.method == "GET" or not form.validate_on_submit() or form.confirm.data != "yes":
        if request.method == "POST" and form.errors:
            flash(_("For your safety, the form expired. Please try again."))
        return render_template(
            "registration/delete.html", form=form, members=len(services.members(g.draft)),
            back_url=url_for(".saved"),
        )  # fmt: skip
    services.delete_draft(get_session(), g.draft)
    flash(_("Your draft has been deleted."))
    response = redirect(url_for(".start"))
    response.delete_cookie(DRAFT_COOKIE)
    return response
