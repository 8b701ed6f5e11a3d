"""Times as a person types them into the service's time boxes."""

from django.utils import timezone


def typed_time(moment):
    """'14:30' for `moment` on a London clock; in the hour the clocks go back in October,
    which came twice, with the zone that says which ('01:30 GMT'), as the service asks."""
    local = timezone.localtime(moment)
    repeated = local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()
    return local.strftime("%H:%M %Z" if repeated else "%H:%M")
