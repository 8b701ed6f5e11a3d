from django.conf import settings

from .navigation import tasks_for


def service(request):
    """The service name, the role the user is acting as and its menu, for every page."""
    membership = getattr(request, "membership", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "current_membership": membership,
        "navigation": [t for t in tasks_for(membership.role) if t["url"]] if membership else [],
    }
