"""What staff are told after sending someone a new private link."""

from flask_babel import gettext as _

from portal.validation import format_phone


def contact_lines(contacts: list[tuple[str, str]]) -> list[str]:
    """["SMS to 912 34 567", "e-mail to name@example.org"]: where messages go."""
    return [
        _("SMS to %(phone)s", phone=format_phone(address))
        if channel == "sms"
        else _("e-mail to %(address)s", address=address)
        for channel, address in contacts
    ]


def describe_contacts(contacts: list[tuple[str, str]]) -> str:
    return ", ".join(contact_lines(contacts))


def new_link_message(sent_to: list[tuple[str, str]]) -> str:
    if not sent_to:
        return _("No link was sent: there is no phone number or e-mail address on record.")
    return _(
        "A new link is on its way (%(where)s). The old link no longer works.",
        where=describe_contacts(sent_to),
    )
