"""/k/<token>: a short link from a text message opens its booking, case status page or saved
registration in the recipient's language, through the same cookie exchange as a long link."""

from flask import Blueprint, redirect, url_for

from portal import i18n
from portal.db import get_session
from portal.links.pages import lost_link_page
from portal.links.retired import find_retired
from portal.links.short_links import find_short_link
from portal.security import no_store
from portal.security.limits import limiter, lookup_limit, not_found

bp = Blueprint("short_links", __name__)
bp.after_request(no_store)


def _target_endpoint(link) -> str:
    if link.booking_id is not None:
        return "booking.manage"
    if link.draft_id is not None:
        return "registration.resume"
    return "cases.show_status"


@bp.get("/k/<token>")
@limiter.limit(lookup_limit, deduct_when=not_found)
def follow(token: str):
    session = get_session()
    link = find_short_link(session, token) or find_retired(session, token)
    if link is None:
        i18n.use_locale(i18n.visitor_locale())  # /k/ has no language of its own
        return lost_link_page("any", "unknown")
    # A retired link goes on to its page too, which says that a newer link was sent.
    lang = (i18n.get_locale_by_code(link.locale or "") or i18n.visitor_locale()).code
    return redirect(url_for(_target_endpoint(link), lang=lang, token=token))
