"""Who may open the hub's pages at all. Scope (which requests) is the selectors' job; this is
the role check every hub view makes first, so a school's staff are refused whatever the id."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from schools.models import HUB_ROLES, Role


def _requires(roles):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.membership is None or request.membership.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


hub_only = _requires(HUB_ROLES)
hub_manager_only = _requires({Role.HUB_MANAGER})
