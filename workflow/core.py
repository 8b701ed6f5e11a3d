"""What every transition shares: reading the actor, locking, checking, and writing the
WorkflowEvent and AuditEvent that record the move."""

from django.utils import timezone

from audit.log import record as audit
from concerns.models import Concern
from schools.models import DSL_ROLES, Pupil
from schools.selectors import active_memberships

from .exceptions import TransitionRefused
from .models import WorkflowEvent
from .rules import PREVIOUS, REFUSED_ROLE, Action, Actor, concern_target, may, refused_from

DESTROYED = "The records about this pupil have been destroyed. Nothing was saved."
STALE = (
    "This concern has changed since you opened the page (it is now '{status}'). "
    "Nothing was saved: check the latest version and try again."
)


def actor_for(user):
    if user is None or not user.is_authenticated or not user.is_active:
        raise TransitionRefused("You need to be signed in to do this.")
    return Actor(user, active_memberships(user))


def require_school_lead(user, school_id, message):
    """Refuse with `message` unless `user` is a DSL or deputy DSL of the school."""
    if not DSL_ROLES & actor_for(user).school_roles.get(school_id, set()):
        raise TransitionRefused(message)


def lock_concern(concern):
    """The concern's row, locked for the rest of the transaction, read with its school and
    pupil. Only the concern's row is locked: locking the pupil's and the school's too (as a
    plain FOR UPDATE over the join does) deadlocked with a colleague recording a concern about
    the pupil, who holds the pupil (`lock_pupil`) and needs the school at commit."""
    try:
        return (
            Concern.objects.select_for_update(of=("self",))
            .select_related("school__local_authority", "pupil")
            .get(pk=concern.pk)
        )
    except Concern.DoesNotExist:  # destroyed at review (workflow.retention) meanwhile
        raise TransitionRefused(DESTROYED) from None


def lock_pupil(pupil):
    """The pupil's row, locked against destruction for the rest of the transaction, before
    anything about them is written: a record written while their records are destroyed at
    review (workflow.retention) would point at a pupil who is gone. Refused if they are.
    (FOR NO KEY UPDATE: a destruction, which deletes the row, waits for it and it for one,
    as do two writes about the one pupil; the check of a foreign key that merely points at
    the pupil is not held up by it.)"""
    try:
        return Pupil.objects.select_for_update(no_key=True).get(pk=pupil.pk)
    except Pupil.DoesNotExist:
        raise TransitionRefused(DESTROYED) from None


def check_role(actor, action, concern, request=None):
    """Refuse unless the actor's role and tenancy allow `action` on this concern."""
    if not may(actor, action, concern, request):
        raise TransitionRefused(REFUSED_ROLE[action])


def check(actor, action, concern, request=None, *, expected_version=None):
    """Refuse unless the actor may make `action` on `concern` now. Returns the target status."""
    check_role(actor, action, concern, request)
    if expected_version is not None and concern.version != expected_version:
        raise TransitionRefused(STALE.format(status=concern.get_status_display()))
    target = concern_target(action, concern.status)
    if target is None:
        raise TransitionRefused(refused_from(action, concern.status))
    return target


def require(value, field, message):
    """Refuse with `message` beside `field` unless `value` has content."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise TransitionRefused(message, field=field)
    return value.strip() if isinstance(value, str) else value


def date_part(field):
    """The name a refusal gives the day of the date and time `field`: "held_at:date". A page
    shows it beside the date, where the day is put right, not beside the time."""
    return f"{field}:date"


def time_part(field):
    """The name a refusal gives the time of day of the date and time `field`: "held_at:time"."""
    return f"{field}:time"


def not_in_future(moment, field, message, *, day_message=None):
    """Refuse a `moment` later than now with `message` beside `field`.

    With `day_message` the refusal names the part that is wrong: a day after today is refused
    with `day_message` beside the day (`date_part`), a later time today with `message` beside
    the time (`time_part`)."""
    if moment <= timezone.now():
        return moment
    if day_message is None:
        raise TransitionRefused(message, field=field)
    if timezone.localdate(moment) > timezone.localdate():
        raise TransitionRefused(day_message, field=date_part(field))
    raise TransitionRefused(message, field=time_part(field))


def not_before_seen(concern, moment, field, what):
    """A step about a concern cannot come before the day the concern was seen or heard. The
    refusal is about the day, so it names the day of `field` (`date_part`)."""
    seen = timezone.localdate(concern.observed_at)
    if timezone.localdate(moment) < seen:
        raise TransitionRefused(
            f"{what} must be on or after {seen.day} {seen:%B %Y}, when the concern was seen "
            "or heard",
            field=date_part(field),
        )
    return moment


def sent_again(record, *, by, recorder, **fields):
    """Whether `by` took this step on `record` already (`recorder`: the field holding who did)
    with these `fields` as given, text compared without its outer spaces: the same form sent
    again by a second click or the back button, which is told the step is done, not refused as
    if a colleague had done it. Concern actions use submission keys instead (`done_by`)."""
    if record is None or getattr(record, recorder) != by.pk:
        return False
    return all(
        getattr(record, name) == (value.strip() if isinstance(value, str) else value)
        for name, value in fields.items()
    )


def done_by(concern, submission_key, *, by):
    """Whether `by` has already made a move on `concern` with the form `submission_key`: a
    form refused because the concern has moved on may be the one that moved it, sent twice."""
    return (
        submission_key is not None
        and concern.events.filter(submission_key=submission_key, actor=by).exists()
    )


def move(
    concern,
    action,
    target,
    *,
    by,
    note="",
    request=None,
    at=None,
    submission_key=None,
    **audit_detail,
):
    """Apply a checked move: new status and version, one WorkflowEvent, one AuditEvent. The
    `submission_key` of the form that asked for the move, if any, is kept on the WorkflowEvent
    (`done_by`)."""
    if target == PREVIOUS:
        target = request.concern_status_before
    from_status = concern.status
    concern.status = target
    return history(
        concern,
        action,
        from_status,
        by=by,
        new_version=True,
        note=note,
        request=request,
        at=at,
        submission_key=submission_key,
        **audit_detail,
    )


def history(
    concern,
    action,
    from_status,
    *,
    by,
    new_version=False,
    note="",
    request=None,
    at=None,
    submission_key=None,
    **audit_detail,
):
    """Write the WorkflowEvent and the AuditEvent for a move applied to `concern`.

    With `new_version` the move steps the concern's version on (its status saved with it), so
    that a page drawn before it is refused as stale. This is the one place a concern's version
    moves on, and the event keeps the version it produced (`WorkflowEvent.concern_version`), as
    a recording keeps the first: what a stale page missed is read from it, never counted."""
    produced = None
    if new_version:
        concern.version += 1
        concern.save(update_fields=["status", "version"])
        produced = concern.version
    elif action == Action.RECORD:
        produced = concern.version  # the concern came into being at its first version
    event = WorkflowEvent.objects.create(
        concern=concern,
        advice_request=request,
        action=action,
        from_status=from_status,
        to_status=concern.status,
        actor=by,
        at=at or timezone.now(),
        note=note,
        submission_key=submission_key,
        concern_version=produced,
    )
    audit(
        f"workflow.{action}",
        actor=by,
        obj=request if request is not None else concern,
        school=concern.school,
        concern=concern.pk,
        from_status=from_status,
        to_status=concern.status,
        **audit_detail,
    )
    return event
