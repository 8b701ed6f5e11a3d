"""Every response carries the security headers; signed-in pages are never cached."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.routes import all_routes

ROOT = Path(__file__).resolve().parents[2]


def check_headers(response):
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]


GET_ROUTES = [
    (name, path)
    for name, path, entry in all_routes()
    if not name.startswith("admin:") and "GET" in getattr(entry.callback, "http_methods", ["GET"])
]


@pytest.mark.parametrize(("name", "path"), GET_ROUTES)
def test_every_get_route_sends_the_security_headers_when_signed_in(client_for, dsl, name, path):
    check_headers(client_for(dsl).get(path))


def test_signed_out_pages_send_them_too(client, db):
    check_headers(client.get("/account/login/"))


def test_pages_contain_no_inline_script_or_style(client_for, dsl, client, db):
    for response in [client_for(dsl).get("/"), client.get("/account/login/")]:
        html = response.text
        assert "<script>" not in html
        assert "style=" not in html
        assert "<style" not in html
        for tag in html.split("<script")[1:]:
            assert "src=" in tag.split(">")[0]


def test_friendly_404_reveals_nothing_internal(client_for, dsl):
    response = client_for(dsl).get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Traceback" not in response.text
    assert "urlpatterns" not in response.text


def test_friendly_500_page(client_for, dsl, settings):
    from django.urls import path

    def broken(request):
        raise RuntimeError("secret internal detail")

    import safeguarding.urls as project_urls

    settings.ROOT_URLCONF = type(
        "Urls", (), {"urlpatterns": [path("boom/", broken), *project_urls.urlpatterns]}
    )
    client = client_for(dsl)
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "secret internal detail" not in response.text


def deploy_check(tmp_path, **variables):
    # As collectstatic leaves it (the stylesheet is all the check looks for).
    collected = tmp_path / "collected"
    collected.mkdir(exist_ok=True)
    (collected / "staticfiles.json").write_text(
        '{"version": "1.1", "paths": {"css/application.css": "css/application.1.css"}}'
    )
    env = {
        "STATIC_ROOT": str(collected),
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
        "ENV_FILE": str(tmp_path / "none.env"),
        "DEBUG": "false",
        "SECRET_KEY": "a-production-like-secret-" + "k" * 60,
        "ALLOWED_HOSTS": "safeguarding.example.gov.uk",
        "SITE_URL": "https://safeguarding.example.gov.uk",
        # The check reads the setting; it does not connect.
        "DATABASE_URL": "postgres://safeguarding@db.internal:5432/safeguarding",
        "MFA_SECRET_KEYS": "production-like-authenticator-key-" + "m" * 40,
        **variables,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_deploy_checks_pass_with_production_settings(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("keys", ["", "a-production-like-secret-" + "k" * 60])
def test_deploy_checks_fail_when_authenticator_secrets_share_the_secret_key(tmp_path, keys):
    # Replacing a leaked SECRET_KEY would then leave every authenticator app unreadable.
    result = deploy_check(tmp_path, MFA_SECRET_KEYS=keys)
    assert result.returncode != 0
    assert "MFA_SECRET_KEYS" in result.stderr


def test_deploy_checks_fail_on_sqlite(tmp_path):
    # Only PostgreSQL has the trigger that refuses changes to the audit trail (SECURITY.md);
    # DATABASE_URL left unset off DEBUG meant a SQLite file beside the code, and nothing said so.
    result = deploy_check(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "PostgreSQL" in result.stderr


def test_deploy_checks_fail_until_the_static_files_are_collected(tmp_path):
    # Without them every page fails to draw (a 500 whose log names no file).
    result = deploy_check(tmp_path, STATIC_ROOT=str(tmp_path / "never-collected"))
    assert result.returncode != 0
    assert "safeguarding.E001" in result.stderr
    assert "collectstatic --noinput" in result.stderr


def test_production_settings_set_hsts_and_secure_cookies(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT)"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
        "ENV_FILE": str(tmp_path / "none.env"),
        "SECRET_KEY": "a-production-like-secret-" + "k" * 60,
        "SITE_URL": "https://safeguarding.example.gov.uk",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["31536000", "True", "True", "True"], result.stderr
