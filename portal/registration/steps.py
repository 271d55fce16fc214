"""The order of the registration's steps, their forms and headings."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.registration import forms


@dataclass(frozen=True)
class Step:
    key: str
    form: type
    heading: object  # a lazy string


SIMPLE_STEPS = {
    step.key: step
    for step in (
        Step("eligibility", forms.EligibilityForm, _l("Who can register")),
        Step("registrant", forms.RegistrantForm, _l("About you")),
        Step("reference-person", forms.ReferencePersonForm, _l("The person you came to join")),
        Step("permit", forms.PermitForm, _l("Permit and dates")),
        Step("language", forms.LanguageForm, _l("Language and interpreter")),
        Step("contact", forms.ContactForm, _l("How we can contact you")),
    )
}
MEMBER_STEP = "family-member"
# The order a person goes through; "family-members" is the list of members.
ORDER = (
    "eligibility", "registrant", "reference-person", "family-members",
    "permit", "language", "contact", "check",
)  # fmt: skip
MAX_MEMBERS = 15


def heading(key: str):
    """A step's heading (a lazy string), for the list of steps done and not yet."""
    return SIMPLE_STEPS[key].heading if key in SIMPLE_STEPS else _l("Family members")


def next_after(key: str) -> str:
    return ORDER[ORDER.index(key) + 1]


def previous_before(key: str) -> str | None:
    """The step before this one (None before the first: the start page comes before it)."""
    index = ORDER.index(key)
    return ORDER[index - 1] if index else None


def progress(key: str) -> tuple[int, int]:
    """(step number, number of steps) for "Step 3 of 7"; the check page is not counted."""
    return ORDER.index(key) + 1, len(ORDER) - 1
