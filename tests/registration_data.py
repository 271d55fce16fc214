"""A complete, valid family-reunification registration, step by step."""

from datetime import date, timedelta

TWO_YEARS_AGO = (date.today() - timedelta(days=730)).isoformat()

STEPS = {
    "eligibility": {"lived_here_under_five_years": "yes", "group": "refugee"},
    "registrant": {"role": "relative", "name": "Olena Petrenko"},
    "reference-person": {
        "full_name": "Petro Petrenko",
        "national_id": "15076500565",
        "phone": "",
        "address": "Tinngata 1, 4006 Stavanger",
        "settled_on": TWO_YEARS_AGO,
    },
    "family-members/0": {
        "passport_name": "Mariia Petrenko",
        "native_name": "Марія Петренко",
        "birth_date": "2012-03-04",
        "relationship": "child",
        "citizenship": "UA",
        "duf_number": "2012 1234 5678",
        "national_id": "",
        "arrival_date": date.today().isoformat(),
    },
    "permit": {"application_date": "2024-02-01", "permit_date": "2024-06-01"},
    "language": {
        "languages": "Ukrainian, Russian",
        "interpreter_needed": "yes",
        "interpreter_language": "uk",
        "interpreter_dialect": "",
    },
    "contact": {"phone": "+380 50 123 4567", "email": "", "preferred_channel": "sms"},
}


def fill_in(forms, lang: str = "uk", until: str | None = None) -> None:
    """Answer every step (or those before `until`) with the valid answers above."""
    for step, data in STEPS.items():
        if step == until:
            return
        response = forms.post(f"/{lang}/family-registration/{step}", data)
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:2000])
