"""Pages and messages that state a setting (how long a session lasts, how many wrong tries pause
an account and for how long, how long a password must be) state its value: set differently for
a service, they do not go on telling people the default."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from schools.adapters import SIGNED_IN_AT
from tests.schools.test_sign_in import sign_in


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
