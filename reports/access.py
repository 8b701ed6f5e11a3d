"""Role checks for the reports app's pages. Records are scoped by the selectors; these only
refuse a role that has no business on a page (403), which reveals nothing about any record."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def require_role(request, roles):
    """The membership the user is acting as, if its role is one of `roles`; otherwise 403."""
    membership = request.membership
    if membership is None or membership.role not in roles:
        raise PermissionDenied("Your role does not give you access to this page.")
    return membership


def role_required(roles):
    """Decorator form of `require_role`, for checks that must come before others."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_role(request, roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
