"""Subject access requests for a pupil's child protection records (UK GDPR article 15).

The school answers without undue delay and within one calendar month of receiving the
request. The Information Commissioner's Office counts the month from the day of receipt to the
same date in the next month (the month's last day when it has no such date), moved on to the
next working day when that falls at a weekend or on a bank holiday. A complex request may be
extended by two further months, if the requester is told why within the first month. Where the
school holds a lot of information about the pupil, it may ask the requester which information
the request is about, by the due day: the time limit stands still from that day until their
answer arrives, and every day it stood still moves the due day on by a day ("stopping the
clock": the ICO's guidance, and Article 12A of the UK GDPR since 5 February 2026). Where the
school needed proof of who the requester is, or that they act for the pupil, and asked for it
(article 12(6)), the time limit starts on the day that proof arrives, not the day of receipt
(article 12A(3)(b)).
Information may be withheld, for example where disclosing it would be likely to cause serious
harm to the child or another person; the reason is recorded with the answer.

Each step is recorded by a DSL or deputy of the pupil's school, with its audit row in the same
transaction. A form drawn before a colleague recorded the answer is refused, not applied.
"""

import calendar
import hashlib
import json
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.log import record as audit
from concerns.models import (
    WITHHOLDING,
    AccessAnswer,
    AccessBasis,
    Concern,
    SubjectAccessRequest,
)

from .core import DESTROYED, lock_pupil, require, require_school_lead, sent_again
from .exceptions import Stale, TransitionRefused
from .working_time import is_working_day

MONTHS = 1
EXTENDED_MONTHS = 3
NOT_A_LEAD = "Only the school's DSL or a deputy DSL can record subject access requests."
ANSWERED = "Someone has already recorded the answer to this request. Nothing was saved."
EXTENDED = "This request has already been extended. Nothing was saved."
ASKED = "Someone has already recorded asking the requester to clarify. Nothing was saved."
NOT_ASKED = "The requester has not been asked to clarify this request. Nothing was saved."
CLARIFIED = "Someone has already recorded the requester's clarification. Nothing was saved."
STALE_REQUEST = (
    "Someone has corrected this request since this page was opened: it now shows their "
    "details. Check them, then save again. Nothing was saved."
)
STALE_EXTENSION = (
    "Someone has corrected the extension since this page was opened: it now shows their "
    "details. Check them, then save again. Nothing was saved."
)
STALE_CLARIFICATION = (
    "Someone has recorded or corrected the clarification since this page was opened: it now "
    "shows their details. Check them, then save again. Nothing was saved."
)
NOT_EXTENDED = "This request has not been extended. Nothing was saved."
REQUEST_FIELDS = ("requester", "received_on", "identity_requested_on", "identity_confirmed_on")
EXTENSION_FIELDS = ("extended_on", "extension_reason")
CLARIFICATION_FIELDS = ("clarification_asked_on", "clarification_asked", "clarified_on")


def _months_after(day, months):
    """The same date `months` later, or that month's last day when it has no such date."""
    year, index = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(received_on, months=MONTHS, paused=0, not_before=None):
    """The day the answer is due: `months` calendar months from receipt, and `paused` days
    more for the days the time limit stood still, but not before `not_before` (the day after
    it started again), on a working day."""
    day = _months_after(received_on, months) + timedelta(days=paused)
    if not_before is not None:
        day = max(day, not_before)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def starts_on(request):
    """The day the time limit starts: the day the request was received, or the later day
    proof of the requester's identity arrived, when the school asked for it."""
    return max(request.received_on, request.identity_confirmed_on or request.received_on)


def stood_still(request, upto=None):
    """How long the time limit stood still: the days from the one the requester was asked to
    clarify to the one their answer arrived, both counted (DPA 2018 s.54(3C), UK GDPR article
    12A: "beginning with" and "ending with"), or, while it is awaited, to `upto`; and the day
    after, when it ran again. Days before the time limit started are not counted: it was not
    running. (0, None) when it has not stood still."""
    asked, end = request.clarification_asked_on, request.clarified_on or upto
    if asked is None or end is None:
        return 0, None
    asked = max(asked, starts_on(request))
    if end < asked:
        return 0, None
    return (end - asked).days + 1, end + timedelta(days=1)


def _due(request):
    """The request's due day, from receipt, its extension and the days it stood still. Asked
    in the days a weekend or bank holiday added to the month, the month had already run:
    the answer is then due on the first working day after the requester's."""
    months = EXTENDED_MONTHS if request.extension_reason else MONTHS
    paused, resumed = stood_still(request)
    return due_on(starts_on(request), months, paused, not_before=resumed)


def last_day_to_extend(request, told_on=None):
    """The requester must be told of an extension within the first month, not counting the
    days the time limit stood still (up to `told_on`, or today, while an answer is awaited).
    While proof of identity the school asked for is awaited, the month has not started: there
    is no last day yet (`date.max`)."""
    if request.awaiting_identity:
        return date.max
    paused, resumed = stood_still(request, upto=told_on or timezone.localdate())
    return due_on(starts_on(request), MONTHS, paused, not_before=resumed)


def may_extend(request):
    return request.answered_on is None and not request.extension_reason


def may_ask_to_clarify(request):
    """Not yet answered nor asked. (A request past its due day may still record asking on a
    day by then: the form says so beside the date otherwise.)"""
    return request.answered_on is None and request.clarification_asked_on is None


def _day(value, field, what, *, after, after_what):
    """`value`, a date no later than today and no earlier than `after`."""
    if value > timezone.localdate():
        raise TransitionRefused(f"{what} must be today or in the past", field=field)
    if value < after:
        raise TransitionRefused(
            f"{what} must be on or after {after.day} {after:%B %Y}, {after_what}", field=field
        )
    return value


def record_request(
    pupil, *, by, requester, received_on, identity_requested_on=None, identity_confirmed_on=None
):
    """Record a subject access request about `pupil`, received on `received_on`, and, when the
    school asked for proof of the requester's identity, the day it asked and the day the proof
    arrived."""
    require_school_lead(by, pupil.school_id, NOT_A_LEAD)
    requester = require(requester, "requester", "Enter who made the request")
    received_on = _received(pupil, received_on)
    identity_confirmed_on = _identity_confirmed(identity_confirmed_on, received_on)
    identity_requested_on = _identity_requested(
        identity_requested_on, received_on, identity_confirmed_on
    )
    try:
        with transaction.atomic():
            lock_pupil(pupil)
            request = SubjectAccessRequest(
                pupil=pupil,
                school_id=pupil.school_id,
                requester=requester,
                received_on=received_on,
                identity_requested_on=identity_requested_on,
                identity_confirmed_on=identity_confirmed_on,
                recorded_by=by,
            )
            request.due_on = _due(request)
            request.save()
            _audit_step("record", request, by)
    except IntegrityError:
        earlier = SubjectAccessRequest.objects.filter(
            pupil=pupil, requester=requester, received_on=received_on
        ).first()
        if _sent_again(earlier, by, identity_requested_on, identity_confirmed_on):
            return earlier
        raise _already_recorded(requester, received_on) from None
    return request


def _sent_again(earlier, by, identity_requested_on, identity_confirmed_on):
    """Whether `earlier`, the request already recorded from the same requester on the same
    day, is this one sent again by the DSL who recorded it (a second click, or the back button
    and Send again), with the same details, and not yet answered: it is told it is recorded,
    not that nothing was saved. A colleague's, or one since answered, is refused."""
    return (
        earlier is not None
        and earlier.answered_on is None
        and sent_again(
            earlier,
            by=by,
            recorder="recorded_by_id",
            identity_requested_on=identity_requested_on,
            identity_confirmed_on=identity_confirmed_on,
        )
    )


def _already_recorded(requester, received_on):
    return TransitionRefused(
        f"The request from {requester} received on {received_on.day} "
        f"{received_on:%B %Y} is already recorded. Nothing was saved."
    )


def request_version(request, fields=REQUEST_FIELDS):
    """A fingerprint of who made the request and when it arrived (or of another step's
    `fields`), as a page shows them: a correction drawn from other details is stale, and would
    undo a colleague's."""
    values = [str(getattr(request, name)) for name in fields]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:20]


def _received(pupil, received_on):
    return _day(
        require(received_on, "received_on", "Enter the date the request was received"),
        "received_on",
        "The date the request was received",
        after=pupil.date_of_birth,
        after_what="the pupil's date of birth",
    )


def _identity_confirmed(identity_confirmed_on, received_on):
    """The day proof of identity arrived, if given: on or after receipt, and not later than
    today."""
    if identity_confirmed_on is None:
        return None
    return _day(
        identity_confirmed_on,
        "identity_confirmed_on",
        "The date proof of identity arrived",
        after=received_on,
        after_what="when the request was received",
    )


def _identity_requested(identity_requested_on, received_on, identity_confirmed_on):
    """The day the school asked for proof of identity, if given: on or after receipt, not
    later than today, and not after the proof arrived."""
    if identity_requested_on is None:
        return None
    what = "The date you asked for proof of identity"
    requested = _day(
        identity_requested_on,
        "identity_requested_on",
        what,
        after=received_on,
        after_what="when the request was received",
    )
    confirmed = identity_confirmed_on
    if confirmed is not None and requested > confirmed:
        raise TransitionRefused(
            f"{what} must be on or before {confirmed.day} {confirmed:%B %Y}, when it arrived",
            field="identity_requested_on",
        )
    return requested


def _steps_still_in_time(request):
    """Refused, beside the date received (or the date proof of identity arrived, when the time
    limit starts then), when a step already recorded could not have been taken on the
    corrected days: each step's day comes on or after receipt, an extension is told within
    the first month, and the requester is asked to clarify by the day the answer was then
    due."""
    received, start = request.received_on, starts_on(request)
    if start > received:
        field, since, check = (
            "identity_confirmed_on",
            "With the time limit starting when proof of identity arrived",
            "the date proof of identity arrived",
        )
    else:
        field, since, check = (
            "received_on",
            "Received on that day",
            "the date the request was received",
        )

    def refuse(message, field=field):
        raise TransitionRefused(message, field=field)

    steps = [
        (request.extended_on, "the requester was told of the extension"),
        (request.clarification_asked_on, "the requester was asked to clarify it"),
    ]
    for day, what in steps:
        if day is not None and day < received:
            refuse(
                f"The date the request was received must be on or before {day.day} "
                f"{day:%B %Y}, when {what}",
                field="received_on",
            )
    if request.extended_on is not None:
        last = last_day_to_extend(request, request.extended_on)
        if request.extended_on > last:
            told = request.extended_on
            refuse(
                f"{since}, the requester had to be told of the extension by "
                f"{last.day} {last:%B %Y}, but was told on {told.day} {told:%B %Y}. Check "
                f"{check}"
            )
    asked = request.clarification_asked_on
    if asked is not None:
        due = _due_when_asked(request)
        if asked > due:
            refuse(
                f"{since}, the answer was due by {due.day} {due:%B %Y}, before the requester "
                f"was asked to clarify it on {asked.day} {asked:%B %Y}. Check {check}"
            )


def _due_when_asked(request):
    """The day the answer was due when the requester was asked to clarify (by which they had
    to be asked): three months once an extension was told by then, one month otherwise; none
    (`date.max`) while proof of identity the school asked for is awaited, as the time limit
    has not started."""
    if request.awaiting_identity:
        return date.max
    asked = request.clarification_asked_on
    extended_first = request.extended_on is not None and request.extended_on <= asked
    return due_on(starts_on(request), EXTENDED_MONTHS if extended_first else MONTHS)


def correct_request(
    request,
    *,
    by,
    drawn,
    requester,
    received_on,
    identity_requested_on=None,
    identity_confirmed_on=None,
):
    """Correct who made a request, the day it arrived, or the days the school asked for proof
    of the requester's identity and the proof arrived (recorded here when they come after the
    request), while it is not answered: the due day follows. `drawn`: the `request_version`
    the form was drawn from."""
    require_school_lead(by, request.school_id, NOT_A_LEAD)
    given = {
        "requester": requester,
        "received_on": received_on,
        "identity_requested_on": identity_requested_on,
        "identity_confirmed_on": identity_confirmed_on,
    }
    # Stale first, before the fields: a page drawn before a colleague's correction says so.
    if drawn != request_version(request):
        return _unless_as_recorded(request, given, STALE_REQUEST)
    requester = require(requester, "requester", "Enter who made the request")
    received_on = _received(request.pupil, received_on)
    identity_confirmed_on = _identity_confirmed(identity_confirmed_on, received_on)
    identity_requested_on = _identity_requested(
        identity_requested_on, received_on, identity_confirmed_on
    )
    values = {
        "requester": requester,
        "received_on": received_on,
        "identity_requested_on": identity_requested_on,
        "identity_confirmed_on": identity_confirmed_on,
    }
    try:
        return _correction(
            request,
            by=by,
            drawn=drawn,
            fields=REQUEST_FIELDS,
            stale=STALE_REQUEST,
            values=values,
            check=lambda request, changed: _steps_still_in_time(request),
        )
    except IntegrityError:
        raise _already_recorded(requester, received_on) from None


def _audit_step(step, request, by, **detail):
    """The audit row of a step of `request`: it names the pupil and the request, never the
    requester or the reasons (narrative stays out of the audit trail)."""
    audit(
        f"pupil.access_request.{step}",
        actor=by,
        obj=request.pupil,
        school=request.pupil.school,
        request=request.pk,
        **detail,
    )


def _unless_as_recorded(request, given, stale):
    """For a page drawn from other details than the request's now: the request, if they are
    already as `given` (the same form sent twice: nothing to change, nobody to blame), or
    Stale with the `stale` message (a colleague's correction came in between)."""
    for name, value in given.items():
        if (value.strip() if isinstance(value, str) else value) != getattr(request, name):
            raise Stale(stale)
    return request


def _locked(request):
    """The request's row alone, locked for the rest of the transaction (not the pupil's or
    the school's it is read with: a colleague recording about the pupil holds those)."""
    try:
        return (
            SubjectAccessRequest.objects.select_for_update(of=("self",))
            .select_related("pupil__school")
            .get(pk=request.pk)
        )
    except SubjectAccessRequest.DoesNotExist:  # destroyed at review meanwhile
        raise TransitionRefused(DESTROYED) from None


def extend_request(request, *, by, told_on, reason):
    """Extend a complex request to three months from receipt, for `reason`, which the
    requester was told on `told_on`, within the first month."""
    require_school_lead(by, request.school_id, NOT_A_LEAD)
    reason = require(reason, "reason", "Enter why the request needs more time")
    told_on = require(told_on, "told_on", "Enter the date the requester was told")
    with transaction.atomic():
        request = _locked(request)
        if request.answered_on is not None:
            raise TransitionRefused(ANSWERED)
        if request.extension_reason:
            if extended_already(request, by=by, told_on=told_on, reason=reason):
                return request
            raise TransitionRefused(EXTENDED)
        told_on = _day(
            told_on,
            "told_on",
            "The date the requester was told",
            after=request.received_on,
            after_what="when the request was received",
        )
        _told_in_time(request, told_on)
        request.extension_reason, request.extended_on, request.extended_by = reason, told_on, by
        request.due_on = _due(request)
        request.save(update_fields=["extension_reason", "extended_on", "extended_by", "due_on"])
        _audit_step("extend", request, by)
    return request


def extended_already(request, *, by, told_on, reason):
    """Whether `by` extended `request` already, told on `told_on` for `reason`: the same form
    sent again (a second click, or the back button), which is told it is extended, not that a
    colleague extended it."""
    return sent_again(
        request,
        by=by,
        recorder="extended_by_id",
        extended_on=told_on,
        extension_reason=reason or "",
    )


def _told_in_time(request, told_on):
    """Refused beside the date unless the requester was told of the extension within the
    first month (the days the time limit stood still not counted)."""
    last = last_day_to_extend(request, told_on)
    if told_on > last:
        raise TransitionRefused(
            f"The requester had to be told by {last.day} {last:%B %Y}, within a month of "
            "receiving the request: after that it cannot be extended",
            field="told_on",
        )


def _correction(request, *, by, drawn, fields, stale, values, check):
    """Correct `fields` of a request not yet answered to `values`, with `check(request,
    changed)` refusing a correction that cannot stand (or naming other fields it set), then
    the due day follows; a page drawn
    (`drawn`) from other values of the fields is stale. The audit row names the fields
    changed, never their values. Nothing changed: nothing is written."""
    with transaction.atomic():
        request = _locked(request)
        if request.answered_on is not None:
            raise TransitionRefused(ANSWERED)
        if drawn != request_version(request, fields):
            return _unless_as_recorded(request, values, stale)
        changed = [name for name in fields if getattr(request, name) != values[name]]
        if not changed:
            return request
        for name in changed:
            setattr(request, name, values[name])
        also = check(request, changed) or []
        request.due_on = _due(request)
        request.save(update_fields=[*changed, *also, "due_on"])
        _audit_step("correct", request, by, changed=changed)
    return request


def correct_extension(request, *, by, drawn, told_on, reason, withdrawn=False):
    """Correct the day the requester was told of the extension, or why, while the request is
    not answered, or take back an extension recorded by mistake (`withdrawn`): the due day
    follows. Refused beside the date when the requester would then have been told after the
    first month, or asked to clarify once that month had run out without the extension.
    `drawn`: the `request_version` of the extension the form was drawn from."""
    require_school_lead(by, request.school_id, NOT_A_LEAD)
    if drawn != request_version(request, EXTENSION_FIELDS):
        given = {"extended_on": told_on, "extension_reason": reason}
        return _unless_as_recorded(
            request,
            {"extended_on": None, "extension_reason": ""} if withdrawn else given,
            STALE_EXTENSION,
        )
    if withdrawn:
        told_on, reason = None, ""
    else:
        reason = require(reason, "reason", "Enter why the request needs more time")
        told_on = require(told_on, "told_on", "Enter the date the requester was told")
    if not request.extension_reason:
        raise TransitionRefused(NOT_EXTENDED)

    def check(request, changed):
        asked = request.clarification_asked_on
        if withdrawn:
            request.extended_by = None
            if asked is not None and asked > _due_when_asked(request):
                raise TransitionRefused(
                    f"The requester was asked to clarify the request on {asked.day} "
                    f"{asked:%B %Y}, after the first month had run out: that needed the "
                    "extension, so it cannot be taken back",
                    field="withdrawn",
                )
            return ["extended_by"]
        _day(
            told_on,
            "told_on",
            "The date the requester was told",
            after=request.received_on,
            after_what="when the request was received",
        )
        _told_in_time(request, told_on)
        if asked is not None and asked > _due_when_asked(request):
            raise TransitionRefused(
                f"The date the requester was told must be on or before {asked.day} "
                f"{asked:%B %Y}, when they were asked to clarify the request: the first month "
                "had run out by then",
                field="told_on",
            )
        return None

    return _correction(
        request,
        by=by,
        drawn=drawn,
        fields=EXTENSION_FIELDS,
        stale=STALE_EXTENSION,
        values={"extended_on": told_on, "extension_reason": reason},
        check=check,
    )


def correct_clarification(request, *, by, drawn, asked_on, question, clarified_on=None):
    """Correct the day the requester was asked to clarify the request, what they were asked,
    or the day their answer arrived (empty: it has not), while the request is not answered:
    the due day follows. Refused beside the date when the requester would then have been
    asked after the answer was due, or told of an extension after the first month.
    `drawn`: the `request_version` of the clarification the form was drawn from."""
    require_school_lead(by, request.school_id, NOT_A_LEAD)
    if drawn != request_version(request, CLARIFICATION_FIELDS):
        given = {
            "clarification_asked_on": asked_on,
            "clarification_asked": question,
            "clarified_on": clarified_on,
        }
        return _unless_as_recorded(request, given, STALE_CLARIFICATION)
    question = require(question, "question", "Enter what the requester was asked")
    asked_on = require(asked_on, "asked_on", "Enter the date the requester was asked")
    if request.clarification_asked_on is None:
        raise TransitionRefused(NOT_ASKED)

    def check(request, changed):
        _day(
            asked_on,
            "asked_on",
            "The date the requester was asked",
            after=request.received_on,
            after_what="when the request was received",
        )
        due = _due_when_asked(request)
        if asked_on > due:
            raise TransitionRefused(
                f"The date the requester was asked must be on or before {due.day} "
                f"{due:%B %Y}, when the answer was due: a time limit that has run out cannot "
                "stand still",
                field="asked_on",
            )
        if clarified_on is not None:
            _day(
                clarified_on,
                "clarified_on",
                "The date the requester's clarification arrived",
                after=asked_on,
                after_what="when they were asked",
            )
        told = request.extended_on
        if told is not None:
            last = last_day_to_extend(request, told)
            if told > last:
                field = "clarified_on" if "clarified_on" in changed else "asked_on"
                raise TransitionRefused(
                    f"With the time limit stopped for those days, the requester had to be told "
                    f"of the extension by {last.day} {last:%B %Y}, but was told on {told.day} "
                    f"{told:%B %Y}. Check the dates",
                    field=field,
                )
        if "clarified_on" in changed:
            request.clarified_recorded_by = by if clarified_on is not None else None
            return ["clarified_recorded_by"]
        return None

    return _correction(
        request,
        by=by,
        drawn=drawn,
        fields=CLARIFICATION_FIELDS,
        stale=STALE_CLARIFICATION,
        values={
            "clarification_asked_on": asked_on,
            "clarification_asked": question,
            "clarified_on": clarified_on,
        },
        check=check,
    )


def ask_to_clarify(request, *, by, asked_on, question):
    """Record that the requester was asked, on `asked_on`, which information the request is
    about (`question`): the time limit stands still until their answer is recorded. Asked by
    the due day: a time limit that has run out cannot stand still."""
    require_school_lead(by, request.school_id, NOT_A_LEAD)
    question = require(question, "question", "Enter what the requester was asked")
    asked_on = require(asked_on, "asked_on", "Enter the date the requester was asked")
    with transaction.atomic():
        request = _locked(request)
        if request.answered_on is not None:
            raise TransitionRefused(ANSWERED)
        if request.clarification_asked_on is not None:
            if asked_already(request, by=by, asked_on=asked_on, question=question):
                return request
            raise TransitionRefused(ASKED)
        asked_on = _day(
            asked_on,
            "asked_on",
            "The date the requester was asked",
            after=request.received_on,
            after_what="when the request was received",
        )
        due = request.due_on
        # Awaiting proof of identity, the time limit has not started: it cannot have run out.
        if not request.awaiting_identity and asked_on > due:
            raise TransitionRefused(
                f"The date the requester was asked must be on or before {due.day} {due:%B %Y}, "
                "when the answer was due: a time limit that has run out cannot stand still",
                field="asked_on",
            )
        request.clarification_asked_on, request.clarification_asked = asked_on, question
        request.clarification_asked_by = by
        request.save(
            update_fields=[
                "clarification_asked_on",
                "clarification_asked",
                "clarification_asked_by",
            ]
        )
        _audit_step("clarify", request, by)
    return request


def asked_already(request, *, by, asked_on, question):
    """Whether `by` recorded already that the requester was asked `question` on `asked_on`,
    and their answer is still awaited: the same form sent again (a second click, or the back
    button), which is told the time limit stands still, not that a colleague recorded it."""
    return request.clarified_on is None and sent_again(
        request,
        by=by,
        recorder="clarification_asked_by_id",
        clarification_asked_on=asked_on,
        clarification_asked=question or "",
    )


def record_clarification(request, *, by, clarified_on):
    """Record the day the requester's answer arrived: the time limit runs again, and the due
    day moves on by the days it stood still."""
    require_school_lead(by, request.school_id, NOT_A_LEAD)
    clarified_on = require(
        clarified_on, "clarified_on", "Enter the date the requester's clarification arrived"
    )
    with transaction.atomic():
        request = _locked(request)
        if request.answered_on is not None:
            raise TransitionRefused(ANSWERED)
        if request.clarification_asked_on is None:
            raise TransitionRefused(NOT_ASKED)
        if request.clarified_on is not None:
            raise TransitionRefused(CLARIFIED)
        request.clarified_on = _day(
            clarified_on,
            "clarified_on",
            "The date the requester's clarification arrived",
            after=request.clarification_asked_on,
            after_what="when they were asked",
        )
        request.clarified_recorded_by = by
        request.due_on = _due(request)
        request.save(update_fields=["clarified_on", "clarified_recorded_by", "due_on"])
        _audit_step("clarified", request, by, days_stood_still=stood_still(request)[0])
    return request


def answered_already(request, *, by, answered_on, answer, basis, withheld_reason=""):
    """Whether `by` recorded this answer to `request` already: the same form sent again (a
    second click, or the back button), which is told it is recorded, not that a colleague
    recorded it."""
    return sent_again(
        request,
        by=by,
        recorder="answer_recorded_by_id",
        answered_on=answered_on,
        answer=answer,
        basis=basis,
        withheld_reason=withheld_reason or "",
    )


def record_answer(request, *, by, answered_on, answer, basis, withheld_reason=""):
    """Record the school's answer: the day, what was disclosed, whether the pupil made the
    request or on what footing the requester acts for them (`basis`), and why anything was
    withheld. A pupil who understands their rights and did not agree to the requester acting
    for them decides: nothing is disclosed to the requester."""
    require_school_lead(by, request.school_id, NOT_A_LEAD)
    basis = require(
        basis,
        "basis",
        "Select whether the pupil made the request, or whether they agreed to the requester "
        "acting for them",
    )
    if basis not in AccessBasis.values:
        raise TransitionRefused("Select one of the choices given", field="basis")
    answer = require(answer, "answer", "Select what the school disclosed")
    withheld_reason = (withheld_reason or "").strip()
    if basis == AccessBasis.NOT_AGREED and answer != AccessAnswer.WITHHELD:
        raise TransitionRefused(
            "The pupil did not agree to the requester acting for them, so nothing is disclosed "
            "to the requester: choose that all of the records were withheld, and say why",
            field="answer",
        )
    if answer in WITHHOLDING and not withheld_reason:
        raise TransitionRefused(
            "Enter why information was withheld, for example the exemption relied on",
            field="withheld_reason",
        )
    if answer not in WITHHOLDING and withheld_reason:
        raise TransitionRefused(
            "Say why only when some or all of the records were withheld, or choose that answer",
            field="withheld_reason",
        )
    with transaction.atomic():
        # The pupil first, as a recording about them takes it: "no records held" then waits
        # for a concern being recorded meanwhile, and counts it.
        lock_pupil(request.pupil)
        request = _locked(request)
        if request.answered_on is not None:
            given = {"answered_on": answered_on, "answer": answer, "basis": basis}
            if answered_already(request, by=by, withheld_reason=withheld_reason, **given):
                return request
            raise TransitionRefused(ANSWERED)
        after, after_what = request.received_on, "when the request was received"
        # An answer comes after the steps recorded before it: one dated earlier is mistyped,
        # and an answer is not corrected.
        if request.clarified_on is not None:
            after, after_what = request.clarified_on, "when the requester's clarification arrived"
        elif request.clarification_asked_on is not None:
            after, after_what = (
                request.clarification_asked_on,
                "when the requester was asked to clarify the request",
            )
        answered_on = _day(
            require(answered_on, "answered_on", "Enter the date the school answered"),
            "answered_on",
            "The date the school answered",
            after=after,
            after_what=after_what,
        )
        if answer == AccessAnswer.NONE_HELD:
            held = Concern.objects.filter(pupil=request.pupil).count()
            if held:
                recorded = (
                    "1 concern about the pupil is recorded: say whether it was"
                    if held == 1
                    else f"{held} concerns about the pupil are recorded: say whether they were"
                )
                raise TransitionRefused(f"{recorded} disclosed or withheld", field="answer")
        request.answered_on, request.answer, request.basis = answered_on, answer, basis
        request.withheld_reason, request.answer_recorded_by = withheld_reason, by
        request.save(
            update_fields=[
                "answered_on",
                "answer",
                "basis",
                "withheld_reason",
                "answer_recorded_by",
            ]
        )
        _audit_step("answer", request, by, answer=answer, basis=basis, late=request.late)
    return request
