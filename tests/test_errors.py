"""Translated error pages without stack traces; the health check."""

from sqlalchemy import create_engine


def test_404_in_the_language_of_the_url(client):
    response = client.get("/uk/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="uk" dir="ltr">' in html
    assert 'href="/uk/"' in html


def test_404_outside_a_language_uses_negotiation(client):
    response = client.get("/nowhere/at/all", headers={"Accept-Language": "ar"})
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in response.get_data(as_text=True)


def test_500_is_translated_and_shows_no_trace(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def explode():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/fa/explode", "explode", explode)
    response = app.test_client().get("/fa/explode")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert '<html lang="fa" dir="rtl">' in html
    assert "secret internal detail" not in html and "Traceback" not in html
    assert "51 91 40 20" in html  # tells the person how to get help


def test_post_without_csrf_token_is_refused_with_a_translated_page(make_app):
    app = make_app()
    app.add_url_rule("/<lang>/form-test", "form_test", lambda: "accepted", methods=["POST"])
    response = app.test_client().post("/uk/form-test", data={"name": "Olena"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="uk" dir="ltr">' in html and "accepted" not in html
    assert "Traceback" not in html


def test_405_is_a_translated_page(client):
    response = client.post("/ar/contact")
    assert response.status_code == 405
    assert '<html lang="ar" dir="rtl">' in response.get_data(as_text=True)


def test_readyz_fails_on_an_unmigrated_database(app, tmp_path):
    app.extensions["db_engine"] = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable or not migrated"


def test_other_client_errors_get_a_translated_page(make_app):
    from werkzeug.exceptions import RequestEntityTooLarge

    app = make_app()

    def too_large():
        raise RequestEntityTooLarge()

    app.add_url_rule("/<lang>/upload-test", "upload_test", too_large)
    response = app.test_client().get("/ps/upload-test")
    assert response.status_code == 413
    assert '<html lang="ps" dir="rtl">' in response.get_data(as_text=True)


def test_a_failing_short_link_is_logged_without_its_token(app, caplog):
    """Flask names the failing path in its error log; a short link's path is its private token."""
    with app.test_request_context("/k/abcdefghijklmnopqrstuv"):
        app.log_exception((RuntimeError, RuntimeError("boom"), None))
    assert "abcdefghijklmnopqrstuv" not in caplog.text and "/k/…" in caplog.text
