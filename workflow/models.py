from django.conf import settings
from django.db import models
from django.utils import timezone


class WorkflowEvent(models.Model):
    """One row per successful transition: the concern's chronology. Written only by workflow/."""

    concern = models.ForeignKey("concerns.Concern", on_delete=models.PROTECT, related_name="events")
    advice_request = models.ForeignKey(
        "advice.AdviceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    # The key of the form that made the move, so that the same form sent again while the
    # first was being saved (a double click) is told it was done (`core.done_by`).
    submission_key = models.UUIDField(null=True, blank=True)
    # The concern's version this move produced, set by `core.history` and nowhere else: 1 on
    # the recording, the new version on a move that stepped it on (`core.move`, an addendum,
    # a referral's outcome). None on a move that left the concern's version as it was (the hub
    # claiming, releasing or reassigning a request; a referral's outcome before 2 December
    # 2026), and on a row written before this was kept that migration 0007 could not place.
    # What a stale page missed is the events with a version above the one it showed
    # (advice.selectors.changes_since); one event per version.
    concern_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["concern", "at", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "concern_version"], name="one_event_per_concern_version"
            )
        ]

    def __str__(self):
        return f"{self.action}: {self.from_status or '-'} -> {self.to_status}"


class Notification(models.Model):
    """The outbox. Written in the transaction that causes it, sent after commit, never lost.

    Subject and body say only that there is something to look at, and where: no child's name
    and no case content ever goes into an email.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        # A reminder still unsent (the mail server down) when its item was answered, decided or
        # closed: sent late it would call done work overdue (workflow.reminders). Or one still
        # unsent when its recipient's role ended or their account was switched off
        # (workflow.notify.deliver).
        SETTLED = "settled", "Not sent: settled first"

    kind = models.CharField(max_length=40)
    # The person it is for, if it is for a user of the service: sent to their address as it is
    # when it is sent (an address corrected meanwhile is the one used), and settled unsent if
    # they have left the service by then. None for the hub's shared mailbox, which is no one's.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The address it goes to: the person's when it was queued, then the one it was sent to.
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    urgent = models.BooleanField(default=False)
    concern = models.ForeignKey(
        "concerns.Concern", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The referral a reminder is about (workflow.reminders): a concern may have several.
    escalation = models.ForeignKey(
        "concerns.Escalation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.kind} to {self.recipient} ({self.status})"


class ReminderPass(models.Model):
    """When the reminders (workflow.reminders) last looked for overdue work: one row.

    The next pass looks back from there, so work that went overdue while send_notifications
    was stopped, for however long, is still reminded once."""

    last_ran_at = models.DateTimeField()

    def __str__(self):
        return f"Reminders last ran at {self.last_ran_at}"
