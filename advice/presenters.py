"""Words for the hub's pages: how long until a request is due, or how late it is."""

from workflow.working_time import WORKING_DAY, working_hours_between

from .models import AdviceStatus

_HOURS_PER_DAY = WORKING_DAY.total_seconds() / 3600


def _plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def working_time(hours):
    """'less than 1 working hour', '3 working hours', '2 working days' (rounded down)."""
    if hours < 1:
        return "less than 1 working hour"
    if hours < _HOURS_PER_DAY:
        return _plural(int(hours), "working hour")
    return _plural(int(hours // _HOURS_PER_DAY), "working day")


def due_phrase(advice_request, now):
    """'Due in 3 working hours' / 'Overdue by 1 working day', or how an answer met its target."""
    if advice_request.status == AdviceStatus.ANSWERED:
        on_time = advice_request.advised_at <= advice_request.due_at
        return "Answered within the target" if on_time else "Answered after the target"
    if advice_request.status == AdviceStatus.WITHDRAWN:
        return "Withdrawn by the school"
    if advice_request.due_at >= now:
        return f"Due in {working_time(working_hours_between(now, advice_request.due_at))}"
    return f"Overdue by {working_time(working_hours_between(advice_request.due_at, now))}"


def is_overdue(advice_request, now):
    return advice_request.is_open and advice_request.due_at < now
