"""Security middleware the libraries do not provide."""

from datetime import datetime

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from schools.adapters import SIGNED_IN_AT


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


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after sign-in, however active it has been."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            if started is None:
                request.session[SIGNED_IN_AT] = timezone.now().isoformat()
            elif timezone.now() - datetime.fromisoformat(started) > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(request, "For your security you were signed out after 12 hours.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


# Pages a signed-in user without a second factor may still reach: setting one up, signing out.
_SETUP_PAGES = {
    "mfa_activate_totp",
    "mfa_index",
    "account_reauthenticate",
    "account_logout",
    "accessibility",
    "privacy",
}


class RequireSecondFactorMiddleware:
    """A user without an authenticator app is taken to set one up before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        name = request.resolver_match.url_name or ""
        if name in _SETUP_PAGES or name.startswith("mfa_view_recovery"):
            return None
        if is_mfa_enabled(request.user, types=["totp"]):
            return None
        return redirect("mfa_activate_totp")
