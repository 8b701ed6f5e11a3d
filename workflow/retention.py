"""The review of a pupil's child protection records at their 25th birthday (UK GDPR's storage
limitation; DESIGN §1: kept until the child's 25th birthday, then reviewed).

Once a pupil is 25, the school's DSL or a deputy reviews the records about them and either
keeps them for longer, saying why and when to look again (an ongoing legal case, an inquiry's
request to keep them), or destroys them. Destroying deletes, in one transaction, every concern
about the pupil and everything recorded with it (addenda, categories, attachments, advice
requests, parent conversations, escalations, closures, the workflow history and notifications),
the leaver's file transfer, the subject access requests, colleagues' unsent drafts about the
pupil, the pupil's row, and the reasons
earlier reviews gave for keeping the records; the attachments' files are removed once that has
committed. The review rows stay as the school's log, naming the file by its reference, and the
audit row carries the counts, never the child.

Records kept for longer may be reviewed again before the day set, when the reason to keep
them ends or the day was mistyped: the pupil's latest review is the one that counts.

Records are not destroyed while something still needs them: a concern not yet closed, or a
subject access request not yet answered (destroying records to keep them from a requester is
an offence under the Data Protection Act 2018, section 173).
"""

from datetime import date

from django.db import transaction
from django.db.models import DateField, Exists, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import format_html

from advice.models import AdviceRequest
from audit.log import record as audit
from concerns.attachments import delete_files
from concerns.models import (
    OPEN_STATUSES,
    Addendum,
    Attachment,
    Closure,
    Concern,
    ConcernCategory,
    ConcernDraft,
    Escalation,
    FileToDelete,
    FileTransfer,
    ParentConversation,
    RecordsReview,
    ReviewDecision,
    SubjectAccessRequest,
)
from safeguarding.templatetags.presenters import typed
from schools.models import Pupil

from .core import require, require_school_lead
from .exceptions import Stale, TransitionRefused
from .models import Notification, WorkflowEvent

RETENTION_YEARS = 25
LONGEST_KEEP_YEARS = 10
NOT_A_LEAD = "Only the school's DSL or a deputy DSL can review a pupil's records."
STALE = "Someone has reviewed these records since this page was opened. Nothing was saved."


def _years_after(day, years):
    """The same date `years` later; 1 March for a 29 February in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def review_due_on(date_of_birth):
    """The pupil's 25th birthday: from then their records are due for review."""
    return _years_after(date_of_birth, RETENTION_YEARS)


def born_on_or_before(today):
    """The latest date of birth of a pupil who is 25 or older on `today`."""
    try:
        return today.replace(year=today.year - RETENTION_YEARS)
    except ValueError:  # 29 February: who was born on 28 February 25 years ago is 25 today
        return date(today.year - RETENTION_YEARS, 2, 28)


def latest_review(pupil_ref):
    """The pupil's latest review (for a Subquery over pupils, or `.first()` for one pupil)."""
    return RecordsReview.objects.filter(pupil=pupil_ref).order_by("-pk")


def kept_until(pupil_ref):
    """The pupil's latest review, if it keeps the records past today (for an Exists over
    pupils). A review again before the day set replaces the one before it: a keep corrected
    to an earlier day, or records destroyed once the reason to keep them ended."""
    return RecordsReview.objects.filter(
        pupil=pupil_ref,
        decision=ReviewDecision.KEEP,
        review_again_on__gt=timezone.localdate(),
    ).exclude(Exists(RecordsReview.objects.filter(pupil=OuterRef("pupil"), pk__gt=OuterRef("pk"))))


def reviewable(pupils):
    """Of `pupils`, those with records about them and 25 or older: due for review, or kept
    for longer and so open to review again before the day set."""
    return pupils.filter(
        Exists(Concern.objects.filter(pupil=OuterRef("pk"))),
        date_of_birth__lte=born_on_or_before(timezone.localdate()),
    )


def due_for_review(pupils):
    """Of `pupils`, those with records about them, 25 or older, and not kept past today."""
    return reviewable(pupils).exclude(Exists(kept_until(OuterRef("pk"))))


class YearsAfter(Func):
    """In the database, the date `years` after a date column: 1 March for a 29 February in a
    year without one, as `_years_after` does in Python."""

    output_field = DateField()

    def __init__(self, expression, years):
        super().__init__(expression)
        self.years = int(years)

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite's date() carries a 29 February into 1 March by itself.
        template = f"date(%(expressions)s, '+{self.years} years')"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        # PostgreSQL moves a 29 February back to the 28th: one day more makes it 1 March.
        day, params = compiler.compile(self.source_expressions[0])
        later = f"({day} + make_interval(years => {self.years}))"
        sql = (
            f"({later}::date + CASE WHEN EXTRACT(MONTH FROM {day}) = 2 AND EXTRACT(DAY FROM "
            f"{day}) = 29 AND EXTRACT(DAY FROM {later}) = 28 THEN 1 ELSE 0 END)"
        )
        return sql, (*params, *params, *params, *params)


def due_since(pupils):
    """`pupils` with `due_since`: the day their records fell due for review, the 25th birthday
    or the day a keep set to review them again; and `kept_to`, that day when there was a keep."""
    kept_to = Subquery(latest_review(OuterRef("pk")).values("review_again_on")[:1])
    return pupils.annotate(
        kept_to=kept_to,
        due_since=Coalesce(
            kept_to, YearsAfter("date_of_birth", RETENTION_YEARS), output_field=DateField()
        ),
    )


def _locked(pupil, since):
    """The pupil's row, locked for the rest of the transaction, refused unless the pupil is 25
    and `since` (the id of the latest review the form was drawn after, None for none) is still
    the latest: a form drawn before a colleague's review is not applied over it."""
    try:
        pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    except Pupil.DoesNotExist:  # destroyed by a colleague while this form was open
        raise TransitionRefused(
            "Someone has already destroyed these records. Nothing was saved."
        ) from None
    due = review_due_on(pupil.date_of_birth)
    if due > timezone.localdate():
        raise TransitionRefused(
            format_html(
                "The records are kept until {} is 25, on {} {}. Nothing was saved.",
                typed(pupil.given_name),
                due.day,
                f"{due:%B %Y}",
            )
        )
    _not_superseded(pupil, since)
    return pupil


def _not_superseded(pupil, since):
    """Refused unless `since` is the pupil's latest review (None for none): checked first, so
    that a page drawn before a colleague's review says so before anything else, and again
    with the pupil's row locked."""
    latest = latest_review(pupil).first()
    if latest is None or latest.pk == since:
        return
    again = latest.review_again_on
    if again <= timezone.localdate():
        raise Stale(STALE)
    raise Stale(
        f"Someone has already decided to keep these records until {again.day} "
        f"{again:%B %Y}. Nothing was saved."
    )


def _same_keep(pupil, reason, review_again_on):
    """The pupil's latest review if it keeps the records for `reason` until `review_again_on`
    already (the same form sent twice, so not a colleague's review to refuse over); or None."""
    latest = latest_review(pupil).first()
    reason = reason.strip() if isinstance(reason, str) else reason
    if (
        latest is not None
        and latest.decision == ReviewDecision.KEEP
        and (latest.reason, latest.review_again_on) == (reason, review_again_on)
    ):
        return latest
    return None


def keep_records(pupil, *, by, reason, review_again_on, since=None):
    """Keep the records about `pupil` for longer, for `reason`, until `review_again_on`.
    `since`: the latest review the DSL saw (ReviewForm's), when reviewing kept records again."""
    require_school_lead(by, pupil.school_id, NOT_A_LEAD)
    try:
        _not_superseded(pupil, since)
    except Stale:
        if same := _same_keep(pupil, reason, review_again_on):
            return same
        raise
    reason = require(reason, "reason", "Enter why the records are kept for longer")
    again = require(review_again_on, "review_again_on", "Enter when to review the records again")
    today = timezone.localdate()
    latest = _years_after(today, LONGEST_KEEP_YEARS)
    if again <= today:
        raise TransitionRefused(
            "The date to review the records again must be in the future", field="review_again_on"
        )
    if again > latest:
        raise TransitionRefused(
            f"The date to review the records again must be within {LONGEST_KEEP_YEARS} years, "
            f"on or before {latest.day} {latest:%B %Y}",
            field="review_again_on",
        )
    with transaction.atomic():
        try:
            pupil = _locked(pupil, since)
        except Stale:
            if same := _same_keep(pupil, reason, again):
                return same
            raise
        review = RecordsReview.objects.create(
            school_id=pupil.school_id,
            pupil=pupil,
            file_reference=pupil.pk,
            decision=ReviewDecision.KEEP,
            reason=reason,
            review_again_on=again,
            concerns=Concern.objects.filter(pupil=pupil).count(),
            decided_by=by,
        )
        audit(
            "pupil.records.keep",
            actor=by,
            obj=pupil,
            school=pupil.school,
            review=review.pk,
            review_again_on=again.isoformat(),
        )
    return review


def _still_needed(pupil):
    """Why the records cannot be destroyed yet, or None."""
    concerns = Concern.objects.filter(pupil=pupil)
    still_open = concerns.filter(status__in=OPEN_STATUSES).count()
    if still_open == 1:
        return "1 concern about the pupil is still open. Close it before the records are destroyed"
    if still_open:
        return (
            f"{still_open} concerns about the pupil are still open. Close them before the "
            "records are destroyed"
        )
    unanswered = SubjectAccessRequest.objects.filter(pupil=pupil, answered_on__isnull=True)
    if unanswered.exists():
        return (
            "A subject access request about the pupil has not been answered. Answer it before "
            "the records are destroyed: destroying records a requester has asked for is an offence"
        )
    return None


def destroy_records(pupil, *, by, confirmed, since=None):
    """Destroy every record about `pupil`, and the pupil's row. `confirmed`: the DSL has said
    they understand it cannot be undone; `since` as for `keep_records`."""
    require_school_lead(by, pupil.school_id, NOT_A_LEAD)
    _not_superseded(pupil, since)
    if not confirmed:
        raise TransitionRefused(
            "Confirm that you understand the records cannot be recovered", field="confirmed"
        )
    with transaction.atomic():
        # The concerns' rows first, then the pupil's: the order every transition takes them in
        # (workflow.core.lock_concern), so a colleague acting on a concern meanwhile waits
        # rather than deadlocks.
        list(Concern.objects.select_for_update().filter(pupil_id=pupil.pk).values_list("pk"))
        pupil = _locked(pupil, since)
        if why := _still_needed(pupil):
            raise TransitionRefused(f"{why}. Nothing was destroyed.")
        concerns = Concern.objects.filter(pupil=pupil)
        about = Q(concern__in=concerns)
        files = list(Attachment.objects.filter(about).values_list("stored_name", flat=True))
        # Kept with the deletion, so that a file whose deletion after the commit does not
        # happen (the server stops first, or it fails) is still deleted later.
        FileToDelete.objects.bulk_create(FileToDelete(stored_name=name) for name in files)
        drafts = ConcernDraft.objects.filter(pupil=pupil)
        counts = {
            "concerns": concerns.count(),
            "attachments": len(files),
            "drafts": drafts.count(),
        }
        # A colleague's unsent draft about the pupil holds what they saw and heard: it goes too.
        drafts.delete()
        # Leaves first: every table that points at a concern (PROTECT) before the concerns.
        Notification.objects.filter(about).delete()
        WorkflowEvent.objects.filter(about).delete()
        for model in (
            AdviceRequest,
            Addendum,
            Attachment,
            ConcernCategory,
            ParentConversation,
            Escalation,
            Closure,
        ):
            model.objects.filter(about).delete()
        concerns.delete()
        FileTransfer.objects.filter(pupil=pupil).delete()
        SubjectAccessRequest.objects.filter(pupil=pupil).delete()
        reference, school = pupil.pk, pupil.school
        pupil.delete()
        # Reasons once given to keep the records may name the child: they go with them.
        RecordsReview.objects.filter(file_reference=reference, school=school).update(reason="")
        review = RecordsReview.objects.create(
            school=school,
            file_reference=reference,
            decision=ReviewDecision.DESTROY,
            concerns=counts["concerns"],
            decided_by=by,
        )
        audit(
            "pupil.records.destroy",
            actor=by,
            school=school,
            object_type="pupil",
            object_id=str(reference),
            review=review.pk,
            **counts,
        )
        transaction.on_commit(lambda: delete_files(files))
    return review


def review_records(
    pupil, *, by, decision, reason="", review_again_on=None, confirmed=False, since=None
):
    """The review form's decision: keep the records (with the reason and the day to look
    again) or destroy them (confirmed, and with nothing about the child left in the log)."""
    decision = require(decision, "decision", "Select whether to keep or destroy the records")
    if decision == ReviewDecision.KEEP:
        return keep_records(
            pupil, by=by, reason=reason, review_again_on=review_again_on, since=since
        )
    if decision != ReviewDecision.DESTROY:
        raise TransitionRefused("Select whether to keep or destroy the records", field="decision")
    if (reason or "").strip():
        raise TransitionRefused(
            "Leave the reason empty when destroying the records: the log of what was "
            "destroyed keeps nothing about the child",
            field="reason",
        )
    if review_again_on is not None:
        raise TransitionRefused(
            "Leave the review date empty when destroying the records", field="review_again_on"
        )
    return destroy_records(pupil, by=by, confirmed=confirmed, since=since)
