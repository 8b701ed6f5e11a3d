"""Which roles a page is for. Scope (whose records) is the selectors' job; this is the role."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from schools.models import DSL_ROLES, Role

LEADS = frozenset(DSL_ROLES)
SCHOOL_READERS = frozenset({*DSL_ROLES, Role.HEAD_TEACHER})
SCHOOL_PEOPLE = frozenset({*DSL_ROLES, Role.HEAD_TEACHER, Role.STAFF})
# Who may write to a concern's record: its leads and staff (the head teacher reads only).
SCHOOL_WRITERS = frozenset({*DSL_ROLES, Role.STAFF})


def role_required(roles):
    """Refuse (403) anyone not acting in one of `roles`, before anything is looked up."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = request.membership
            if membership is None or membership.role not in roles:
                raise PermissionDenied("Your role cannot use this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
