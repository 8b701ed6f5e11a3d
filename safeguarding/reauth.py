"""Exports and downloads of reports ask for the second factor again (within 5 minutes)."""

from allauth.account.decorators import reauthentication_required

EXPORT_FORMATS = {"csv", "pdf"}


def _is_export(request):
    return request.GET.get("format") in EXPORT_FORMATS


export_needs_second_factor = reauthentication_required(enabled=_is_export)
