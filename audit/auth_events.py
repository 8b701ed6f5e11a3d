"""Audit rows for sign-in events that happen inside django-allauth and django-axes.

The rest of the service audits explicitly, in the code that acts. These libraries offer no
other hook for MFA set-up, use, failure and removal (of a passkey) and for lockouts, so their
signals are received here, in one place, for the audit trail.
"""

from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out

from .log import record


def _authenticator_added(sender, request, user, authenticator, **kwargs):
    record(
        "auth.mfa_added", actor=user, mfa_type=authenticator.type, authenticator=authenticator.pk
    )


def _authenticator_removed(sender, request, user, authenticator, **kwargs):
    # Only passkeys can be removed by their owner; recovery codes go with the last of them
    # only if the account had nothing else, which the service never allows.
    # allauth sends this after the row is deleted, when Django has cleared its pk: the page's
    # address still names it.
    match = getattr(request, "resolver_match", None)
    removed = authenticator.pk or (match.kwargs.get("pk") if match else None)
    record("auth.mfa_removed", actor=user, mfa_type=authenticator.type, authenticator=removed)


def _authenticator_reset(sender, request, user, authenticator, **kwargs):
    record("auth.mfa_reset", actor=user, mfa_type=authenticator.type)


def _authenticator_used(sender, request, user, authenticator, reauthenticated=False, **kwargs):
    record(
        "auth.mfa_used",
        actor=user,
        mfa_type=authenticator.type,
        authenticator=authenticator.pk,
        reauthenticated=reauthenticated,
    )


def _mfa_failed(sender, request, user, authenticator=None, mfa_type="", **kwargs):
    # A wrong code names the app; a refused passkey names no authenticator (the browser's
    # answer did not match one), only that it was a passkey (schools/forms.py).
    record(
        "auth.mfa_failed", actor=user, mfa_type=authenticator.type if authenticator else mfa_type
    )


def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    record("auth.lockout", actor=None, attempted=username or "")


def connect():
    mfa_signals.authenticator_added.connect(_authenticator_added, dispatch_uid="audit-mfa-added")
    mfa_signals.authenticator_removed.connect(
        _authenticator_removed, dispatch_uid="audit-mfa-removed"
    )
    mfa_signals.authenticator_reset.connect(_authenticator_reset, dispatch_uid="audit-mfa-reset")
    mfa_signals.authenticator_used.connect(_authenticator_used, dispatch_uid="audit-mfa-used")
    mfa_signals.authentication_failed.connect(_mfa_failed, dispatch_uid="audit-mfa-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit-lockout")
