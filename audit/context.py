"""Where the current request came from, for audit rows written deep in the workflow layer."""

from contextvars import ContextVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied

_current = ContextVar("audit_request", default=None)


def _client_address(request):
    """The person's address, as allauth's limits on signing in count it: behind the TLS
    proxy, the one the proxy wrote into X-Forwarded-For (settings.ALLAUTH_TRUSTED_PROXY_COUNT),
    not the proxy's own; None if there is none to be read."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return None


def current_request_details():
    return _current.get() or {}


class RequestDetailsMiddleware:
    """Keeps the client address, user agent, method and path of the request being served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(
            {
                "ip_address": _client_address(request),
                "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
                "method": request.method[:10],
                "path": request.path[:300],
            }
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)

    def process_exception(self, request, exception):
        """Audit every refusal: a look-up outside the user's scope, or a page their role lacks."""
        from .log import denied
        from .scope import OutOfScope

        if isinstance(exception, OutOfScope | PermissionDenied):
            denied(
                request,
                object_type=getattr(exception, "object_type", ""),
                object_id=getattr(exception, "object_id", ""),
            )
        return None
