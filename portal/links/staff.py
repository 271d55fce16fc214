"""What staff are told after sending someone a new private link."""

from flask_babel import gettext as _

from portal.security.masking import masked_email


def contact_lines(contacts: list[tuple[str, str]]) -> list[str]:
    """["SMS to the number that ends in 67", "e-mail to o•••@example.org"]: where messages go,
    enough to tell a caller which of their numbers, without showing the contact details on a
    page that is not audited."""
    return [
        _("SMS to the number that ends in %(digits)s", digits=address[-2:])
        if channel == "sms"
        else _("e-mail to %(address)s", address=masked_email(address))
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
