"""A mistyped staff address answers with the staff 404: staff layout, staff language, menu."""

import pytest

from tests.staff_signin import text  # noqa: F401 - fixtures come through tests.conftest

# /staff/cases/<reference>/<action> exists for forms only: a GET there answers 405 (with its
# Allow header), on the same staff "not found" page.
MISTYPED = ["/staff/xyz", "/staff/cases/99999/xyz", "/staff/admin/nothing/here"]


@pytest.mark.parametrize("path", MISTYPED)
def test_signed_out_a_mistyped_staff_address_is_the_norwegian_staff_404(client, path):
    client.delete_cookie("staff_lang")
    response = client.get(path)
    assert response.status_code in (404, 405)
    page = text(response)
    assert '<html lang="nb"' in page
    assert 'class="staff"' in page  # the staff frame, not the public one
    assert "<h1>Ikke funnet</h1>" in page
    assert "site-footer" not in page and "language-picker" not in page
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", MISTYPED)
def test_signed_in_a_mistyped_staff_address_is_the_staff_404_with_the_menu(client, staff, path):
    staff.as_role("caseworker")  # English, as StaffLogin sets the staff_lang cookie
    response = client.get(path)
    assert response.status_code in (404, 405)
    page = text(response)
    assert '<html lang="en"' in page
    assert "<h1>Not found</h1>" in page
    assert 'class="staff-nav"' in page and "Log out" in page
    client.set_cookie("staff_lang", "nb")
    page = text(client.get(path))
    assert '<html lang="nb"' in page and "<h1>Ikke funnet</h1>" in page
    assert 'class="staff-nav"' in page


def test_a_mistyped_public_address_keeps_the_public_404(client):
    response = client.get("/en/no-such-page")
    assert response.status_code == 404
    assert "staff-nav" not in text(response) and "site-footer" in text(response)
    response = client.get("/staffing")  # only /staff/ itself belongs to the staff pages
    assert 'class="staff"' not in text(response)
