"""Start-up refuses a bad environment with a message that names the variable at fault."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Long and varied enough for a live service (Django's own test: 50 characters, 5 different).
KEY = "settings-test-only-not-a-secret-" + "0123456789" * 3
SETUP = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def start(tmp_path, script=SETUP, **variables):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
        # Keep the developer's own .env and key file out of the experiment.
        "SECRET_KEY_FILE": str(tmp_path / "key"),
        "HOME": str(tmp_path),
        "ENV_FILE": str(tmp_path / "no.env"),
        "SITE_URL": "https://safeguarding.example.gov.uk",
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_missing_secret_key_stops_startup_when_debug_is_off(tmp_path):
    result = start(tmp_path, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("url", ["", "http://safeguarding.example.gov.uk"])
def test_without_a_public_https_address_startup_stops_when_debug_is_off(tmp_path, url):
    result = start(tmp_path, DEBUG="false", SECRET_KEY=KEY, SITE_URL=url)
    assert result.returncode != 0
    assert "SITE_URL must be the service's public https:// address" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECRET_KEY", "changeme"),
        ("SECRET_KEY", "k" * 60),
        ("SECRET_KEY", "django-insecure-" + "abcdefghij" * 5),
        ("MFA_SECRET_KEYS", "short"),
        ("MFA_SECRET_KEYS", KEY.replace("settings", "mfa") + ",short"),
    ],
)
def test_a_guessable_key_stops_startup_when_debug_is_off(tmp_path, variable, value):
    # Sessions, password-reset links and the authenticator secrets at rest rest on these keys.
    result = start(tmp_path, DEBUG="false", **{"SECRET_KEY": KEY, variable: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert variable in last_line
    assert value.split(",")[-1] not in last_line  # a key is never printed, not even a bad one


def test_a_mail_password_sent_without_tls_stops_startup_when_debug_is_off(tmp_path):
    # The SMTP password, and every password-reset link, would cross the network in clear.
    mail = {"EMAIL_HOST": "smtp.council.gov.uk", "EMAIL_HOST_USER": "safeguarding"}
    result = start(tmp_path, SECRET_KEY=KEY, EMAIL_HOST_PASSWORD="Hunter2-S3cret", **mail)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "EMAIL_USE_TLS" in last_line
    assert "Hunter2" not in result.stderr
    with_tls = start(
        tmp_path, SECRET_KEY=KEY, EMAIL_HOST_PASSWORD="x", EMAIL_USE_TLS="true", **mail
    )
    assert with_tls.returncode == 0, with_tls.stderr
    # A relay on the same machine, or one that needs no password, is the operator's choice.
    assert start(tmp_path, SECRET_KEY=KEY, EMAIL_HOST="smtp.council.gov.uk").returncode == 0
    local = start(tmp_path, SECRET_KEY=KEY, EMAIL_HOST_USER="u", EMAIL_HOST_PASSWORD="x")
    assert local.returncode == 0, local.stderr


def test_even_the_debug_log_level_never_logs_sql_with_its_parameters(tmp_path):
    script = (
        "import django; django.setup(); from django.db import connection\n"
        "with connection.cursor() as c: c.execute('SELECT %s', ['Zebedee Quill'])"
    )
    result = start(tmp_path, script, DEBUG="true", LOG_LEVEL="DEBUG")
    assert result.returncode == 0, result.stderr
    assert "Zebedee" not in result.stderr


def test_emails_come_from_the_services_own_domain_unless_set(tmp_path):
    # A sender "@localhost" is refused by mail servers: nothing would ever be sent.
    script = SETUP.replace("settings.DEBUG", "settings.DEFAULT_FROM_EMAIL")
    result = start(tmp_path, script, SECRET_KEY=KEY)
    assert result.stdout.strip() == "safeguarding@safeguarding.example.gov.uk", result.stderr
    chosen = start(tmp_path, script, SECRET_KEY=KEY, DEFAULT_FROM_EMAIL="alerts@la.gov.uk")
    assert chosen.stdout.strip() == "alerts@la.gov.uk"


def test_development_key_is_generated_once_and_kept(tmp_path):
    assert start(tmp_path, DEBUG="true").returncode == 0
    key = (tmp_path / "key").read_text()
    assert len(key) >= 50
    assert start(tmp_path, DEBUG="true").returncode == 0
    assert (tmp_path / "key").read_text() == key


def test_debug_is_off_unless_set(tmp_path):
    result = start(tmp_path, SECRET_KEY=KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "nonsense"),
        ("DATABASE_URL", "mysql://nobody@nowhere/db"),
        ("DEBUG", "maybe"),
        ("EMAIL_PORT", "twenty-five"),
        ("SESSION_COOKIE_AGE", "half an hour"),
        ("LOG_LEVEL", "verbose"),
    ],
)
def test_malformed_variable_stops_startup_naming_it(tmp_path, variable, value):
    result = start(tmp_path, SECRET_KEY=KEY, **{variable: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert variable in last_line
    assert variable in last_line


def test_database_url_switches_to_postgresql(tmp_path):
    script = (
        "import django; django.setup(); from django.db import connection; print(connection.vendor)"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
        "SECRET_KEY": KEY,
        "SITE_URL": "https://safeguarding.example.gov.uk",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "ENV_FILE": str(tmp_path / "no.env"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "postgresql", result.stderr


def test_every_variable_the_settings_read_is_documented():
    import re

    source = (ROOT / "safeguarding" / "settings.py").read_text()
    names = set(re.findall(r'env(?:_bool|_int|_database|\.\w+)\(\s*"([A-Z][A-Z0-9_]+)"', source))
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL"} <= names
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    missing = [n for n in sorted(names) if f"{n}=" not in example and n != "ENV_FILE"]
    assert missing == [], f"not in .env.example: {missing}"
    undocumented = [n for n in sorted(names) if f"`{n}`" not in readme]
    assert undocumented == [], f"not in the README's configuration table: {undocumented}"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://app:Hunter2-S3cret@db/sg",  # a scheme Django does not read
        "postgres://app:Hunter2-S3cret@db:5432/",  # no database named
    ],
)
def test_a_bad_database_url_is_shown_without_its_password(tmp_path, url):
    """Start-up errors go to the service manager's or the container's logs."""
    result = start(tmp_path, SECRET_KEY=KEY, DATABASE_URL=url)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "app:***@db" in result.stderr
    assert "Hunter2" not in result.stderr


def test_make_runs_default_database_starts_without_warnings(tmp_path):
    # migrate and runserver print the system checks: on SQLite, nothing to act on.
    script = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', databases=['default'])"
    )
    result = start(tmp_path, script, DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path}/db")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("System check identified no issues")


# Whose address a request is counted against: allauth's per-address limits on sign-in (30 a
# minute, failed or not) and password resets, and the audit trail's record of where each
# sign-in and each read of a child's record came from.
CLIENT_ADDRESS = (
    "import django; django.setup()\n"
    "from allauth.account.adapter import get_adapter\n"
    "from django.test import RequestFactory\n"
    "from audit.context import RequestDetailsMiddleware, current_request_details\n"
    "request = RequestFactory().get('/', REMOTE_ADDR='127.0.0.1',"
    " HTTP_X_FORWARDED_FOR='203.0.113.7')\n"
    "print(get_adapter(request).get_client_ip(request))\n"
    "RequestDetailsMiddleware(lambda r: print(current_request_details()['ip_address']))(request)\n"
)


def test_behind_the_proxy_each_person_is_counted_by_their_own_address(tmp_path):
    """Behind the TLS proxy every request reaches gunicorn from the proxy's address: counted by
    it, one person's 30 wrong passwords in a minute, or the morning's first 30 sign-ins across
    the authority, would stop everyone else signing in, and the audit trail would say every
    sign-in and every read of a child's record came from the proxy."""
    result = start(tmp_path, CLIENT_ADDRESS, SECRET_KEY=KEY, BEHIND_TLS_PROXY="true")
    assert result.stdout.split() == ["203.0.113.7", "203.0.113.7"], result.stderr


def test_without_a_proxy_an_address_sent_in_a_header_is_not_believed(tmp_path):
    """Anyone can send X-Forwarded-For: without a proxy in front to write it, believing it
    would let one person choose a fresh address for each guess, and write any address into
    the audit trail."""
    result = start(tmp_path, CLIENT_ADDRESS, SECRET_KEY=KEY)
    assert result.stdout.split() == ["127.0.0.1", "127.0.0.1"], result.stderr
