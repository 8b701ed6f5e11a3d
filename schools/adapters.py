"""How django-allauth and django-axes fit this service: no public sign-up, a second factor that
cannot be switched off, lockouts keyed on the email address, and sign-ins audited."""

import math
from datetime import timedelta
from urllib.parse import quote

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Max
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from audit.log import record
from workflow import notify

from . import secrets

SIGNED_IN_AT = "signed_in_at"


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by an administrator: nobody can sign themselves up."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Says what to do, without telling which of the two was wrong.
        "email_password_mismatch": "Check your email address and password: one of them is not "
        "right",
    }

    def is_open_for_signup(self, request):
        return False

    def login(self, request, user):
        super().login(request, user)
        request.session[SIGNED_IN_AT] = timezone.now().isoformat()
        record("auth.login", actor=user, obj=user)

    def send_mail(self, template_prefix, email, context):
        # The service's name, not the host the request named, in every email allauth sends.
        super().send_mail(
            template_prefix, email, {**context, "service_name": settings.SERVICE_NAME}
        )

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        # A notice of a change already made (a new password, a passkey) goes through the outbox
        # (workflow/notify.py), as every other email that tells of something done: written
        # with the change, sent once it has committed, and retried while the mail server is
        # down. An outage neither loses the notice (how someone learns that another person may
        # be signing in as them) nor turns the change into the service's error page, or undoes
        # it. The emailed link to choose a password is not queued: it is sent at once, or the
        # page says it could not be (schools/views.py), and its key is never stored.
        if not account_settings.EMAIL_NOTIFICATIONS:
            return
        address = email or user.email
        to_them = address.lower() == user.email.lower()  # not a notice to an address left behind
        message = self.render_mail(
            template_prefix,
            address,
            {
                "email": address,
                "service_name": settings.SERVICE_NAME,
                "timestamp": timezone.now(),
                **(context or {}),
            },
        )
        notify.queue(
            notify.SIGN_IN + template_prefix.rsplit("/", 1)[-1],
            [user if to_them else address],
            subject=message.subject,
            body=message.body,
            footer="",  # the notice's own says it holds nothing about a child
        )

    def get_reset_password_from_key_url(self, key):
        # The service's public address, as every other email's links (workflow/notify.py): not
        # built from the request's Host header.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", quote(key))

    def get_reauthentication_methods(self, user):
        # Confirming it is you means the second factor when the user has one, not the password.
        methods = super().get_reauthentication_methods(user)
        second_factor = [m for m in methods if m["id"].startswith("mfa_")]
        return second_factor or methods

    def authentication_failed(self, request, **credentials):
        # Who was tried, not whether they exist: the same row either way.
        record("auth.login_failed", actor=None, attempted=axes_username(request, credentials))


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        # Every account needs its authenticator app; an administrator resets a lost one.
        # Passkeys are extra to it, so removing one never leaves an account without a second
        # factor (docs/adr/003-second-factor.md).
        return authenticator.type != Authenticator.Type.TOTP

    def encrypt(self, text):
        return secrets.encrypt(text)

    def decrypt(self, encrypted_text):
        try:
            return secrets.decrypt(encrypted_text)
        except InvalidToken:
            # Not a person's mistake: the keys were changed before the secrets were rotated.
            raise ImproperlyConfigured(
                "An authenticator secret could not be decrypted with any of MFA_SECRET_KEYS: "
                "restore the key it was encrypted with (SECURITY.md, replacing a key)."
            ) from None

    def get_public_key_credential_rp_entity(self):
        # The name a browser shows when it asks for the passkey; the id stays the host name.
        return {**super().get_public_key_credential_rp_entity(), "name": settings.SERVICE_NAME}


def axes_username(request, credentials):
    """The account a sign-in attempt is for, as django-axes counts failures against it."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login") or request.POST.get("email")
    return (value or "").strip().lower()


def locked_out(request, original_response=None, credentials=None):
    """django-axes' page for a paused account (AXES_LOCKOUT_CALLABLE), saying how long is left
    of the pause, rounded up to the minute: a try while paused does not start it again
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so someone coming back 10 minutes in has
    5 minutes to wait, not 15."""
    pause = settings.AXES_COOLOFF_TIME
    last = AccessAttempt.objects.filter(username=axes_username(request, credentials)).aggregate(
        last=Max("attempt_time")
    )["last"]
    left = pause if last is None else min(pause, last + pause - timezone.now())
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"left": timedelta(minutes=minutes)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
