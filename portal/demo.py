"""Demo data for `make run`: a demo administrator with a fresh random password."""

import secrets

from sqlalchemy.orm import Session

from portal.profile import Profile
from portal.staff.services import create_or_update_account

DEMO_ADMIN_EMAIL = "demo.admin@example.org"


def load_demo_data(session: Session, profile: Profile) -> dict:
    """Create or reset the demo administrator; return the login to print."""
    password = secrets.token_urlsafe(12)
    create_or_update_account(
        session,
        profile,
        email=DEMO_ADMIN_EMAIL,
        name="Demo Administrator",
        role="admin",
        departments=[],
        password=password,
    )
    session.commit()
    return {"email": DEMO_ADMIN_EMAIL, "password": password, "url": "http://127.0.0.1:8000/staff/"}
