"""Formatting for templates: dates in the GOV.UK style, statuses and urgencies as tags.

Templates hold no business logic; they call these."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from advice.models import AdviceStatus, Urgency
from concerns.models import ConcernStatus
from safeguarding.clock import time_of_day, written, written_date

register = template.Library()

_STATUS_COLOURS = {
    ConcernStatus.RECORDED: "blue",
    ConcernStatus.WITH_HUB: "purple",
    ConcernStatus.ADVICE_RECEIVED: "turquoise",
    ConcernStatus.PARENT_CONVERSATION_LOGGED: "green",
    ConcernStatus.ESCALATED: "red",
    ConcernStatus.CLOSED: "grey",
}
_REQUEST_COLOURS = {
    AdviceStatus.OPEN: "blue",
    AdviceStatus.CLAIMED: "purple",
    AdviceStatus.ANSWERED: "green",
    AdviceStatus.WITHDRAWN: "grey",
}
_URGENCY_COLOURS = {Urgency.RED: "red", Urgency.AMBER: "orange", Urgency.GREEN: "green"}


@register.filter
def uk_date(value, zone=None):
    """28 November 2026. Code printing many dates passes the time `zone`, so it is looked up
    once (through asgiref's context-local storage, a third of a date's cost), not each time."""
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value, zone)
    return written_date(value)


@register.filter
def uk_datetime(value, zone=None):
    """28 November 2026 at 4:05pm (Europe/London, or the `zone` given)"""
    return written(value, zone) if value else ""


@register.filter
def uk_time(value):
    return time_of_day(timezone.localtime(value)) if value else ""


def _tag(colour, text):
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, text)


@register.filter
def concern_status_tag(status):
    return _tag(_STATUS_COLOURS[status], ConcernStatus(status).label)


@register.filter
def request_status_tag(status):
    return _tag(_REQUEST_COLOURS[status], AdviceStatus(status).label)


@register.filter
def urgency_tag(urgency):
    """Colour and text together: never colour alone."""
    return _tag(_URGENCY_COLOURS[urgency], Urgency(urgency).label)
