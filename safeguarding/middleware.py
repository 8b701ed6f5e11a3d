"""Security middleware the libraries do not provide."""

from datetime import datetime

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from audit.log import record
from schools.adapters import SIGNED_IN_AT

from .clock import written_length
from .views import health


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; nothing a signed-in user sees is ever cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
            response.headers["Cache-Control"] += ", no-store"
        return response


class HealthCheckMiddleware:
    """Answers /health/ before Django checks the Host header against ALLOWED_HOSTS (in
    CommonMiddleware), so a load balancer that asks by the server's address, as most do and
    some cannot be told otherwise, gets the server's health and not a 400. The answer names
    no host and no one, and nothing else is reachable this way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/health/":
            return health(request)
        return self.get_response(request)


# When the session's idle expiry was last pushed back (written with the session).
TOUCHED_AT = "touched_at"


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_AGE (12 hours) after sign-in, however active it has
    been, and after SESSION_COOKIE_AGE (30 minutes) without a request.

    The idle expiry moves on when the session is saved. Saving it on every request would write
    and commit a row for every page anyone opens, so it is saved when the expiry would move by
    SESSION_TOUCH_INTERVAL (a minute) or more. A session therefore ends between 29 and 30 idle
    minutes after the last request: never later than 30.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now()
            started = request.session.get(SIGNED_IN_AT)
            if started is None:
                request.session[SIGNED_IN_AT] = now.isoformat()
            elif now - datetime.fromisoformat(started) > settings.SESSION_ABSOLUTE_AGE:
                # The request goes on signed out, as one after 30 idle minutes does: a form being
                # sent now is kept by the page or KeepTypedFormMiddleware, and LoginRequired
                # sends them to sign in and back here after.
                logout(request)
                lasted = written_length(settings.SESSION_ABSOLUTE_AGE)
                messages.info(request, f"For your security you were signed out after {lasted}.")
        response = self.get_response(request)
        if request.user.is_authenticated:
            _touch(request.session)
        return response


def _touch(session):
    """Mark the session for saving (which moves its idle expiry on) if it was last saved for
    that reason a touch interval ago or more."""
    now = timezone.now()
    touched = session.get(TOUCHED_AT)
    if touched is None or now - datetime.fromisoformat(touched) >= settings.SESSION_TOUCH_INTERVAL:
        session[TOUCHED_AT] = now.isoformat()


# Pages a signed-in user without a second factor may still reach: setting one up, signing out.
_SETUP_PAGES = {
    "mfa_activate_totp",
    "mfa_index",
    "account_reauthenticate",
    "account_logout",
    "session_keep_alive",  # the setup page's "Stay signed in": it only moves the session on
    "accessibility",
    "privacy",
}


def second_factor_used(request):
    """Whether this session was signed in with a second factor (or set one up), as allauth
    records each way a session proved who it is."""
    records = get_authentication_records(request, request.user)
    return any(r.get("method") == "mfa" for r in records)


class RequireSecondFactorMiddleware:
    """Every signed-in session has used a second factor.

    A user without an authenticator app is taken to set one up before anything else. A session
    signed in without the app its user has (a route round allauth's sign-in stages) is ended and
    audited: holding an app is not the same as having used it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        if is_mfa_enabled(request.user, types=["totp"]):
            if second_factor_used(request):
                return None
            record("auth.mfa_skipped", actor=request.user, obj=request.user)
            logout(request)
            return redirect_to_login(request.get_full_path())
        name = request.resolver_match.url_name or ""
        if name in _SETUP_PAGES or name.startswith("mfa_view_recovery"):
            return None
        return redirect("mfa_activate_totp")
