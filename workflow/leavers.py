"""A pupil leaving, and their child protection file sent to the new school and received there.

Keeping Children Safe in Education: the DSL sends the file separately from the main pupil
file, within 5 school days of the child starting at the new school (for a move between terms,
within the first 5 days of the new term), and gets confirmation of receipt. Each step is
recorded once, by a DSL or deputy of the pupil's school, with its audit row in the same
transaction. A form drawn before a colleague recorded the step is refused, not applied twice;
the same form sent again by the DSL who recorded it (a double click) is told it is recorded.
While the pupil is away, a mistyped leaving or sending is corrected (`correct_leaving`).
A pupil who comes back ends their leaving (`record_return`); if they leave again, that leaving
is recorded afresh, with its own file to send.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.html import format_html

from audit.log import record as audit
from concerns.models import Concern, FileTransfer
from safeguarding.templatetags.presenters import typed

from .core import DESTROYED, lock_pupil, require, require_school_lead, sent_again
from .exceptions import Stale, TransitionRefused
from .working_time import is_working_day

SCHOOL_DAYS = 5
LONGEST_GAP = timedelta(days=366)
NOT_A_LEAD = "Only the school's DSL or a deputy DSL can record a pupil leaving and their file."
NO_FILE = (
    "No concerns have been recorded about {name}, so there is no child protection file to send."
)
ALREADY_LEFT = "{name} is already recorded as having left the school. Nothing was saved."
ALREADY_SENT = "Someone has already recorded that {name}'s file was sent. Nothing was saved."
ALREADY_RECEIVED = (
    "Someone has already recorded that {name}'s file was received. Nothing was saved."
)
NOT_SENT = "Record that {name}'s file was sent before recording that it arrived."
STALE_LEAVING = (
    "Someone has changed the details of {name}'s leaving since this page was opened. "
    "Nothing was saved: check the details below and submit again."
)
LEAVING_FIELDS = ("new_school", "left_on", "starts_on")
SENDING_FIELDS = ("sent_on", "sent_how")
CAME_BACK = (
    "Someone has already recorded that {name} came back to the school on {day}. Nothing was saved."
)
# Each step of a leaving: who recorded it, and the details they gave.
STEPS = {
    "leaving": ("recorded_by_id", LEAVING_FIELDS),
    "sent": ("sent_recorded_by_id", SENDING_FIELDS),
    "received": ("receipt_recorded_by_id", ("received_on", "received_by")),
    "returned": ("return_recorded_by_id", ("returned_on",)),
}


def _naming(message, name, **more):
    """`message` naming the pupil: their name in its own direction (typed in Arabic or Urdu,
    it would jumble the sentence), the rest escaped, for a page to show as it is."""
    return format_html(message, name=typed(name), **more)


def due_on(starts_on):
    """The 5th school day counting from the first day at the new school. Weekdays that are
    not bank holidays stand for school days: the service does not know each school's terms,
    which is why the DSL gives the first day, after any holiday."""
    day, counted = starts_on, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == SCHOOL_DAYS:
                return day
        day += timedelta(days=1)


def recorded_already(transfer, step, *, by, **details):
    """Whether `by` recorded `step` ("leaving", "sent", "received" or "returned") of
    `transfer` with these `details`: the same form sent again (a second click, or the back
    button), which is told the step is recorded, not that a colleague recorded it."""
    recorder, names = STEPS[step]
    given = {name: details.get(name) for name in names}
    return sent_again(transfer, by=by, recorder=recorder, **given)


def _not_after_today(day, field, what):
    if day > timezone.localdate():
        raise TransitionRefused(f"{what} must be today or in the past", field=field)
    return day


def _leaving(pupil, *, left_on, starts_on, new_school, correcting=None):
    """The leaving's details, checked: each refusal names its field. `correcting`: the
    leaving these details correct, whose own return (if one landed meanwhile) is not one to
    date against: the lock that follows refuses the correction for it."""
    new_school = require(new_school, "new_school", "Enter the name of the new school")
    left_on = _not_after_today(
        require(left_on, "left_on", "Enter the date the pupil left"),
        "left_on",
        "The date the pupil left",
    )
    if left_on <= pupil.date_of_birth:
        raise TransitionRefused(
            "The date the pupil left must be after their date of birth", field="left_on"
        )
    starts_on = require(starts_on, "starts_on", "Enter the pupil's first day at the new school")
    if starts_on < left_on:
        raise TransitionRefused(
            "The first day at the new school must be on or after the date the pupil left",
            field="starts_on",
        )
    if starts_on > left_on + LONGEST_GAP:
        raise TransitionRefused(
            "The first day at the new school must be within a year of the date the pupil left",
            field="starts_on",
        )
    others = FileTransfer.objects.filter(pupil=pupil).exclude(pk=correcting)
    back = others.aggregate(on=Max("returned_on"))["on"]
    if back is not None and left_on < back:
        raise TransitionRefused(
            f"The date the pupil left must be on or after {back.day} {back:%B %Y}, when they "
            "came back to the school",
            field="left_on",
        )
    return {"left_on": left_on, "starts_on": starts_on, "new_school": new_school}


def record_leaving(pupil, *, by, left_on, starts_on, new_school):
    """Record that `pupil` left for `new_school`, starting there on `starts_on`: their file is
    then due on the 5th school day from that day."""
    require_school_lead(by, pupil.school_id, NOT_A_LEAD)
    name = pupil.full_name
    details = _leaving(pupil, left_on=left_on, starts_on=starts_on, new_school=new_school)
    if not Concern.objects.filter(pupil=pupil).exists():
        raise TransitionRefused(_naming(NO_FILE, name))
    try:
        with transaction.atomic():
            lock_pupil(pupil)
            transfer = FileTransfer.objects.create(
                pupil=pupil,
                school_id=pupil.school_id,
                due_on=due_on(details["starts_on"]),
                recorded_by=by,
                **details,
            )
            audit("pupil.leaving.record", actor=by, obj=pupil, school=pupil.school)
    except IntegrityError:
        away = FileTransfer.objects.filter(pupil=pupil, returned_on__isnull=True).first()
        if recorded_already(away, "leaving", by=by, **details):
            return away
        raise TransitionRefused(_naming(ALREADY_LEFT, name)) from None
    return transfer


def leaving_version(transfer):
    """A fingerprint of the leaving's details, and of the file's sending, as a page shows
    them: a correction drawn from other details is stale, and would undo a colleague's."""
    values = [str(getattr(transfer, name)) for name in (*LEAVING_FIELDS, *SENDING_FIELDS)]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:20]


def _sent_on(sent_on):
    return _not_after_today(
        require(sent_on, "sent_on", "Enter the date the file was sent"),
        "sent_on",
        "The date the file was sent",
    )


def _sent_after_first_concern(pupil, sent_on):
    """Refused beside the date unless the file existed then: there was none before the first
    concern about the pupil was recorded."""
    first = Concern.objects.filter(pupil=pupil).aggregate(first=Min("recorded_at"))
    opened = timezone.localdate(first["first"])
    if sent_on < opened:
        raise TransitionRefused(
            f"The date the file was sent must be on or after {opened.day} {opened:%B %Y}, "
            "when the first concern about the pupil was recorded",
            field="sent_on",
        )


def _as_recorded(transfer, given):
    """Whether the details `given` to correct the leaving are those recorded."""
    names = (*LEAVING_FIELDS, *(SENDING_FIELDS if transfer.sent_on is not None else ()))
    plain = {k: v.strip() if isinstance(v, str) else v for k, v in given.items()}
    return all(plain.get(name) == getattr(transfer, name) for name in names)


def correct_leaving(transfer, *, by, drawn, sent_on=None, sent_how="", **fields):
    """Correct the details of a leaving (the new school, the day they left, their first day
    there) and, once the file is sent, the day it was sent and how, while the pupil is away:
    the file's due day follows the first day. A sending day is refused when the receipt
    already recorded could not then have been. `drawn`: the `leaving_version` the form was
    drawn from. Nothing changed: nothing is written, audit included."""
    require_school_lead(by, transfer.school_id, NOT_A_LEAD)
    given = {**fields, "sent_on": sent_on, "sent_how": sent_how}
    # Stale first, before the fields: a page drawn before a colleague's correction says so.
    # Unless the details are already as given (the same form sent twice): nothing to do.
    if drawn != leaving_version(transfer):
        if _as_recorded(transfer, given):
            return transfer
        raise Stale(_naming(STALE_LEAVING, transfer.pupil.full_name))
    details = _leaving(transfer.pupil, correcting=transfer.pk, **fields)
    if transfer.sent_on is not None:  # as drawn: checked again below, with the row locked
        details["sent_on"] = _sent_on(sent_on)
        details["sent_how"] = require(sent_how, "sent_how", "Select how the file was sent")
    with transaction.atomic():
        transfer = _locked(transfer)
        name = transfer.pupil.full_name
        if drawn != leaving_version(transfer):
            if _as_recorded(transfer, given):
                return transfer
            raise Stale(_naming(STALE_LEAVING, name))
        changed = [
            key
            for key in (*LEAVING_FIELDS, *SENDING_FIELDS)
            if key in details and getattr(transfer, key) != details[key]
        ]
        if not changed:
            return transfer
        if "sent_on" in changed:
            _sent_after_first_concern(transfer.pupil, details["sent_on"])
            received = transfer.received_on
            if received is not None and details["sent_on"] > received:
                raise TransitionRefused(
                    f"The date the file was sent must be on or before {received.day} "
                    f"{received:%B %Y}, when the new school received it",
                    field="sent_on",
                )
        for key in changed:
            setattr(transfer, key, details[key])
        transfer.due_on = due_on(transfer.starts_on)
        transfer.save(update_fields=[*changed, "due_on"])
        audit(
            "pupil.leaving.correct",
            actor=by,
            obj=transfer.pupil,
            school=transfer.pupil.school,
            changed=changed,
        )
    return transfer


def _locked(transfer):
    """The transfer's row alone, locked for the rest of the transaction (not the pupil's it is
    read with, which a destruction or a colleague's recording holds), refused once the pupil
    has come back: their file is no longer on its way anywhere."""
    try:
        transfer = (
            FileTransfer.objects.select_for_update(of=("self",))
            .select_related("pupil__school")
            .get(pk=transfer.pk)
        )
    except FileTransfer.DoesNotExist:  # destroyed at review (workflow.retention) meanwhile
        raise TransitionRefused(DESTROYED) from None
    if transfer.returned_on is not None:
        day = transfer.returned_on
        raise TransitionRefused(
            _naming(CAME_BACK, transfer.pupil.full_name, day=f"{day.day} {day:%B %Y}")
        )
    return transfer


def record_file_sent(transfer, *, by, sent_on, sent_how):
    """Record the day the file was sent to the new school, and how."""
    require_school_lead(by, transfer.school_id, NOT_A_LEAD)
    sent_on = _sent_on(sent_on)
    sent_how = require(sent_how, "sent_how", "Select how the file was sent")
    with transaction.atomic():
        transfer = _locked(transfer)
        if transfer.sent_on is not None:
            if recorded_already(transfer, "sent", by=by, sent_on=sent_on, sent_how=sent_how):
                return transfer
            raise TransitionRefused(_naming(ALREADY_SENT, transfer.pupil.full_name))
        _sent_after_first_concern(transfer.pupil, sent_on)
        transfer.sent_on, transfer.sent_how, transfer.sent_recorded_by = sent_on, sent_how, by
        transfer.save(update_fields=["sent_on", "sent_how", "sent_recorded_by"])
        audit(
            "pupil.file.sent",
            actor=by,
            obj=transfer.pupil,
            school=transfer.pupil.school,
            late=transfer.late,
        )
    return transfer


def record_file_received(transfer, *, by, received_on, received_by):
    """Record the new school's confirmation that the file arrived: the day, and who said so."""
    require_school_lead(by, transfer.school_id, NOT_A_LEAD)
    received_on = _not_after_today(
        require(received_on, "received_on", "Enter the date the new school received the file"),
        "received_on",
        "The date the file was received",
    )
    received_by = require(
        received_by, "received_by", "Enter who at the new school confirmed receipt"
    )
    with transaction.atomic():
        transfer = _locked(transfer)
        name = transfer.pupil.full_name
        if transfer.sent_on is None:
            raise TransitionRefused(_naming(NOT_SENT, name))
        if transfer.received_on is not None:
            given = {"received_on": received_on, "received_by": received_by}
            if recorded_already(transfer, "received", by=by, **given):
                return transfer
            raise TransitionRefused(_naming(ALREADY_RECEIVED, name))
        if received_on < transfer.sent_on:
            sent = transfer.sent_on
            raise TransitionRefused(
                f"The date the file was received must be on or after {sent.day} "
                f"{sent:%B %Y}, when it was sent",
                field="received_on",
            )
        transfer.received_on, transfer.received_by = received_on, received_by
        transfer.receipt_recorded_by = by
        transfer.save(update_fields=["received_on", "received_by", "receipt_recorded_by"])
        audit("pupil.file.received", actor=by, obj=transfer.pupil, school=transfer.pupil.school)
    return transfer


def record_return(transfer, *, by, returned_on):
    """Record that the pupil came back to the school on `returned_on`. Their leaving ends: the
    roll no longer marks them as left, a file not yet sent is no longer due, and if they leave
    again that leaving is recorded afresh. A file already sent stays recorded as sent."""
    require_school_lead(by, transfer.school_id, NOT_A_LEAD)
    returned_on = _not_after_today(
        require(returned_on, "returned_on", "Enter the date the pupil came back"),
        "returned_on",
        "The date the pupil came back",
    )
    with transaction.atomic():
        try:
            transfer = _locked(transfer)
        except TransitionRefused:
            back = FileTransfer.objects.filter(pk=transfer.pk).first()
            if recorded_already(back, "returned", by=by, returned_on=returned_on):
                return back
            raise
        left = transfer.left_on
        if returned_on < left:
            raise TransitionRefused(
                f"The date the pupil came back must be on or after {left.day} {left:%B %Y}, "
                "when they left",
                field="returned_on",
            )
        transfer.returned_on, transfer.return_recorded_by = returned_on, by
        transfer.save(update_fields=["returned_on", "return_recorded_by"])
        audit(
            "pupil.return.record",
            actor=by,
            obj=transfer.pupil,
            school=transfer.pupil.school,
            sent=transfer.sent_on is not None,
        )
    return transfer
