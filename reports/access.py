"""Role checks for the reports app's pages. Records are scoped by the selectors; these only
refuse a role that has no business on a page (403), which reveals nothing about any record."""

from django.core.exceptions import PermissionDenied


def require_role(request, roles):
    """The membership the user is acting as, if its role is one of `roles`; otherwise 403."""
    membership = request.membership
    if membership is None or membership.role not in roles:
        raise PermissionDenied("Your role does not give you access to this page.")
    return membership
