"""Step 1 and step 3 records: the concern and what hangs off it.

A concern is never edited after it is recorded: corrections and updates are addenda. Its
`status` and `version` are written only by the workflow layer (workflow/), in the same
transaction as the WorkflowEvent that explains the change.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from schools.models import Pupil


class Category(models.TextChoices):
    """The one safeguarding taxonomy. Prevent is a category like the others (step 4)."""

    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    NEGLECT = "neglect", "Neglect"
    CSE = "child_sexual_exploitation", "Child sexual exploitation"
    CCE = "child_criminal_exploitation", "Child criminal exploitation (including county lines)"
    PREVENT = "radicalisation", "Radicalisation or extremism (Prevent)"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    FGM = "fgm", "Female genital mutilation"
    FORCED_MARRIAGE = "forced_marriage", "Forced marriage or honour-based abuse"
    CHILD_ON_CHILD = "child_on_child", "Child-on-child abuse"
    ONLINE_SAFETY = "online_safety", "Online safety"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SELF_HARM = "self_harm", "Self-harm"
    MISSING_EDUCATION = "missing_education", "Children missing education"
    PRIVATE_FOSTERING = "private_fostering", "Private fostering"
    SERIOUS_VIOLENCE = "serious_violence", "Serious violence"
    OTHER = "other", "Other"


class ConcernStatus(models.TextChoices):
    RECORDED = "recorded", "Recorded"
    WITH_HUB = "with_hub", "With the Early Help Hub"
    ADVICE_RECEIVED = "advice_received", "Advice received"
    PARENT_CONVERSATION_LOGGED = "parent_conversation_logged", "Parent conversation logged"
    ESCALATED = "escalated", "Escalated"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = frozenset(set(ConcernStatus) - {ConcernStatus.CLOSED})


class _Joined(models.Aggregate):
    """Values joined by commas, in no particular order: STRING_AGG on PostgreSQL, GROUP_CONCAT
    on SQLite (Django 5.2 has no aggregate for both)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def category_list(concern="pk"):
    """A concern's category values as one column ("neglect,online_safety"), from the
    concern named by `concern` (a path from the rows being read to their concern): a page of
    concerns gets its categories in its own query, not one more. `categories_of` reads it."""
    return models.Subquery(
        ConcernCategory.objects.filter(concern=models.OuterRef(concern))
        .values("concern")
        .annotate(joined=_Joined("category"))
        .values("joined")
    )


def categories_of(listed):
    """The category values in a `category_list` column, in order."""
    return sorted(listed.split(",")) if listed else []


class ConcernQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=ConcernStatus.CLOSED)

    def with_categories(self):
        """Each concern with its category values (`category_values` reads them; no query)."""
        return self.annotate(category_list=category_list())


class Concern(models.Model):
    # Only the workflow layer changes these, and only through save(update_fields=...).
    WORKFLOW_FIELDS = frozenset({"status", "version"})

    reference = models.CharField(max_length=20, unique=True)
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="concerns")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="concerns")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_recorded"
    )
    observed_at = models.DateTimeField("when it was seen or heard")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The pupil's year group when the concern was recorded: a report of a past year counts it
    # there after each September's roll moves the pupil up (reports/figures.py).
    year_group = models.CharField(max_length=2, choices=Pupil.YearGroup.choices)
    delay_reason = models.TextField(
        blank=True, help_text="Why it was recorded more than 7 days after it was seen or heard."
    )
    location = models.CharField("where", max_length=200)
    what_happened = models.TextField("what happened")
    child_words = models.TextField("the child's own words", blank=True)
    others_present = models.TextField("who else was there", blank=True)
    immediate_action = models.TextField("what was done straight away", blank=True)
    immediate_risk = models.BooleanField(
        "child may be at immediate risk of significant harm", default=False
    )
    status = models.CharField(max_length=30, choices=ConcernStatus.choices, db_index=True)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        help_text="Set by the form that submitted it, so a repeated submission finds this row.",
    )

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["school", "status", "-recorded_at", "-id"]),
            models.Index(fields=["school", "-recorded_at", "-id"]),
            models.Index(fields=["pupil", "observed_at"]),
            models.Index(fields=["recorded_by", "-recorded_at"]),
            # The DSL's inbox: a school's open concerns, however many closed ones lie behind.
            models.Index(
                fields=["school"], condition=~Q(status="closed"), name="concern_open_by_school"
            ),
            # The inbox's "recorded by" filter: who has recorded at the school, from the index.
            models.Index(fields=["school", "recorded_by"], name="concern_school_recorder"),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and (
            update_fields is None or not set(update_fields) <= self.WORKFLOW_FIELDS
        ):
            raise ValueError(
                "A recorded concern is never edited: add an addendum instead. "
                "Only the workflow layer may change its status."
            )
        super().save(*args, **kwargs)

    @property
    def category_values(self):
        if hasattr(self, "category_list"):  # read with ConcernQuerySet.with_categories()
            return categories_of(self.category_list)
        return sorted(c.category for c in self.categories.all())

    @property
    def category_labels(self):
        return [Category(value).label for value in self.category_values]


class ConcernCategory(models.Model):
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="categories")
    category = models.CharField(max_length=40, choices=Category.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concern", "category"], name="concern_category_once"),
        ]
        indexes = [models.Index(fields=["category", "concern"])]

    def __str__(self):
        return self.get_category_display()


class ReferenceSequence(models.Model):
    """The last reference number given out per authority and year (LUT-2026-00042)."""

    local_authority = models.ForeignKey("schools.LocalAuthority", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "year"], name="reference_sequence_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.local_authority_id}/{self.year}: {self.last_number}"


class Addendum(models.Model):
    """A note or correction appended to a concern; the concern itself is never edited."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        help_text="Set by the form that submitted it, so a repeated submission finds this row.",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "addenda"
        # The inbox finds the last 30 days' addenda to closed concerns from it, whatever the
        # years of history behind them.
        indexes = [models.Index(fields=["created_at"], name="addendum_by_time")]

    def __str__(self):
        return f"Addendum {self.pk} to {self.concern_id}"


class ConcernRead(models.Model):
    """How far a person who works the school's inbox has read a concern: the time of the
    latest addendum its page has shown them (before 3 December 2026, their last opening of it,
    from the audit trail). An addendum after it, by someone else, is shown on their inbox row
    as not yet read. What they have seen, not what happened to the child; it goes with the
    concern (not PROTECT) and is never part of its history."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concern", "user"], name="concern_read_once"),
        ]

    def __str__(self):
        return f"Concern {self.concern_id} read by {self.user_id}"


class ParentConversation(models.Model):
    """Step 3: the conversation with the parent or carer, or why it did not happen."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "By phone"
        VIDEO = "video", "By video call"

    class NotHeldReason(models.TextChoices):
        RISK = "risk", "Talking to the parent or carer would place the child at risk"
        UNREACHABLE = "unreachable", "The parent or carer could not be reached"
        CHILD_ASKED = (
            "child_asked",
            ("The young person asked that their parents not be told, and it is appropriate"),
        )
        OTHER = "other", "Another reason"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="conversations")
    # The concern's school, copied when this is written (as advice requests copy theirs), so
    # that the head teacher's report finds the school's conversations in a period from an index
    # of their own, not among every school's.
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    held = models.BooleanField()
    held_at = models.DateTimeField(null=True, blank=True)
    with_name = models.CharField("with whom", max_length=150, blank=True)
    with_relationship = models.CharField(
        "their relationship to the child", max_length=100, blank=True
    )
    method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    others_present = models.TextField(blank=True)
    discussed = models.TextField("what was discussed", blank=True)
    parent_view = models.TextField("the parent or carer's view", blank=True)
    agreed_actions = models.TextField(blank=True)
    not_held_reason = models.CharField(max_length=20, choices=NotHeldReason.choices, blank=True)
    attempts = models.TextField("attempts to reach them", blank=True)
    details = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["logged_at", "pk"]
        indexes = [
            models.Index(fields=["logged_at"], name="conversation_logged_at"),
            # The head teacher's report: the school's conversations logged in a period.
            models.Index(fields=["school", "logged_at"], name="conversation_school_logged"),
        ]

    def __str__(self):
        return f"Parent conversation on {self.concern_id} ({'held' if self.held else 'not held'})"


class Escalation(models.Model):
    """Significant harm: the referral made, to whom, and what came of it."""

    class Target(models.TextChoices):
        CSC = "csc", "Children's social care (MASH)"
        POLICE = "police", "Police"
        PREVENT = "prevent", "Police Prevent team (Channel)"
        LADO = "lado", "Local authority designated officer (LADO)"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        SECTION_47 = "section_47", "Section 47 child protection enquiry"
        SECTION_17 = "section_17", "Section 17 child in need assessment"
        CHANNEL = "channel", "Channel support adopted"
        EARLY_HELP = "early_help", "Stepped down to early help"
        POLICE_ACTION = "police_action", "Police investigation"
        CSC_NFA = "csc_nfa", "No further action by children's social care"
        OTHER = "other", "Other"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="escalations")
    # The concern's school, copied when this is written (as advice requests copy theirs), so
    # that the head teacher's report finds the school's escalations in a period from an index
    # of their own, not among every school's.
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    indicators = models.TextField("what indicates significant harm")
    referred_to = models.CharField(max_length=20, choices=Target.choices)
    referred_to_other = models.CharField(max_length=150, blank=True)
    referred_at = models.DateTimeField()
    spoken_to = models.CharField("who was spoken to", max_length=150, blank=True)
    reference_number = models.CharField(max_length=60, blank=True)
    parent_informed = models.BooleanField()
    parent_not_informed_reason = models.TextField(blank=True)
    by_hub = models.BooleanField(default=False)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(default=timezone.now)
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        help_text="Set by the form that submitted it, so a repeated submission finds this row.",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_details = models.TextField(blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["escalated_at", "pk"]
        indexes = [
            # The inbox asks, row by row, whether an escalation awaits its outcome.
            models.Index(
                fields=["concern"], condition=Q(outcome=""), name="escalation_awaiting_outcome"
            ),
            # The head teacher's report: the school's referrals still awaiting their outcome.
            models.Index(
                fields=["school", "referred_at"],
                condition=Q(outcome=""),
                name="escalation_school_awaiting",
            ),
            models.Index(fields=["escalated_at"], name="escalation_escalated_at"),
            # The head teacher's report: the school's escalations made in a period.
            models.Index(fields=["school", "escalated_at"], name="escalation_school_escalated"),
        ]

    def __str__(self):
        return f"Escalation of {self.concern_id} to {self.get_referred_to_display()}"


class Closure(models.Model):
    class Outcome(models.TextChoices):
        NFA = "nfa", "No further action"
        MONITORING = "monitoring", "Monitoring in school"
        EARLY_HELP = "early_help", "Early help plan"
        CSC = "csc", "Referred to children's social care"
        CHANNEL = "channel", "Channel support"
        OTHER = "other", "Other"

    # Without the hub's advice a concern is closed only as no further action (DESIGN §3): early
    # help is what the hub advises on, and a referral is an escalation.
    WITHOUT_ADVICE = [Outcome.NFA, Outcome.MONITORING]

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="closures")
    # The concern's school, copied when this is written (as advice requests copy theirs), so
    # that the head teacher's report finds the school's closures in a period from an index
    # of their own, not among every school's.
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    rationale = models.TextField()
    without_hub_advice = models.BooleanField(
        default=False,
        help_text="Closed straight from 'recorded': a DSL decision of no further action, "
        "reported as an exception.",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["closed_at", "pk"]
        indexes = [
            # The inbox's "recently closed" group looks closures up by date.
            models.Index(fields=["closed_at"]),
            # The head teacher's report: the school's closures in a period.
            models.Index(fields=["school", "closed_at"], name="closure_school_closed"),
        ]

    def __str__(self):
        return f"Closure of {self.concern_id}: {self.get_outcome_display()}"


class ConcernDraft(models.Model):
    """A concern still being written: every page of the form saves its answers here, so nothing
    typed is lost to a closed tab or an expired session.

    Only its author sees it, in the school it was started for. Its id is also the submission key
    given to `record_concern`, so sending it twice records one concern. It is deleted once the
    concern is recorded, and by `purge_drafts` 30 days after it was last changed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concern_drafts"
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(
        "schools.Pupil", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The answers as typed, by form input name (each a list of strings, as a form posts them),
    # so a page can be shown again exactly as it was left, even if it did not yet validate.
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["author", "school", "-updated_at"])]

    def __str__(self):
        return f"Draft {self.pk}"


class Attachment(models.Model):
    """A file kept with a concern: a body map, a photo, a letter.

    The file is stored under a random name in a private directory and is read back only
    through the download view, which checks scope and writes an AuditEvent. What it is was
    decided by its content when it was uploaded, not by its name.
    """

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(help_text="In bytes.")
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        help_text="Set by the form that submitted it, so a repeated submission finds this row.",
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["concern", "uploaded_at"])]

    def __str__(self):
        return self.original_name


class FileToDelete(models.Model):
    """A stored file whose attachment was destroyed with the pupil's records at review
    (workflow.retention), written in the destruction's transaction: the file is deleted once
    that has committed, and this row with it. A row left (the server stopped first, or the
    file could not be deleted) is retried by `delete_destroyed_files`. Only the file's random
    stored name: nothing about the child."""

    stored_name = models.CharField(max_length=100, unique=True)
    since = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.stored_name


class SendMethod(models.TextChoices):
    ELECTRONIC = "electronic", "A secure electronic transfer"
    BY_HAND = "by_hand", "By hand, signed for"
    POST = "post", "Special or recorded delivery"


class FileTransfer(models.Model):
    """A pupil who has left, and their child protection file on its way to the new school; or,
    once `returned_on` is set, a leaving that ended when the pupil came back.

    Keeping Children Safe in Education asks the DSL to send the file separately from the main
    pupil file, within 5 school days of the child starting at the new school (for a move
    between terms, the first 5 days of the new term), and to get confirmation that it arrived.
    Each step is recorded once (workflow.leavers), by a DSL, and audited."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="file_transfers")
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="file_transfers"
    )
    left_on = models.DateField()
    new_school = models.CharField(max_length=200)
    starts_on = models.DateField(help_text="The pupil's first day at the new school.")
    due_on = models.DateField(help_text="The 5th school day from `starts_on`.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    sent_on = models.DateField(null=True, blank=True)
    sent_how = models.CharField(max_length=20, choices=SendMethod.choices, blank=True)
    sent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    received_on = models.DateField(null=True, blank=True)
    received_by = models.CharField(
        max_length=200, blank=True, help_text="Who confirmed receipt at the new school."
    )
    receipt_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    returned_on = models.DateField(
        null=True, blank=True, help_text="The day the pupil came back to the school, if they did."
    )
    return_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["school", "due_on"], name="transfer_school_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(sent_on__isnull=False),
                name="transfer_received_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("left_on")),
                name="transfer_returned_after_left",
            ),
            # A pupil is away once at a time: a leaving is recorded again after they came back.
            models.UniqueConstraint(
                fields=["pupil"],
                condition=Q(returned_on__isnull=True),
                name="transfer_one_away_per_pupil",
            ),
        ]

    def __str__(self):
        return f"File transfer for pupil {self.pupil_id}"

    @property
    def late(self):
        """Sent after its due day, or not sent and the due day has passed."""
        return (self.sent_on or timezone.localdate()) > self.due_on


class AccessAnswer(models.TextChoices):
    DISCLOSED = "disclosed", "All of the records were disclosed"
    IN_PART = "in_part", "Disclosed in part: some information was withheld"
    WITHHELD = "withheld", "All of the records were withheld"
    NONE_HELD = "none_held", "No child protection records are held about the pupil"


WITHHOLDING = (AccessAnswer.IN_PART, AccessAnswer.WITHHELD)


class AccessBasis(models.TextChoices):
    """Whose right a request exercises. The right of access is the pupil's: a pupil who
    understands it decides whether someone else may exercise it for them; for one who does
    not, a parent or carer may, where that is in the pupil's best interests (ICO guidance on
    children's data)."""

    PUPIL = "pupil", "The pupil made the request themselves"
    AGREED = (
        "agreed",
        ("The pupil understands their rights, and agreed to the requester acting for them"),
    )
    BEST_INTERESTS = (
        "best_interests",
        (
            "The pupil is not able to understand their rights, and answering the requester is in "
            "the pupil's best interests"
        ),
    )
    NOT_AGREED = (
        "not_agreed",
        ("The pupil understands their rights, and did not agree to the requester acting for them"),
    )


class SubjectAccessRequest(models.Model):
    """A request for the child protection records held about a pupil (UK GDPR article 15),
    by the pupil or someone acting for them.

    The school answers within one calendar month of receiving it, or within three months
    when the request is complex and the school says so, with its reason, inside the first
    month. Where the school holds a lot about the pupil it may ask the requester which
    information the request is about: the time limit stands still from that day until their
    answer arrives, and the due day moves on by as many days. Information may be withheld,
    for example where disclosing it would be likely to cause serious harm; the reason is
    recorded. Where the school needed proof of who the requester is and asked for it, the
    time limit starts when it arrives. Each step is recorded by a DSL and audited
    (workflow.subject_access)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="access_requests")
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="access_requests"
    )
    requester = models.CharField(
        max_length=200, help_text="Who asked, and who they are to the pupil."
    )
    received_on = models.DateField()
    identity_requested_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the school asked for proof of who the requester is, or that they act "
        "for the pupil.",
    )
    identity_confirmed_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day proof arrived of who the requester is, or that they act for the "
        "pupil, when the school needed it and asked: the time limit starts then.",
    )
    due_on = models.DateField(
        help_text="One month from receipt (or from the proof of identity, when asked for), or "
        "three once extended, moved on by the days spent waiting for the requester to clarify."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    extension_reason = models.TextField(blank=True)
    extended_on = models.DateField(
        null=True, blank=True, help_text="The day the requester was told of the extension."
    )
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    clarification_asked_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the requester was asked which information the request is about: "
        "the time limit stops until they say.",
    )
    clarification_asked = models.TextField(blank=True, help_text="What the requester was asked.")
    clarification_asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    clarified_on = models.DateField(
        null=True, blank=True, help_text="The day the requester's answer arrived."
    )
    clarified_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    answered_on = models.DateField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=AccessAnswer.choices, blank=True)
    basis = models.CharField(
        max_length=20,
        choices=AccessBasis.choices,
        blank=True,
        help_text="Recorded with the answer: whether the pupil made the request, or on what "
        "footing the requester acts for them.",
    )
    withheld_reason = models.TextField(
        blank=True, help_text="Why some or all of the records were withheld."
    )
    answer_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["school", "due_on"], name="access_school_due")]
        constraints = [
            # One person's request on one day is one request, however often it is submitted.
            models.UniqueConstraint(
                fields=["pupil", "requester", "received_on"], name="access_request_once"
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True, answer="")
                | Q(answered_on__isnull=False) & ~Q(answer=""),
                name="access_answered_with_an_answer",
            ),
            models.CheckConstraint(
                condition=Q(clarification_asked_on__isnull=True) | ~Q(clarification_asked=""),
                name="access_asked_with_a_question",
            ),
            models.CheckConstraint(
                condition=Q(clarified_on__isnull=True)
                | Q(
                    clarification_asked_on__isnull=False,
                    clarified_on__gte=F("clarification_asked_on"),
                ),
                name="access_clarified_after_asked",
            ),
        ]

    def __str__(self):
        return f"Subject access request {self.pk} for pupil {self.pupil_id}"

    @property
    def extended(self):
        return bool(self.extension_reason)

    @property
    def waiting(self):
        """Asked to clarify, and their answer not yet in: the time limit stands still."""
        return self.clarification_asked_on is not None and self.clarified_on is None

    @property
    def awaiting_identity(self):
        """Asked for proof of the requester's identity, and it has not arrived: the time limit
        has not started (UK GDPR article 12A(3)(b))."""
        return self.identity_requested_on is not None and self.identity_confirmed_on is None

    @property
    def on_hold(self):
        """The time limit is not running: not yet started, or standing still."""
        return self.awaiting_identity or self.waiting

    @property
    def late(self):
        """Answered after its due day, or not answered and the due day has passed; never while
        the time limit is not running (clarification is asked for by the due day, and it has
        not started until proof of identity arrives)."""
        return not self.on_hold and (self.answered_on or timezone.localdate()) > self.due_on

    @property
    def due_today(self):
        return self.answered_on is None and not self.on_hold and self.due_on == timezone.localdate()


class ReviewDecision(models.TextChoices):
    KEEP = "keep", "Keep the records for longer"
    DESTROY = "destroy", "Destroy the records"


class RecordsReview(models.Model):
    """The review of a pupil's child protection records once the pupil is 25 (UK GDPR: kept
    until the 25th birthday, then reviewed; DESIGN §1).

    The DSL either keeps the records for longer, with the reason and the day to review them
    again, or destroys them. Destroying deletes every record about the pupil and the pupil's
    row; this row stays as the school's log of what was destroyed, when and by whom, naming
    the file by its reference (the pupil's former id), never by the child (workflow.retention).
    """

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="records_reviews"
    )
    pupil = models.ForeignKey(
        Pupil, null=True, blank=True, on_delete=models.SET_NULL, related_name="records_reviews"
    )
    file_reference = models.PositiveIntegerField(help_text="The pupil's id when reviewed.")
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    reason = models.TextField(blank=True, help_text="Why the records are kept for longer.")
    review_again_on = models.DateField(
        null=True, blank=True, help_text="When records kept for longer are reviewed again."
    )
    concerns = models.PositiveIntegerField(help_text="How many concerns the file held.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["school", "-decided_at", "-id"], name="review_school_decided"),
            models.Index(fields=["pupil", "-review_again_on"], name="review_pupil_again"),
        ]
        constraints = [
            models.CheckConstraint(
                # A reason to keep goes with the records when they are destroyed.
                condition=Q(decision="keep", review_again_on__isnull=False)
                & (~Q(reason="") | Q(pupil__isnull=True))
                | Q(decision="destroy", review_again_on__isnull=True, pupil__isnull=True),
                name="review_keep_has_reason_and_date",
            ),
        ]

    def __str__(self):
        return f"Records review {self.pk} of file {self.file_reference}"
