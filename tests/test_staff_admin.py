"""Administration pages: staff accounts, the audit log, the settings from the profile."""

import re

import pytest
from sqlalchemy import select

from portal import audit, db
from portal.audit.services import ACTIONS
from portal.staff.admin.services import ACTION_LABELS
from portal.staff.models import RecoveryCode, StaffAccount
from tests.conftest import StaffLogin, audit_rows, csrf_token_in

GET_ROUTES = [
    "/staff/admin/accounts/",
    "/staff/admin/accounts/new",
    "/staff/admin/accounts/{id}",
    "/staff/admin/audit/",
    "/staff/admin/settings",
]
POST_ROUTES = [
    "/staff/admin/accounts/new",
    "/staff/admin/accounts/{id}",
    "/staff/admin/accounts/{id}/deactivate",
    "/staff/admin/accounts/{id}/reactivate",
    "/staff/admin/accounts/{id}/reset-password",
    "/staff/admin/accounts/{id}/reset-authenticator",
    "/staff/admin/settings/routing/family_reunification",
]
ROUTING = "/staff/admin/settings/routing/family_reunification"
TEMPORARY_PASSWORD = re.compile(r'<code class="temporary-password" translate="no">([^<]+)</code>')


def _account(app, account_id) -> StaffAccount:
    with app.app_context():
        return db.get_session().get(StaffAccount, account_id)


@pytest.fixture
def admin(staff, client):
    """The test client is logged in as an administrator (pages in English); returns the id."""
    client.set_cookie("staff_lang", "en")
    return staff.as_role("admin", ())


def _press(forms, path, **kwargs):
    """A button on an account's page."""
    return forms.post(path, {}, token_from="/staff/admin/accounts/new", **kwargs)


def _second_client(app, email):
    """Another browser, logged in as `email`."""
    other = StaffLogin(app, app.test_client())
    assert other.login(email).status_code == 302
    return other.client


# --- access -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["caseworker", "reception"])
@pytest.mark.parametrize("route", GET_ROUTES)
def test_other_roles_cannot_see_admin_pages(staff, client, role, route):
    target, _ = staff.account("caseworker")
    staff.as_role(role)
    assert client.get(route.format(id=target)).status_code == 403


@pytest.mark.parametrize("role", ["caseworker", "reception"])
@pytest.mark.parametrize("route", POST_ROUTES)
def test_other_roles_cannot_change_accounts(app, staff, forms, role, route):
    target, _ = staff.account("caseworker")
    staff.as_role(role)
    response = forms.post(
        route.format(id=target),
        {"email": "x@example.org", "name": "X Y", "role": "admin"},
        token_from="/staff/account/password",
    )
    assert response.status_code == 403
    account = _account(app, target)
    assert account.role == "caseworker" and account.active
    assert not audit_rows(app, "staff_created") and not audit_rows(app, "staff_changed")


@pytest.mark.parametrize("route", GET_ROUTES)
def test_anonymous_get_goes_to_login(staff, client, route):
    target, _ = staff.account("caseworker")
    response = client.get(route.format(id=target))
    assert response.status_code == 302
    assert response.location.startswith("/staff/login")


@pytest.mark.parametrize("route", POST_ROUTES)
def test_anonymous_post_goes_to_login(app, staff, forms, route):
    target, _ = staff.account("caseworker")
    response = forms.post(route.format(id=target), {}, token_from="/staff/login")
    assert response.status_code == 302
    assert response.location.startswith("/staff/login")
    assert _account(app, target).active


def test_unknown_account_is_404(admin, client, forms):
    assert client.get("/staff/admin/accounts/9999").status_code == 404
    response = forms.post(
        "/staff/admin/accounts/9999/deactivate", {}, token_from="/staff/admin/accounts/new"
    )
    assert response.status_code == 404


# --- the list and creating an account -----------------------------------------------------------
def test_accounts_list_shows_each_account(admin, staff, client):
    staff.account("caseworker", ("settlement", "introduction"), name="Kari Nordmann")
    html = client.get("/staff/admin/accounts/").get_data(as_text=True)
    assert "Kari Nordmann" in html
    assert "Introduksjonsprogram, Bosetting og oppfølging" in html
    assert "/staff/admin/accounts/" in html and "Not set up" in html


def _create(forms, **data):
    fields = {"email": "new.person@example.org", "name": "Ny Person", "role": "caseworker"}
    fields.update(data)
    return forms.post("/staff/admin/accounts/new", fields)


def test_create_account_shows_password_once_and_forces_a_change(app, admin, client, forms):
    response = _create(forms, departments=["settlement", "introduction"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = TEMPORARY_PASSWORD.search(html).group(1)
    assert "shown only now" in html

    with app.app_context():
        account = (
            db.get_session()
            .scalars(select(StaffAccount).where(StaffAccount.email == "new.person@example.org"))
            .one()
        )
        assert account.must_change_password and account.active
        assert account.departments == ["introduction", "settlement"]
        assert password not in account.password_hash
    # The account's page never shows the password again.
    assert password not in client.get(f"/staff/admin/accounts/{account.id}").get_data(as_text=True)

    [entry] = audit_rows(app, "staff_created")
    assert entry.actor_id == admin and entry.target_type == "staff"
    assert entry.target_id == str(account.id)
    assert entry.details == {"role": "caseworker", "departments": ["introduction", "settlement"]}
    assert password not in str(entry.details)

    newcomer = StaffLogin(app, app.test_client())
    assert newcomer.login("new.person@example.org", password).status_code == 302
    response = newcomer.client.get("/staff/cases/")
    assert response.status_code == 302
    assert response.location == "/staff/account/password"


def test_duplicate_email_is_refused_beside_the_field(app, admin, staff, forms):
    staff.account("reception", (), email="taken@example.org")
    response = _create(forms, email="Taken@Example.org", name="Another Name", role="reception")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-error"' in html
    assert "There is already an account with this email address." in html
    assert 'value="Another Name"' in html
    assert not audit_rows(app, "staff_created")
    with app.app_context():  # the existing account was not reset
        existing = (
            db.get_session()
            .scalars(select(StaffAccount).where(StaffAccount.email == "taken@example.org"))
            .one()
        )
        assert existing.name != "Another Name" and not existing.must_change_password


def test_caseworker_without_department_is_refused(app, admin, forms):
    response = _create(forms, role="caseworker")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="departments-error"' in html
    assert "A caseworker needs at least one department." in html
    assert 'value="new.person@example.org"' in html
    assert not audit_rows(app, "staff_created")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": ""}, "role"),
        ({"role": "superuser"}, "role"),
        ({"departments": ["nowhere"]}, "departments"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_account_input_goes_beside_the_field(admin, forms, data, field):
    response = _create(forms, **{"departments": ["settlement"], **data})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)


# --- an account's page --------------------------------------------------------------------------
def test_change_role_and_departments_is_audited(app, admin, staff, forms):
    target, _ = staff.account("caseworker", ("settlement",), name="Ola Nordmann")
    response = forms.post(
        f"/staff/admin/accounts/{target}",
        {"name": "Ola Nordmann", "role": "reception", "departments": ["introduction"]},
    )
    assert response.status_code == 302
    account = _account(app, target)
    assert account.role == "reception" and account.departments == ["introduction"]
    [entry] = audit_rows(app, "staff_changed")
    assert entry.target_id == str(target)
    assert entry.details == {
        "role": {"old": "caseworker", "new": "reception"},
        "departments": {"old": ["settlement"], "new": ["introduction"]},
    }


def test_saving_without_changes_writes_no_entry(app, admin, staff, forms):
    target, _ = staff.account("caseworker", ("settlement",), name="Ola Nordmann")
    data = {"name": "Ola Nordmann", "role": "caseworker", "departments": ["settlement"]}
    response = forms.post(f"/staff/admin/accounts/{target}", data, follow_redirects=True)
    assert "Nothing was changed." in response.get_data(as_text=True)
    assert not audit_rows(app, "staff_changed")
    forms.post(f"/staff/admin/accounts/{target}", {**data, "name": "Ola  Nordmann-Hansen"})
    [entry] = audit_rows(app, "staff_changed")
    assert entry.details == {"name": {"old": "Ola Nordmann", "new": "Ola Nordmann-Hansen"}}


def test_admin_cannot_remove_own_admin_role(app, admin, forms):
    response = forms.post(
        f"/staff/admin/accounts/{admin}",
        {"name": "Me", "role": "caseworker", "departments": ["settlement"]},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="role-error"' in html and "your own administrator role" in html
    assert _account(app, admin).role == "admin"
    assert not audit_rows(app, "staff_changed")


def test_deactivation_ends_the_persons_session_at_once(app, admin, staff, forms):
    target, email = staff.account("caseworker")
    other = _second_client(app, email)
    assert other.get("/staff/account").status_code == 200

    response = _press(forms, f"/staff/admin/accounts/{target}/deactivate")
    assert response.status_code == 302
    response = other.get("/staff/account")
    assert response.status_code == 302
    assert response.location.startswith("/staff/login")
    assert not _account(app, target).active
    assert len(audit_rows(app, "staff_deactivated")) == 1
    # Cannot log in again while deactivated.
    assert StaffLogin(app, app.test_client()).login(email).status_code == 401

    _press(forms, f"/staff/admin/accounts/{target}/reactivate")
    assert _account(app, target).active
    assert [e.target_id for e in audit_rows(app, "staff_reactivated")] == [str(target)]
    assert StaffLogin(app, app.test_client()).login(email).status_code == 302


def test_admin_cannot_deactivate_themself(app, admin, client, forms):
    response = _press(forms, f"/staff/admin/accounts/{admin}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    assert _account(app, admin).active
    assert client.get("/staff/admin/accounts/").status_code == 200
    assert not audit_rows(app, "staff_deactivated")


def test_reset_password_shows_a_new_one_and_ends_sessions(app, admin, staff, forms):
    target, email = staff.account("reception", ())
    other = _second_client(app, email)
    response = _press(forms, f"/staff/admin/accounts/{target}/reset-password")
    assert response.status_code == 200
    password = TEMPORARY_PASSWORD.search(response.get_data(as_text=True)).group(1)
    assert other.get("/staff/account").status_code == 302
    assert _account(app, target).must_change_password
    [entry] = audit_rows(app, "staff_password_reset")
    assert entry.target_id == str(target) and entry.details is None

    person = StaffLogin(app, app.test_client())
    assert person.login(email, password).status_code == 302
    assert person.client.get("/staff/desk/").location == "/staff/account/password"


def test_admin_cannot_reset_own_password_here(app, admin, forms):
    response = _press(forms, f"/staff/admin/accounts/{admin}/reset-password")
    assert response.status_code == 302
    assert not _account(app, admin).must_change_password
    assert not audit_rows(app, "staff_password_reset")


def test_reset_authenticator_clears_totp(app, admin, staff, forms):
    target, _ = staff.account("caseworker")
    with app.app_context():
        session = db.get_session()
        account = session.get(StaffAccount, target)
        account.totp_secret = "JBSWY3DPEHPK3PXP"
        account.totp_confirmed_at = account.created_at
        account.totp_last_counter = 42
        session.add(RecoveryCode(account_id=target, code_hash="x" * 64))
        session.commit()
    response = _press(forms, f"/staff/admin/accounts/{target}/reset-authenticator")
    assert response.status_code == 302
    account = _account(app, target)
    assert (account.totp_secret, account.totp_confirmed_at, account.totp_last_counter) == (
        None,
        None,
        None,
    )
    with app.app_context():
        assert not db.get_session().scalars(select(RecoveryCode)).all()
    assert [e.target_id for e in audit_rows(app, "staff_totp_reset")] == [str(target)]


# --- the audit log ------------------------------------------------------------------------------
def _add_entries(app, count, action="case_viewed", target="FG-AAAA-BBBB", details=None):
    with app.app_context():
        session = db.get_session()
        for _ in range(count):
            audit.record(session, action, target_type="case", target_id=target, details=details)
        session.commit()


def test_every_action_has_a_label():
    assert set(ACTION_LABELS) == set(ACTIONS)


def test_audit_log_filters_by_action_and_target(app, admin, client):
    _add_entries(app, 3, target="FG-AAAA-BBBB")
    _add_entries(app, 2, target="FG-CCCC-DDDD")
    _add_entries(app, 1, action="case_assigned", target="FG-CCCC-DDDD")

    html = client.get("/staff/admin/audit/?target=fg-cccc-dddd").get_data(as_text=True)
    assert "3 entries" in html and "FG-AAAA-BBBB" not in html
    html = client.get("/staff/admin/audit/?action=case_assigned").get_data(as_text=True)
    assert "1 entry" in html and "Assigned a case" in html
    html = client.get(f"/staff/admin/audit/?actor=admin&target={admin}").get_data(as_text=True)
    assert "0 entries" in html
    html = client.get("/staff/admin/audit/?actor=ADMIN").get_data(as_text=True)
    assert "Logged in" in html and "System / unknown" not in html

    viewed = audit_rows(app, "audit_log_viewed")
    assert len(viewed) == 4 and all(e.actor_id == admin for e in viewed)
    assert viewed[0].details == {"target": "fg-cccc-dddd", "page": 1}
    assert viewed[1].details == {"action": "case_assigned", "page": 1}


def test_audit_log_pages_keep_the_filters(app, admin, client):
    _add_entries(app, 120)
    html = client.get("/staff/admin/audit/?action=case_viewed").get_data(as_text=True)
    assert "120 entries" in html and "Page 1 of 3" in html
    assert "page=2" in html and "action=case_viewed" in html
    html = client.get("/staff/admin/audit/?action=case_viewed&page=3").get_data(as_text=True)
    assert "Page 3 of 3" in html and html.count("Viewed a case</td>") == 20
    html = client.get("/staff/admin/audit/?action=case_viewed&page=99").get_data(as_text=True)
    assert "Page 3 of 3" in html
    assert audit_rows(app, "audit_log_viewed")[-1].details == {"action": "case_viewed", "page": 3}


def test_audit_log_details_are_escaped(app, admin, client):
    _add_entries(app, 1, details={"note": "<script>alert(1)</script>"})
    html = client.get("/staff/admin/audit/").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "note: &lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("first_day=2024-13-45", "first_day"),
        ("last_day=yesterday", "last_day"),
        ("first_day=2024-05-02&last_day=2024-05-01", "last_day"),
        ("action=not_an_action", "action"),
    ],
)
def test_audit_log_bad_filter_shows_error(app, admin, client, query, field):
    response = client.get(f"/staff/admin/audit/?{query}")
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert not audit_rows(app, "audit_log_viewed")


def test_audit_log_by_date(app, admin, client):
    _add_entries(app, 2)
    html = client.get("/staff/admin/audit/?first_day=2000-01-01&last_day=2000-01-31").get_data(
        as_text=True
    )
    assert "0 entries" in html and "No entries match" in html
    html = client.get("/staff/admin/audit/?first_day=01.01.2000").get_data(as_text=True)
    assert "Viewed a case" in html


def test_audit_log_offers_no_edit_or_delete(admin, client):
    html = client.get("/staff/admin/audit/").get_data(as_text=True)
    assert 'method="post"' not in html.split('id="main"')[1]


# --- settings -----------------------------------------------------------------------------------
def test_settings_show_the_profile_and_only_routing_is_editable(admin, client):
    html = client.get("/staff/admin/settings").get_data(as_text=True)
    assert "stavanger.toml" in html and "/deploy/profiles" not in html
    assert "Bosetting og oppfølging" in html and "<code>introduction</code>" in html
    assert "Registration of family reunification" in html and 'value="14"' in html
    assert "30 minutes" in html and "30 days after the appointment" in html
    actions = re.findall(r'<form method="post" action="([^"]+)"', html.split('id="main"')[1])
    assert actions == [ROUTING]


# --- where cases go -----------------------------------------------------------------------------


def _route(forms, **data):
    fields = {f"family_reunification-{key}": value for key, value in data.items()}
    return forms.post(ROUTING, fields, token_from="/staff/admin/settings")


def test_an_admin_sends_new_cases_elsewhere_and_back(app, admin, client, forms):
    from datetime import timedelta

    from portal.cases.models import Case
    from portal.profile import clock
    from tests.registration_data import fill_in

    page = client.get("/staff/admin/settings").get_data(as_text=True)
    assert "As in the profile." in page
    response = _route(forms, department="introduction", due_in_days="7")
    assert response.status_code == 302
    page = client.get("/staff/admin/settings").get_data(as_text=True)
    assert "Set by an administrator" in page and "Cases that have already arrived stay" in page
    [entry] = audit_rows(app, "routing_changed")
    assert entry.details == {"from": ["settlement", 14], "to": ["introduction", 7]}

    applicant = app.test_client()
    from tests.conftest import FormFiller

    applicant_forms = FormFiller(applicant)
    fill_in(applicant_forms, lang="uk")
    applicant_forms.post("/uk/family-registration/submit", {"confirm": "y"})
    with app.app_context():
        case = db.get_session().scalars(select(Case)).one()
        assert case.department == "introduction"
        assert case.due_date == clock.today() + timedelta(days=7)

    token = csrf_token_in(page)
    reset = client.post(ROUTING, data={"csrf_token": token, "reset": "1"})
    assert reset.status_code == 302
    assert "As in the profile." in client.get("/staff/admin/settings").get_data(as_text=True)
    assert audit_rows(app, "routing_changed")[-1].details["to"] == ["settlement", 14]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"department": "introduction", "due_in_days": "0"}, "between 1 and 365"),
        ({"department": "introduction", "due_in_days": "abc"}, "number of days"),
        ({"department": "nowhere", "due_in_days": "7"}, "Not a valid choice"),
    ],
)
def test_bad_routing_is_refused_beside_the_field(app, admin, forms, data, message):
    response = _route(forms, **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'aria-invalid="true"' in page
    assert message.lower() in page.lower() or "choose" in page.lower()
    assert f'value="{data["due_in_days"]}"' in page  # what was typed stays
    assert audit_rows(app, "routing_changed") == []


def test_routing_of_an_unknown_case_type_is_404(admin, forms):
    response = forms.post(
        "/staff/admin/settings/routing/nothing", {}, token_from="/staff/admin/settings"
    )
    assert response.status_code == 404
