"""Small formatting helpers for the DSL's pages."""

from django import template
from django.utils import timezone

from concerns import recording

register = template.Library()


@register.filter
def age(moment):
    """How long ago, in the unit a busy reader wants: '3 hours', '1 day', '12 days'."""
    if not moment:
        return ""
    seconds = max((timezone.now() - moment).total_seconds(), 0)
    hours = int(seconds // 3600)
    if hours < 1:
        return "Under an hour"
    if hours < 24:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = hours // 24
    return f"{days} day{'s' if days != 1 else ''}"


@register.simple_tag
def draft_lifetime():
    """How long an unfinished concern is kept after its last change, as the purge keeps it."""
    return f"{recording.DRAFT_LIFETIME.days} days"


@register.filter
def step_tag(state):
    """The GOV.UK task list's status colours for a step of the process."""
    return {
        "in_progress": "govuk-tag--light-blue",
        "due": "govuk-tag--yellow",
        "not_started": "govuk-tag--grey",
        "cannot_start": "govuk-tag--grey",
        "not_needed": "govuk-tag--grey",
    }.get(state, "")
