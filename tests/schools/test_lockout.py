"""Five failed sign-ins for an account in 15 minutes pause it for 15 minutes."""

from datetime import timedelta
from urllib.parse import urlencode

from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from schools.models import Role, User
from tests.factories import PASSWORD, member, totp_code

from .test_sign_in import sign_in


def fail(client, email, times):
    for _ in range(times):
        client.post(reverse("account_login"), {"login": email, "password": "wrong-password-123"})


def test_five_failures_lock_the_account_even_with_the_right_password(client, dsl):
    fail(client, dsl.email, 5)
    response = sign_in(Client(), dsl.email)
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.text
    # Five failures, then the refused sixth attempt: every one is audited.
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 6
    assert AuditEvent.objects.filter(action="auth.lockout").exists()


def test_failures_count_together_however_the_address_is_typed(client, dsl):
    """Sign-in does not mind capitals or spaces round the address, so neither does the count:
    otherwise each way of typing it would get five guesses of its own."""
    local, domain = dsl.email.split("@")
    for typed in [
        dsl.email.upper(),
        f" {dsl.email} ",
        f"{local.capitalize()}@{domain}",
        f"{local}@{domain.upper()}",
        f"\t{dsl.email.title()}",
    ]:
        fail(client, typed, 1)
    assert sign_in(Client(), dsl.email).status_code == 429


def test_four_failures_do_not_lock(client, dsl):
    fail(client, dsl.email, 4)
    assert sign_in(Client(), dsl.email)["Location"] == reverse("home")


def test_lockout_does_not_reveal_whether_the_account_exists(client, dsl):
    fail(client, dsl.email, 6)
    fail(client, "nobody@example.org", 6)
    real = client.post(reverse("account_login"), {"login": dsl.email, "password": "x"})
    ghost = client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "x"})
    assert real.status_code == ghost.status_code == 429
    assert real.text.replace(dsl.email, "") == ghost.text.replace("nobody@example.org", "")


def test_a_lockout_ends_after_fifteen_minutes(client, dsl, settings):
    fail(client, dsl.email, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert sign_in(Client(), dsl.email).status_code == 429  # still paused
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(Client(), dsl.email)["Location"] == reverse("home")


def test_trying_again_while_paused_does_not_restart_the_pause(client, dsl):
    """The page says to wait 15 minutes: someone who tries again after 10 can sign in 5 minutes
    later, not 15 minutes after each try, which would keep them out for as long as they kept
    trying."""
    fail(client, dsl.email, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    assert sign_in(Client(), dsl.email).status_code == 429  # still paused
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=6))
    assert sign_in(Client(), dsl.email)["Location"] == reverse("home")


def test_the_paused_page_says_how_long_is_left_not_the_whole_pause(client, dsl):
    """Someone who comes back 10 minutes into the pause is told to wait the 5 minutes left,
    rounded up to the minute: told 15, they would stay away three times as long as they had to."""
    fail(client, dsl.email, 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=10))

    page = sign_in(Client(), dsl.email)

    assert page.status_code == 429
    assert "Wait 5 minutes, then" in page.text
    assert "15 minutes" not in page.text


def test_the_authoritys_admin_sees_and_clears_a_lockout(
    client, client_for, dsl, la_admin, other_la_advisor
):
    fail(client, dsl.email, 5)
    fail(client, other_la_advisor.email, 5)
    admin = client_for(la_admin)
    page = admin.get(reverse("lockouts"))
    assert dsl.email in page.text
    assert other_la_advisor.email not in page.text  # another authority's people
    admin.post(reverse("lockouts"), {"username": dsl.email})
    assert AuditEvent.objects.filter(action="auth.lockout_cleared", actor=la_admin).count() == 1
    assert sign_in(Client(), dsl.email)["Location"] == reverse("home")


def test_an_admin_cannot_clear_another_authoritys_lockout(
    client, client_for, la_admin, other_la_advisor
):
    fail(client, other_la_advisor.email, 5)
    client_for(la_admin).post(reverse("lockouts"), {"username": other_la_advisor.email})
    assert sign_in(Client(), other_la_advisor.email).status_code == 429


def test_only_the_authoritys_admin_sees_lockouts(client_for, dsl, hub_manager):
    for user in [dsl, hub_manager]:
        assert client_for(user).get(reverse("lockouts")).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").count() == 2


def test_a_failed_sign_in_keeps_neither_the_address_asked_for_nor_the_email(client, dsl):
    """The page someone was sent to sign in from may hold a child's name: the service no
    longer puts a search in an address, but an old bookmark may still have one."""
    asked_for = reverse("concerns:pupils") + "?q=Amelia+Ahmed"
    client.post(
        reverse("account_login") + "?" + urlencode({"next": asked_for}),
        {"login": dsl.email, "password": "wrong-password-123"},
    )
    attempt = AccessAttempt.objects.get()
    kept = attempt.get_data + attempt.post_data
    assert "Amelia" not in kept
    assert dsl.email not in kept
    assert attempt.failures_since_start == 1  # the lockout still counts the account's failures


def test_the_lockouts_page_lists_each_paused_account_once_with_all_its_failures(
    client_for, dsl, la_admin
):
    # Three failures on a school computer and two on a phone: axes counts them together.
    admin = client_for(la_admin)
    fail(Client(REMOTE_ADDR="10.0.0.1"), dsl.email, 3)
    fail(Client(REMOTE_ADDR="10.0.0.2"), dsl.email, 2)
    page = admin.get(reverse("lockouts"))
    assert page.text.count(f'value="{dsl.email}"') == 1
    assert [row["failures"] for row in page.context["locked"]] == [5]
    assert sign_in(Client(), dsl.email).status_code == 429
    admin.post(reverse("lockouts"), {"username": dsl.email})
    assert sign_in(Client(), dsl.email)["Location"] == reverse("home")


def test_a_lockout_whose_15_minutes_have_passed_is_not_listed(client_for, dsl, la_admin):
    admin = client_for(la_admin)  # (signing in clears out old attempts: sign in first)
    fail(Client(), dsl.email, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert dsl.email not in admin.get(reverse("lockouts")).text
    assert sign_in(Client(), dsl.email)["Location"] == reverse("home")


def test_clearing_a_lockout_that_ended_meanwhile_says_it_has_ended(client_for, dsl, la_admin):
    admin = client_for(la_admin)
    fail(Client(), dsl.email, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    page = admin.post(reverse("lockouts"), {"username": dsl.email}, follow=True).text
    assert f"{dsl.email} is no longer locked out, so can sign in now." in page
    assert not AuditEvent.objects.filter(action="auth.lockout_cleared").exists()


def test_clearing_another_authoritys_person_says_nothing_about_them(
    client, client_for, la_admin, other_la_advisor
):
    page = client_for(la_admin).post(
        reverse("lockouts"), {"username": other_la_advisor.email}, follow=True
    )
    assert other_la_advisor.email not in page.text


def wrong_code():
    return "000000" if totp_code() != "000000" else "111111"


def test_five_wrong_codes_lock_the_account_even_with_the_right_code(client, dsl):
    # Someone who has the password must not get to guess the app's six digits: a wrong code
    # counts as a failed sign-in, as a wrong password does, and five of them pause the account.
    client.post(reverse("account_login"), {"login": dsl.email, "password": PASSWORD})
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong_code()})

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert "_auth_user_id" not in client.session
    assert "Too many attempts to sign in" in response.text
    assert sign_in(Client(), dsl.email).status_code == 429  # the password alone is paused too
    assert AuditEvent.objects.filter(action="auth.lockout").exists()


def test_wrong_codes_from_fresh_sign_ins_count_together(dsl):
    for _ in range(5):
        sign_in(Client(), dsl.email, code=wrong_code())

    assert sign_in(Client(), dsl.email).status_code == 429


def test_four_wrong_codes_do_not_lock(dsl):
    for _ in range(4):
        sign_in(Client(), dsl.email, code=wrong_code())

    assert sign_in(Client(), dsl.email)["Location"] == reverse("home")


def test_wrong_codes_before_a_download_count_towards_the_lockout(client_for, head):
    # A session left open on a shared computer must not give unlimited guesses at the code
    # that "confirm it's you" asks for before a report leaves the service.
    client = client_for(head)
    for _ in range(5):
        client.post(reverse("mfa_reauthenticate"), {"code": wrong_code()})

    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code()})
    assert "Too many attempts to sign in" in response.text
    download = client.get(reverse("reports:audit"), {"format": "csv"})
    assert download["Location"].startswith(reverse("mfa_reauthenticate"))
    assert sign_in(Client(), head.email).status_code == 429
    assert AuditEvent.objects.filter(action="auth.lockout").exists()


def test_an_administrator_cannot_clear_their_own_lockout(client_for, la_admin):
    # Someone may be guessing the admin's own password: another administrator checks with them.
    admin = client_for(la_admin)
    fail(Client(), la_admin.email, 5)
    assert "Another administrator clears this" in admin.get(reverse("lockouts")).text
    page = admin.post(reverse("lockouts"), {"username": la_admin.email}, follow=True).text
    assert "You cannot clear your own lockout: ask another administrator" in page
    assert sign_in(Client(), la_admin.email).status_code == 429
    assert not AuditEvent.objects.filter(action="auth.lockout_cleared").exists()


def test_an_account_with_a_role_in_another_authority_is_not_cleared_here(
    client, client_for, la_admin, school, other_la_advisor
):
    """An administrator giving a role to another authority's person, to clear their lockout
    again and again while guessing, finds the account is not theirs to clear."""
    member(Role.STAFF, school, email=other_la_advisor.email)
    fail(client, other_la_advisor.email, 5)
    admin = client_for(la_admin)
    assert other_la_advisor.email not in admin.get(reverse("lockouts")).text
    page = admin.post(reverse("lockouts"), {"username": other_la_advisor.email}, follow=True)
    assert other_la_advisor.email not in page.text  # not "no longer locked out" either
    assert sign_in(Client(), other_la_advisor.email).status_code == 429
    assert not AuditEvent.objects.filter(action="auth.lockout_cleared").exists()


def test_an_operators_lockout_is_not_cleared_by_an_authority(client, client_for, la_admin, dsl):
    User.objects.filter(pk=dsl.pk).update(is_staff=True)  # an operator who also holds a role
    fail(client, dsl.email, 5)
    admin = client_for(la_admin)
    assert dsl.email not in admin.get(reverse("lockouts")).text
    admin.post(reverse("lockouts"), {"username": dsl.email})
    assert sign_in(Client(), dsl.email).status_code == 429
