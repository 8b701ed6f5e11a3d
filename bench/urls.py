"""The service's URLs plus the baseline page the bench measures every page against."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from safeguarding.urls import handler500  # noqa: F401  (the service's error pages)
from safeguarding.urls import urlpatterns as service_urlpatterns


@require_GET
def baseline(request, name):
    """A static template of the same size as the page it stands beside, rendered through the
    same middleware (session, sign-in, second factor, membership, audit context, headers)."""
    return render(request, f"bench/{name}.html")


urlpatterns = [
    *service_urlpatterns,
    path("bench/baseline/<slug:name>/", baseline, name="bench_baseline"),
]
