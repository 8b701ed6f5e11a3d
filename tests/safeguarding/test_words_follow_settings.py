"""Pages and messages that state a setting (how long a session lasts, how many wrong tries pause
an account and for how long, how long a password must be) state its value: set differently for
a service, they do not go on telling people the default."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schools.adapters import SIGNED_IN_AT
from tests.factories import PASSWORD
from tests.schools.test_sign_in import sign_in

MIN_LENGTH = "django.contrib.auth.password_validation.MinimumLengthValidator"


def test_the_sign_out_at_the_end_of_a_session_says_how_long_sessions_last(client, dsl, settings):
    settings.SESSION_ABSOLUTE_AGE = timedelta(hours=8)
    sign_in(client, dsl.email)
    session = client.session
    session[SIGNED_IN_AT] = (timezone.now() - timedelta(hours=8, minutes=1)).isoformat()
    session.save()
    sent_to = client.get(reverse("concerns:inbox"))["Location"]
    page = client.get(sent_to).text
    assert "For your security you were signed out after 8 hours." in page
    assert "12 hours" not in page


def test_every_page_tells_its_script_how_long_sessions_last(client_for, dsl, settings):
    """frontend/timeout.mjs warns 'everyone is signed out ... after signing in' in these words."""
    settings.SESSION_ABSOLUTE_AGE = timedelta(hours=1, minutes=30)
    page = client_for(dsl).get(reverse("home")).text
    assert 'data-session-length="1 hour and 30 minutes"' in page


def test_the_privacy_notice_says_how_long_the_sign_in_cookie_lasts_without_activity(
    client, settings
):
    settings.SESSION_COOKIE_AGE = 20 * 60
    page = client.get(reverse("privacy")).text
    assert "deleted after 20 minutes without activity" in page
    assert "30 minutes" not in page


def test_a_paused_sign_in_says_how_long_the_pause_is(client, dsl, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(hours=1)
    for _ in range(3):
        client.post(reverse("account_login"), {"login": dsl.email, "password": "wrong-pass-123"})
    page = sign_in(Client(), dsl.email)
    assert page.status_code == 429
    assert "is paused for 1 hour." in page.text
    assert "Wait 1 hour, then" in page.text
    assert "15 minutes" not in page.text


def test_the_lockouts_page_says_how_many_tries_pause_an_account_and_for_how_long(
    client_for, la_admin, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=45)
    page = client_for(la_admin).get(reverse("lockouts")).text
    assert "An account is paused for 45 minutes after 3 failed attempts to sign in." in page
    assert "their account is paused for the 45 minutes" in page


def test_the_password_pages_ask_for_the_length_the_rules_check(client_for, dsl, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": MIN_LENGTH, "OPTIONS": {"min_length": 15}},
    ]
    client = client_for(dsl)
    page = client.get(reverse("account_change_password")).text
    assert "Use at least 15 characters." in page
    refused = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "fourteen-chars", "password2": "fourteen-chars"},
    )
    assert "at least 15 characters" in refused.text


def test_an_attachment_limit_under_a_megabyte_is_stated_as_it_is(
    walk, client_for, dsl, settings, tmp_path
):
    """A limit that is not a whole number of megabytes was rounded down to one: 512KB read
    'must be smaller than 0MB', which no file is."""
    settings.ATTACHMENT_MAX_BYTES = 512 * 1024
    settings.MEDIA_ROOT = tmp_path
    concern = walk.recorded()
    client = client_for(dsl)
    upload = reverse("concerns:attachment_upload", args=[concern.pk])
    assert "smaller than 512KB" in client.get(upload).text
    sent = client.post(
        upload, {"file": SimpleUploadedFile("big.pdf", b"%PDF-1.4\n".ljust(600 * 1024, b"0"))}
    )
    assert sent.context["form"].errors["file"] == ["The selected file must be smaller than 512KB"]


def test_a_pupil_import_limit_of_part_megabytes_is_stated_without_rounding_up(
    client_for, dsl, settings
):
    settings.PUPIL_IMPORT_MAX_BYTES = 1536 * 1024
    page = client_for(dsl).get(reverse("concerns:pupil_import")).text
    assert "Smaller than 1.5MB." in page
