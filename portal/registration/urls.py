"""Where each step lives."""

from flask import url_for

NAMED_ENDPOINTS = {
    "eligibility": "registration.eligibility",
    "family-members": "registration.family_members",
    "check": "registration.check",
}


def step_url(key: str, **values) -> str:
    endpoint = NAMED_ENDPOINTS.get(key)
    if endpoint:
        return url_for(endpoint, **values)
    return url_for("registration.simple_step", step=key, **values)
