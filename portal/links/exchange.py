"""Private links (status, draft, booking): a token in the URL, exchanged at once for an HttpOnly
cookie and a redirect to a clean address, so the token stays out of history, logs and referrers."""

from collections.abc import Callable

from flask import redirect, request

from portal.links.pages import lost_link_for
from portal.security import private_cookie


def exchange_link_token(
    find: Callable[[str], object], cookie: str, max_age: int, target: str, kind: str
):
    """If the request carries ?token=…: the lost-link page (404) for a token that opens
    nothing, else set the cookie and redirect to `target`. Returns None when there is no token
    in the URL."""
    token = request.args.get("token")
    if token is None:
        return None
    if find(token) is None:
        return lost_link_for(kind, token)
    response = redirect(target)
    response.set_cookie(**private_cookie(cookie, token, max_age))
    return response
