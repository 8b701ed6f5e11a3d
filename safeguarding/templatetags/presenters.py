"""Formatting for templates: dates in the GOV.UK style, statuses and urgencies as tags.

Templates hold no business logic; they call these."""

from django import template
from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
)
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from advice.models import AdviceStatus, Urgency
from concerns.models import ConcernStatus
from safeguarding import markup
from safeguarding.clock import time_of_day, written, written_date, written_length

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
def duration(value):
    """12 hours, 30 minutes: a setting's length of time (a timedelta or seconds) in words."""
    return written_length(value)


@register.simple_tag
def password_min_length():
    """The fewest characters a password may have, as AUTH_PASSWORD_VALIDATORS check it (None
    if they do not)."""
    for validator in get_default_password_validators():
        if isinstance(validator, MinimumLengthValidator):
            return validator.min_length
    return None


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


@register.filter
def typed(value):
    """Words someone typed (a name, a reason), among the page's own words: in Arabic or Urdu
    they run right to left within the sentence, neither jumbling it nor taking its full stop.
    A block that holds only typed words says `dir="auto"` itself instead."""
    return mark_safe(markup.typed(conditional_escape(value)))  # nosec B308 B703


@register.filter
def with_typed(message):
    """A message of the service's with typed words within it (a pupil's name in a problem
    with an imported line): a string, or its pieces as (text, typed) pairs. Each typed piece
    runs in its own direction, as `typed` writes it; the rest keeps the page's."""
    if isinstance(message, str):
        return conditional_escape(message)
    return mark_safe(  # nosec B308 B703
        "".join(
            markup.typed(conditional_escape(text)) if typed else conditional_escape(text)
            for text, typed in message
        )
    )


class PrintFrameNode(template.Node):
    def __init__(self, head, body):
        self.head, self.body = head, body

    def render(self, context):
        return (
            '<table class="app-print-frame" role="presentation">\n'
            f"  <thead><tr><td>{self.head.render(context)}</td></tr></thead>\n"
            f"  <tbody><tr><td>{self.body.render(context)}</td></tr></tbody>\n"
            "</table>"
        )


@register.tag
def print_frame(parser, token):
    """A page about one child that may be printed:
    `{% print_frame %}running head{% print_body %}the record{% endprint_frame %}`. Printed,
    or saved as a PDF, the running head (who the child is, which school) is at the top of every
    page, so a page that comes apart from the rest is known for whose it is; on screen it is
    hidden, the page's own heading saying it once. The print stylesheet's `.app-print-frame`
    makes it a table whose head the browser repeats on each page."""
    head = parser.parse(("print_body",))
    parser.delete_first_token()
    body = parser.parse(("endprint_frame",))
    parser.delete_first_token()
    return PrintFrameNode(head, body)
