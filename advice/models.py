"""Step 2: the school's request for advice from the Early Help Hub, and the hub's advice.

A concern may have several requests over time (follow-up advice). `status` and `version` are
written only by the workflow layer.
"""

from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import AuditEvent
from schools.models import HUB_ROLES, Membership, Pupil


class Urgency(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


# Working hours the hub has to answer, by urgency (workflow.working_time does the arithmetic).
URGENCY_TARGET_HOURS = {Urgency.RED: 4, Urgency.AMBER: 8, Urgency.GREEN: 24}
URGENCY_TARGET_TEXT = {
    Urgency.RED: "within 4 working hours",
    Urgency.AMBER: "within 1 working day",
    Urgency.GREEN: "within 3 working days",
}


class AdviceStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLAIMED = "claimed", "Claimed"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn"


class NextStep(models.TextChoices):
    TALK_TO_PARENT = "talk_to_parent", "Talk with the parent or carer"
    EARLY_HELP = "early_help", "Early help assessment, with the family's consent"
    MASH = "mash", "Refer to children's social care (MASH)"
    PREVENT = "prevent", "Prevent referral to the police Prevent team (Channel)"
    MONITOR = "monitor", "Monitor in school"
    NFA = "nfa", "No further action"


class LevelOfNeed(models.IntegerChoices):
    UNIVERSAL = 1, "Level 1: universal"
    EARLY_HELP = 2, "Level 2: early help"
    TARGETED = 3, "Level 3: targeted or complex"
    SPECIALIST = 4, "Level 4: specialist or statutory"


class AdviceRequest(models.Model):
    WORKFLOW_FIELDS = frozenset(
        {
            "status",
            "version",
            "claimed_by",
            "claimed_at",
            "urgency",
            "due_at",
            "advice",
            "recommended_next_step",
            "level_of_need",
            "advised_by",
            "advised_at",
            "follow_up_on",
            "withdrawn_reason",
            "withdrawn_by",
            "withdrawn_at",
            "withdrawn_pupil_given_name",
            "withdrawn_pupil_family_name",
            "withdrawn_pupil_date_of_birth",
            "withdrawn_pupil_year_group",
        }
    )

    concern = models.ForeignKey(
        "concerns.Concern", on_delete=models.PROTECT, related_name="advice_requests"
    )
    # The authority whose hub was asked: the concern's school's, copied when the request is
    # made, so the hub's queue, its counts and the overview read this one table rather than
    # joining every concern of the authority. The natural shard key too (docs/scaling.md).
    local_authority = models.ForeignKey(
        "schools.LocalAuthority",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # request_authority_status below starts with it
    )
    # The concern's school, copied when the request is made (as the authority is), so that
    # the school's pages and its head teacher's report find its requests in an index of
    # their own rather than among every request of the authority.
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # request_school_* below start with it
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField("summary for the hub")
    question = models.TextField("question for the hub")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=AdviceStatus.choices, db_index=True)
    version = models.PositiveIntegerField(default=1)
    concern_status_before = models.CharField(
        max_length=30, help_text="The concern's status to return to if this is withdrawn."
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    advice = models.TextField(blank=True)
    recommended_next_step = models.CharField(max_length=20, choices=NextStep.choices, blank=True)
    level_of_need = models.PositiveSmallIntegerField(
        choices=LevelOfNeed.choices, null=True, blank=True
    )
    advised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    advised_at = models.DateTimeField(null=True, blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The pupil's details as they stood when the school withdrew the request: the hub's page
    # shows these, not a name or year group the school gave the pupil afterwards (docs/adr/008).
    withdrawn_pupil_given_name = models.CharField(max_length=100, blank=True)
    withdrawn_pupil_family_name = models.CharField(max_length=100, blank=True)
    withdrawn_pupil_date_of_birth = models.DateField(null=True, blank=True)
    withdrawn_pupil_year_group = models.CharField(
        max_length=2, choices=Pupil.YearGroup.choices, blank=True
    )

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["status", "due_at", "id"]),
            models.Index(fields=["concern", "requested_at"]),
            models.Index(fields=["claimed_by", "status"]),
            # The hub's queue (in its order, from the index alone) and its counts; with the
            # claimant and claim time, whether a claim lapsed (`claims_lapsed_at`) is read
            # from it too (on luton-stress the count 5.2 -> 2.9 ms, 656 -> 95 buffers).
            models.Index(
                fields=["local_authority", "status", "urgency", "due_at", "id"],
                include=["claimed_by", "claimed_at"],
                name="request_authority_status",
            ),
            # The head teacher's report: requests made in a period, by the hub overview
            # across the authority and by the school's report for the school; and the
            # school's requests still open past their due time.
            models.Index(fields=["requested_at"], name="request_requested_at"),
            models.Index(fields=["school", "requested_at"], name="request_school_requested"),
            models.Index(fields=["school", "status", "due_at"], name="request_school_status"),
        ]

    def __str__(self):
        return f"Advice request {self.pk} on {self.concern_id}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and (
            update_fields is None or not set(update_fields) <= self.WORKFLOW_FIELDS
        ):
            raise ValueError("An advice request changes only through the workflow layer.")
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in {AdviceStatus.OPEN, AdviceStatus.CLAIMED}

    @property
    def status_shown(self):
        """Its status as people read it (the module's `status_shown` below: a lapsed claim is
        open), for a request read with the `claimant_left` annotation; one read without it
        shows its stored status."""
        return status_shown(self.status, getattr(self, "claimant_left", False))


def claimant_left():
    """Whether a claimed request's claimant has left its authority's hub: they hold no active
    advisor's or manager's role there any more (an LA admin ended it), or the service's
    operators have switched their account off. Nobody is working on such a request: it counts
    as unclaimed, for anyone at the hub to claim. An expression, for a query to work out in
    its own statement (`.annotate(claimant_left=claimant_left())`), never row by row."""
    # A role ended since the claim and given again is a return, not a stay: the request went
    # back to the queue when it ended (the LA admin was told so) and does not silently leave
    # it again. (A role given while another ran on, a promotion, was never ended.)
    ended_since_the_claim = AuditEvent.objects.filter(
        action="membership.end",
        object_type="membership",
        object_id=Cast(OuterRef("pk"), CharField()),
        at__gt=OuterRef(OuterRef("claimed_at")),
    )
    still_at_the_hub = Membership.objects.filter(
        user_id=OuterRef("claimed_by_id"),
        user__is_active=True,
        is_active=True,
        role__in=sorted(HUB_ROLES),
        local_authority_id=OuterRef("local_authority_id"),
    ).exclude(Exists(ended_since_the_claim))
    return ExpressionWrapper(
        Q(status=AdviceStatus.CLAIMED) & ~Exists(still_at_the_hub), output_field=BooleanField()
    )


def claims_lapsed_at(local_authority_id):
    """`claimant_left`, for the requests of one authority, as a condition on the requests' own
    columns. It reads the hub's roles there first, in one small query, so that counting
    thousands of claimed requests looks up no role and no audit row for each of them (on
    `luton-stress`, 4,989 claimed: the queue's count took 21 ms and 40,568 buffers asking
    for each, 4.6 ms and 653 buffers so).

    A claim is still held while its claimant holds an active hub role there, on an active
    account, not ended since the claim: ended last at or before it, or never."""
    ended = (
        AuditEvent.objects.filter(
            action="membership.end",
            object_type="membership",
            object_id=Cast(OuterRef("pk"), CharField()),
        )
        .order_by()
        .values("object_id")
        .annotate(last=Max("at"))
        .values("last")
    )
    roles = (
        Membership.objects.filter(
            local_authority_id=local_authority_id,
            user__is_active=True,
            is_active=True,
            role__in=sorted(HUB_ROLES),
        )
        .annotate(last_ended=Subquery(ended))
        .order_by()
        .values_list("user_id", "last_ended")
    )
    held = [
        Q(claimed_by_id=user_id)
        if last_ended is None
        else Q(claimed_by_id=user_id, claimed_at__gte=last_ended)
        for user_id, last_ended in roles
    ]
    lapsed = Q(status=AdviceStatus.CLAIMED)
    return lapsed & ~reduce(or_, held) if held else lapsed


def status_shown(status, claimant_left):
    """A request's status as the hub and the school read it. A claim whose claimant has left
    the hub (`claimant_left`) lapsed: nobody is working on the request, so it is open, waiting
    for anyone at the hub, with who had claimed it named beside it."""
    return AdviceStatus.OPEN if claimant_left else status


def status_shown_in(statuses, lapsed):
    """A condition for requests whose status as people read it (`status_shown`) is one of
    `statuses`, given the condition for a lapsed claim (`claims_lapsed_at`). With open and
    claimed both chosen, or neither, a lapsed claim is in or out either way, and only the
    stored status (which an index holds) is read."""
    chosen = Q(status__in=statuses)
    if (AdviceStatus.OPEN in statuses) == (AdviceStatus.CLAIMED in statuses):
        return chosen
    return chosen | lapsed if AdviceStatus.OPEN in statuses else chosen & ~lapsed
