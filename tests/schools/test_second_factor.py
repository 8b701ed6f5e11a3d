"""Multi-factor sign-in for every role (DfE cyber security standard for schools)."""

import re
import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from safeguarding.middleware import TOUCHED_AT
from schools.models import Role
from tests.conftest import reauthenticate
from tests.factories import PASSWORD, member, totp_code

from .test_sign_in import sign_in


def test_a_password_alone_does_not_sign_in(client, dsl):
    response = client.post(reverse("account_login"), {"login": dsl.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_a_wrong_code_is_refused_and_audited(client, dsl):
    response = sign_in(client, dsl.email, code="000000" if totp_code() != "000000" else "111111")
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.mfa_failed", actor=dsl).count() == 1


@pytest.fixture
def one_period(monkeypatch):
    """Time stopped 5 seconds into an authenticator app's 30-second period: the app shows the
    same code for the whole test, as it does for someone who signs in twice within one."""
    period = int(time.time()) // 30 * 30 + 5
    monkeypatch.setattr(time, "time", lambda: period)


def test_a_code_already_used_says_to_wait_for_the_next_not_that_it_is_wrong(
    client, dsl, one_period
):
    """Signing in again (another browser, or after signing out) with the code the app still
    shows, or confirming it is you with it straight after signing in, was refused with
    'Incorrect code.': the person checked the code, saw it was the one shown, and tried it
    again, each time counting towards the account's lockout. The README's demo walk leads
    there: `make code` prints the code just used."""
    code = totp_code()
    assert sign_in(client, dsl.email, code=code)["Location"] == reverse("home")
    other = Client()
    again = sign_in(other, dsl.email, code=code)
    assert again.status_code == 200
    assert "_auth_user_id" not in other.session
    assert "Incorrect code" not in again.text
    assert (
        'href="#id_code">You have already used this code: wait for your authenticator app to '
        "show a new one, then enter it</a>"
    ) in again.text
    # The same before a download, straight after signing in with it.
    confirm = client.post(reverse("mfa_reauthenticate"), {"code": code})
    assert confirm.status_code == 200
    assert "You have already used this code: wait for your authenticator app" in confirm.text


def test_a_wrong_or_missing_code_says_what_to_do(client, dsl):
    wrong = sign_in(client, dsl.email, code="000000" if totp_code() != "000000" else "111111")
    assert "Incorrect code" not in wrong.text
    assert (
        'href="#id_code">The code is not right: enter the code your authenticator app shows '
        "now, or a recovery code</a>"
    ) in wrong.text
    empty = client.post(reverse("mfa_authenticate"), {"code": ""}).text
    assert 'href="#id_code">Enter your security code</a>' in empty
    assert "This field is required" not in empty


def test_sign_in_and_second_factor_are_audited(client, dsl):
    sign_in(client, dsl.email)
    assert AuditEvent.objects.filter(action="auth.mfa_used", actor=dsl).count() == 1
    assert AuditEvent.objects.filter(action="auth.login", actor=dsl).count() == 1


def test_a_code_entered_long_after_the_password_says_why_and_keeps_where_they_were_going(
    client, dsl
):
    """Interrupted between the password and the code for more than 15 minutes, a teacher was
    sent back to a bare sign-in page, not told why, and landed on the start page after, away
    from the page they were going to."""
    going = reverse("concerns:inbox")
    step = client.post(
        reverse("account_login") + f"?next={going}", {"login": dsl.email, "password": PASSWORD}
    )
    assert step["Location"].startswith(reverse("mfa_authenticate"))
    session = client.session
    session["account_login"]["initiated_at"] -= 16 * 60
    session.save()
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()}, follow=True)
    assert "_auth_user_id" not in client.session
    assert "did not enter your security code within 15 minutes" in response.text
    login_again = response.redirect_chain[-1][0]
    step = client.post(login_again, {"login": dsl.email, "password": PASSWORD})
    done = client.post(step["Location"], {"code": totp_code()})
    assert done["Location"] == going


def test_someone_who_has_lost_their_phone_is_sent_to_whoever_can_reset_it(client, dsl):
    """Only the service's operators can reset a second step (in Django's admin). The page told
    a teacher to ask their DSL or the authority's administrator to reset it, and neither has
    any way to, so the teacher was stuck between people who could not help."""
    step = client.post(reverse("account_login"), {"login": dsl.email, "password": PASSWORD})
    page = client.get(step["Location"]).text
    lost = re.search(r"If you have lost your phone[^<]*", page).group(0)
    assert "DSL" not in lost
    assert "ask the local authority's administrator to contact the service's operators" in lost


def test_a_recovery_code_works_once_instead_of_the_app(client, dsl):
    code = RecoveryCodes.activate(dsl).get_unused_codes()[0]
    response = sign_in(client, dsl.email, code=code)
    assert response["Location"] == reverse("home")
    other = Client()
    again = sign_in(other, dsl.email, code=code)
    assert again.status_code == 200
    assert "_auth_user_id" not in other.session


# A committed transaction: setting up the app runs its on-commit work (the email to its owner)
# inside the request, as it does for real.
@pytest.mark.django_db(transaction=True)
def test_a_user_without_a_second_factor_sets_one_up_before_anything_else(client, school):
    user = member(Role.DSL, school, mfa=False)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("home")
    for path in [reverse("home"), reverse("choose_role")]:
        assert client.get(path)["Location"] == reverse("mfa_activate_totp")
    # Managing sign-in security asks for the password again first.
    confirm = client.get(reverse("mfa_activate_totp"))
    assert confirm["Location"].startswith(reverse("account_reauthenticate"))
    page = client.post(confirm["Location"], {"password": PASSWORD}, follow=True)
    assert "Set up your authenticator app" in page.text
    assert page.text.count("<h1") == 1  # the code's label is not a second page heading
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    codes = client.get(response["Location"])
    assert "Your recovery codes" in codes.text
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa_added", actor=user).exists()


def test_stay_signed_in_keeps_the_session_of_someone_still_setting_up_their_app(client, school):
    """The setup page warns that the session is about to end, like every page: its "Stay signed
    in" must keep the session, not be sent to the setup page, which the page reads as having
    been signed out, telling someone part way through setting up that they were."""
    user = member(Role.DSL, school, mfa=False)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    response = client.get(reverse("session_keep_alive"))

    assert response.status_code == 204
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")  # still


def test_a_session_signed_in_without_its_second_factor_is_ended_and_audited(dsl):
    # However a session came to be signed in without the sign-in pages (a route round
    # allauth's stages), holding an app is not having used it.
    client = Client()
    client.force_login(dsl)
    response = client.get(reverse("concerns:inbox"))
    assert response["Location"] == reverse("account_login") + "?next=/concerns/"
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.mfa_skipped", actor=dsl).count() == 1


def test_a_session_signed_in_with_a_password_alone_reaches_no_security_page(dsl):
    client = Client()
    client.force_login(dsl)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": 0}]
    session["account_authentication_methods_user"] = str(dsl.pk)
    session.save()
    for name in ["mfa_index", "mfa_activate_totp", "account_reauthenticate"]:
        assert client.get(reverse(name))["Location"].startswith(reverse("account_login"))


def test_the_authenticator_app_cannot_be_switched_off(client_for, dsl):
    client = reauthenticate(client_for(dsl))  # past "confirm it is you", to the refusal itself
    response = client.post(reverse("mfa_deactivate_totp"))
    assert not response.get("Location", "").startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=dsl, type="totp").exists()


def test_opening_the_app_setup_again_says_the_second_step_stays_on(client_for, dsl):
    """The setup page's address, opened again once the app is on (Back, a bookmark, the
    history), leads to a page of the service's own: headed and titled alike, saying why the
    app stays on and what to do for a new phone, with the way back to Sign-in security; not
    allauth's unstyled page whose Deactivate button always fails."""
    client = reauthenticate(client_for(dsl))
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_deactivate_totp")
    page = response.text
    heading = "Your authenticator app stays on"
    assert re.search(r'<h1 class="govuk-heading-l">\s*(.*?)\s*</h1>', page).group(1) == heading
    assert re.search(r"<title>\s*(.*?) \u2013", page).group(1) == heading
    assert "ask the local authority's administrator to contact the service's operators" in page
    assert f'href="{reverse("mfa_index")}" class="govuk-back-link"' in page
    assert "<button" not in page.split('id="main-content"')[1]
    assert "errorlist" not in page


def test_the_code_field_takes_a_pasted_code(client, dsl):
    client.post(reverse("account_login"), {"login": dsl.email, "password": PASSWORD})
    page = client.get(reverse("mfa_authenticate")).text
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", page).group(0)
    assert 'autocomplete="one-time-code"' in field
    assert "onpaste" not in page
    assert "maxlength" not in field


def test_session_key_is_rotated_at_sign_in(client, dsl):
    client.get(reverse("account_login"))
    client.session["probe"] = "x"
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    sign_in(client, dsl.email)
    assert client.cookies["sessionid"].value != before


def test_a_session_ends_twelve_hours_after_sign_in(client, dsl):
    sign_in(client, dsl.email)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["signed_in_at"] = (timezone.now() - timedelta(hours=12, minutes=1)).isoformat()
    session.save()
    response = client.get(reverse("concerns:inbox"))
    assert response["Location"] == reverse("account_login") + "?next=/concerns/"
    assert "_auth_user_id" not in client.session


def _session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def _session_writes(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in captured if q["sql"].startswith('UPDATE "django_session"')]


def test_each_page_moves_the_idle_expiry_on_to_thirty_minutes_from_now(client, dsl):
    sign_in(client, dsl.email)
    client.get(reverse("home"))
    # As if the last page was opened two minutes ago.
    session = client.session
    session[TOUCHED_AT] = (timezone.now() - timedelta(minutes=2)).isoformat()
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=28)
    )
    assert len(_session_writes(client, reverse("home"))) == 1
    left = _session_row(client).expire_date - timezone.now()
    assert timedelta(minutes=29, seconds=50) < left <= timedelta(minutes=30)


def test_pages_within_a_minute_do_not_write_the_session_again(client, dsl):
    sign_in(client, dsl.email)
    client.get(reverse("home"))
    expires = _session_row(client).expire_date
    assert _session_writes(client, reverse("home")) == []
    assert _session_writes(client, reverse("concerns:mine")) == []
    # Never more than 30 minutes after the latest page, however the saves fell.
    assert expires <= timezone.now() + timedelta(minutes=30)


def test_a_session_idle_for_thirty_minutes_has_ended(client, dsl):
    sign_in(client, dsl.email)
    client.get(reverse("home"))
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_sign_in_security_counts_the_recovery_codes_left(client, dsl):
    codes = RecoveryCodes.activate(dsl)
    total = len(codes.get_unused_codes())
    sign_in(client, dsl.email, code=codes.get_unused_codes()[0])
    page = client.get(reverse("mfa_index")).text
    assert f"{total - 1} unused" in page


def test_sign_in_security_leads_to_changing_the_password(client_for, dsl):
    # The only way to the change of password: it is linked from nowhere else.
    client = client_for(dsl)
    page = client.get(reverse("mfa_index")).text
    assert f'href="{reverse("account_change_password")}"' in page
    change = client.get(reverse("account_change_password")).text
    assert f'href="{reverse("mfa_index")}" class="govuk-back-link"' in change


def test_making_new_recovery_codes_and_signing_out_each_have_a_back_link(client_for, dsl):
    # Neither page is a dead end: without JavaScript, the back link is the way out.
    RecoveryCodes.activate(dsl)
    client = reauthenticate(client_for(dsl))
    generate = client.get(reverse("mfa_generate_recovery_codes"))
    assert generate.status_code == 200
    assert f'href="{reverse("mfa_view_recovery_codes")}" class="govuk-back-link"' in generate.text
    sign_out = client.get(reverse("account_logout"))
    assert sign_out.status_code == 200
    assert f'href="{reverse("home")}" class="govuk-back-link"' in sign_out.text
