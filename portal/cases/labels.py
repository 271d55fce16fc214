"""Translated names of case codes, for the applicant's pages."""

from flask_babel import lazy_gettext as _l

CASE_TYPE_LABELS = {"family_reunification": _l("Registration of family reunification")}

STATUS_LABELS = {
    "received": _l("Received"),
    "in_review": _l("Being processed"),
    "waiting_for_applicant": _l("Waiting for an answer from you"),
    "completed": _l("Completed"),
    "rejected": _l("Not accepted"),
    "withdrawn": _l("Withdrawn"),
}

STATUS_EXPLANATIONS = {
    "received": _l("We have received what you sent. A caseworker will look at it soon."),
    "in_review": _l("A caseworker is working on your case."),
    "waiting_for_applicant": _l(
        "We need something from you. We will contact you, or you can call us."
    ),
    "completed": _l("Your case is finished. We will contact you if we need anything more."),
    "rejected": _l("Your case was not accepted. Call us if you have questions."),
    "withdrawn": _l("This case was withdrawn."),
}

EVENT_LABELS = {
    "received": _l("We received your registration"),
    # i18n: heading above a message a caseworker wrote to the applicant
    "message_to_applicant": _l("Message from us"),
    # i18n: heading above what the applicant wrote back
    "applicant_message": _l("Your answer"),
}
