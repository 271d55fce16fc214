"""What a private-link page (status, booking, saved registration) answers when it is reached
without a link that works: what happened, in the person's language, and the form to get a new
link. Never a bare "page not found", and never anything about the case or booking itself."""

from flask import abort, make_response, render_template

from portal.db import get_session
from portal.links.forms import LinkAgainForm
from portal.links.retired import find_retired

KINDS = ("status", "booking", "draft", "any")
# no_link: the page was opened without a link (a bookmark, another phone, cookies cleared);
# unknown: the link is wrong or too old; replaced: a newer link was sent since; sent: a saved
# registration that has been sent (shown with its date and reference).
STATES = ("no_link", "unknown", "replaced", "sent")


def lost_link_page(
    kind: str, state: str, *, reference: str | None = None, sent_on=None, status: int = 404
):
    """The page and its status: 404 by default, so guessing links still counts against the
    lookup limit."""
    assert kind in KINDS and state in STATES
    form = LinkAgainForm(formdata=None, data={"reference": reference or ""})
    page = render_template(
        "links/lost.html", kind=kind, state=state, form=form, reference=reference, sent_on=sent_on
    )
    return page, status


def lost_link_for(kind: str, token: str | None):
    """The lost-link page for a link or cookie that opened nothing: retired links say a newer
    one was sent; no link at all, and unknown ones, say so."""
    if not token:
        return lost_link_page(kind, "no_link")
    replaced = find_retired(get_session(), token) is not None
    return lost_link_page(kind, "replaced" if replaced else "unknown")


def abort_with_lost_link(kind: str, token: str | None):
    """Stop the view here and answer with the lost-link page."""
    abort(make_response(lost_link_for(kind, token)))
