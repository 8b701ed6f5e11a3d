from django.conf import settings


def service(request):
    """The service name and the role the user is acting as, for the header of every page."""
    return {
        "service_name": settings.SERVICE_NAME,
        "current_membership": getattr(request, "membership", None),
    }
