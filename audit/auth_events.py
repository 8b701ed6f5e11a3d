"""Audit rows for sign-in events that happen inside django-allauth and django-axes.

The rest of the service audits explicitly, in the code that acts. These libraries offer no
other hook for MFA set-up, MFA use and lockouts, so their signals are received here, in one
place, and nowhere else.
"""

from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out

from .log import record


def _authenticator_added(sender, request, user, authenticator, **kwargs):
    record("auth.mfa_added", actor=user, mfa_type=authenticator.type)


def _authenticator_reset(sender, request, user, authenticator, **kwargs):
    record("auth.mfa_reset", actor=user, mfa_type=authenticator.type)


def _authenticator_used(sender, request, user, authenticator, reauthenticated=False, **kwargs):
    record(
        "auth.mfa_used", actor=user, mfa_type=authenticator.type, reauthenticated=reauthenticated
    )


def _mfa_failed(sender, request, user, authenticator=None, **kwargs):
    record("auth.mfa_failed", actor=user)


def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    record("auth.lockout", actor=None, attempted=username or "")


def connect():
    mfa_signals.authenticator_added.connect(_authenticator_added, dispatch_uid="audit-mfa-added")
    mfa_signals.authenticator_reset.connect(_authenticator_reset, dispatch_uid="audit-mfa-reset")
    mfa_signals.authenticator_used.connect(_authenticator_used, dispatch_uid="audit-mfa-used")
    mfa_signals.authentication_failed.connect(_mfa_failed, dispatch_uid="audit-mfa-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit-lockout")
