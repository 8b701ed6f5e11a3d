"""Whoever holds an account is emailed when the way they sign in changes: a new password, a new
authenticator app, new recovery codes, a passkey added or removed. If it was not them, someone
else may be able to sign in as them, and this email is how they find out. Each goes through the
outbox (workflow/notify.py), so a mail server that is down delays it, and loses none."""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from schools.models import Role
from tests.conftest import reauthenticate
from tests.factories import PASSWORD, UserFactory, member, signed_in, totp_code
from workflow.models import Notification
from workflow.notify import deliver

from .test_passkeys import add_passkey, passkeys_of

WHEN = re.compile(r"on \d{1,2} [A-Z][a-z]+ \d{4} at (\d{1,2}:\d\d[ap]m|midday|midnight)")


def the_notice(mailoutbox, user):
    """The one email about a sign-in change, checked for what every one of them says."""
    [email] = mailoutbox
    assert email.to == [user.email]
    sent = Notification.objects.get(subject=email.subject)  # through the outbox
    assert (sent.user, sent.status) == (user, Notification.Status.SENT)
    assert sent.kind.startswith("sign_in_")
    assert settings.SERVICE_NAME in email.subject  # through the service's AccountAdapter
    assert WHEN.search(email.body), email.body  # when, as the pages write dates
    assert "If it was not you" in email.body
    # The administrator can stop the account being used (by ending its roles); a DSL cannot,
    # and was named as if they could, so someone whose account was taken over went to them.
    assert (
        "Tell your local authority's administrator straight away: they can end your roles"
        in email.body
    )
    assert "tell your designated safeguarding lead (DSL) too" in email.body
    # Nothing that belongs to allauth's own wording or a request's details.
    for stray in ["example.com", "IP address", "Browser:", "Hello from"]:
        assert stray not in email.body
    return email


def test_a_changed_password_is_emailed_to_its_owner(
    client_for, dsl, mailoutbox, django_capture_on_commit_callbacks
):
    new = "several unrelated words 2026"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(dsl).post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": new, "password2": new},
        )
    assert response.status_code == 302
    email = the_notice(mailoutbox, dsl)
    assert "password" in email.subject.lower()
    assert f"Your password for {settings.SERVICE_NAME} was changed on" in email.body


@pytest.mark.parametrize("first", [False, True], ids=["reset", "first password"])
def test_a_password_chosen_from_the_emailed_link_is_emailed_to_its_owner(
    client, school, mailoutbox, first, django_capture_on_commit_callbacks
):
    dsl = member(Role.DSL, school, mfa=not first)
    if first:  # a new account: its holder chooses a password from the email that set it up
        dsl.set_unusable_password()
        dsl.save()
    client.post(reverse("account_reset_password"), {"email": dsl.email})
    link = re.search(r"(/account/password/reset/key/\S+)", mailoutbox[0].body).group(1)
    page = client.get(link, follow=True)
    url = page.redirect_chain[-1][0] if page.redirect_chain else link
    mailoutbox.clear()
    new = "plum-orbit-lantern-42"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"password1": new, "password2": new}).status_code == 302
    email = the_notice(mailoutbox, dsl)
    # Said so that it is true of a first password as of a forgotten one replaced.
    assert f"A new password for {settings.SERVICE_NAME} was chosen on" in email.body


# Setting up the app and making new codes email their owner once the change has committed,
# from inside the request (allauth's context): a committed transaction, not a captured callback
# run after the request has gone.
@pytest.mark.django_db(transaction=True)
def test_setting_up_the_authenticator_app_is_emailed(client, school, mailoutbox):
    user = member(Role.DSL, school, mfa=False)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    confirm = client.get(reverse("mfa_activate_totp"))
    page = client.post(confirm["Location"], {"password": PASSWORD}, follow=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    email = the_notice(mailoutbox, user)
    assert "An authenticator app was set up" in email.body


# Setting up the app and making new codes email their owner once the change has committed,
# from inside the request (allauth's context): a committed transaction, not a captured callback
# run after the request has gone.
@pytest.mark.django_db(transaction=True)
def test_new_recovery_codes_are_emailed(client_for, dsl, mailoutbox):
    RecoveryCodes.activate(dsl)
    client = reauthenticate(client_for(dsl))
    response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    email = the_notice(mailoutbox, dsl)
    assert "New recovery codes were made" in email.body
    assert "old codes no longer work" in email.body


def test_a_passkey_added_and_one_removed_are_each_emailed(
    client_for, dsl, mailoutbox, django_capture_on_commit_callbacks
):
    client = reauthenticate(client_for(dsl))
    with django_capture_on_commit_callbacks(execute=True):
        add_passkey(client)
    added = the_notice(mailoutbox, dsl)
    assert "A passkey was added" in added.body
    mailoutbox.clear()
    passkey = passkeys_of(dsl).get()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("mfa_remove_webauthn", args=[passkey.pk])).status_code == 302
    removed = the_notice(mailoutbox, dsl)
    assert "A passkey was removed" in removed.body


def _change_password(client, *, mail_down, django_capture_on_commit_callbacks, settings):
    new = "several unrelated words 2026"
    backend = settings.EMAIL_BACKEND
    if mail_down:
        settings.EMAIL_BACKEND = "tests.mail_down.MailServerDown"
    with django_capture_on_commit_callbacks(execute=True):  # the request's change commits
        response = client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": new, "password2": new},
        )
    settings.EMAIL_BACKEND = backend
    return response, new


def test_a_password_change_while_mail_is_down_is_made_and_its_notice_sent_afterwards(
    client_for, dsl, settings, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    # The email is a notice, not the change: a mail server that is down must not turn a new
    # password into the service's error page (or undo it). Sent at once, the notice was lost:
    # nobody learned that their password had been changed, by them or by someone else.
    response, new = _change_password(
        client_for(dsl),
        mail_down=True,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        settings=settings,
    )
    assert response.status_code == 302
    dsl.refresh_from_db()
    assert dsl.check_password(new)
    assert dsl.email not in caplog.text
    notice = Notification.objects.get()
    assert (notice.status, notice.attempts) == (Notification.Status.PENDING, 1)
    assert mailoutbox == []

    # The mail server is back, and the retry is due: send_notifications sends it.
    Notification.objects.update(next_attempt_at=timezone.now())
    assert deliver() == (1, 0)
    email = the_notice(mailoutbox, dsl)
    assert f"Your password for {settings.SERVICE_NAME} was changed on" in email.body


def test_a_sign_in_notice_is_sent_to_someone_with_no_role_as_to_anyone(
    client, db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    # A notice about a person's own account, not about anyone's work: a system operator, who
    # holds no role in a school or authority, is told of their new password too, as are those
    # whose role ended between the change and the mail server coming back.
    operator = UserFactory(email="operator@example.org", is_staff=True)
    _change_password(
        signed_in(client, operator),
        mail_down=True,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        settings=settings,
    )
    Notification.objects.update(next_attempt_at=timezone.now())

    assert deliver() == (1, 0)
    the_notice(mailoutbox, operator)


def test_a_notice_sent_after_its_persons_address_was_corrected_names_no_old_address(
    client_for, dsl, settings, mailoutbox, django_capture_on_commit_callbacks
):
    # Queued while the mail server was down, then the person's mistyped address corrected: the
    # retry goes to the address as it is now, and must not tell them it was sent to the old
    # one (whoever reads it would think the account is someone else's, or that a stranger has
    # their mail).
    old = dsl.email
    _change_password(
        client_for(dsl),
        mail_down=True,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        settings=settings,
    )
    dsl.email = "corrected.address@example.org"
    dsl.save(update_fields=["email"])
    Notification.objects.update(next_attempt_at=timezone.now())

    assert deliver() == (1, 0)
    email = the_notice(mailoutbox, dsl)
    assert email.to == ["corrected.address@example.org"]
    assert old not in email.body
    assert old not in email.subject
    assert "This email holds no details about any child." in email.body
