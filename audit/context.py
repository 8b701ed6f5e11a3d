"""Where the current request came from, for audit rows written deep in the workflow layer."""

from contextvars import ContextVar

_current = ContextVar("audit_request", default=None)


def current_request_details():
    return _current.get() or {}


class RequestDetailsMiddleware:
    """Keeps the client address, user agent, method and path of the request being served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(
            {
                "ip_address": request.META.get("REMOTE_ADDR") or None,
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
        from django.core.exceptions import PermissionDenied

        from .log import denied
        from .scope import OutOfScope

        if isinstance(exception, OutOfScope | PermissionDenied):
            denied(
                request,
                object_type=getattr(exception, "object_type", ""),
                object_id=getattr(exception, "object_id", ""),
            )
        return None
