"""Evidence for steps 1, 4 and 5: the head teacher's confirmation that the safeguarding policy
covers Prevent, and the British values curriculum log.

History is rows, not overwrites: each confirmation is a new row, and each change to a values
log entry adds an immutable revision. Rows are written only by `reports.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from schools.models import Pupil


class PolicyConfirmation(models.Model):
    """The head teacher's confirmation that the published safeguarding policy covers Prevent
    as part of safeguarding, with no separate Prevent policy (steps 1 and 4)."""

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="policy_confirmations"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    policy_url = models.URLField(
        "policy address confirmed", help_text="The policy's address when it was confirmed."
    )
    statement = models.TextField(help_text="The exact words the head teacher confirmed.")
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        help_text="Set by the form that confirmed, so a repeated submission finds this row.",
    )

    class Meta:
        ordering = ["-confirmed_at", "-pk"]
        indexes = [models.Index(fields=["school", "-confirmed_at", "-id"])]

    def __str__(self):
        day = timezone.localdate(self.confirmed_at)  # London's day, as the pages show it
        return f"Prevent policy confirmation for {self.school_id} at {day:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A confirmation is never changed: confirm again instead.")
        super().save(*args, **kwargs)


class BritishValue(models.TextChoices):
    """The four fundamental British values (step 5). The values are field names below."""

    DEMOCRACY = "democracy", "Democracy"
    RULE_OF_LAW = "rule_of_law", "The rule of law"
    INDIVIDUAL_LIBERTY = "individual_liberty", "Individual liberty"
    MUTUAL_RESPECT = (
        "mutual_respect",
        "Mutual respect and tolerance of those with different faiths and beliefs",
    )


YEAR_GROUP_ORDER = {value: index for index, value in enumerate(Pupil.YearGroup.values)}


def encode_year_groups(year_groups):
    """',R,1,2,': delimited on both sides so `contains=',1,'` never matches Year 10."""
    ordered = sorted(set(year_groups), key=YEAR_GROUP_ORDER.__getitem__)
    return "," + ",".join(ordered) + "," if ordered else ""


class ValuesContent(models.Model):
    """What an entry in the values log says; shared by the entry and each of its revisions."""

    activity_date = models.DateField("date of the activity")
    title = models.CharField(max_length=150)
    description = models.TextField()
    # Encoded by `encode_year_groups`: a plain string filters the same way on every database.
    year_groups = models.CharField(max_length=60)
    democracy = models.BooleanField(BritishValue.DEMOCRACY.label, default=False)
    rule_of_law = models.BooleanField(BritishValue.RULE_OF_LAW.label, default=False)
    individual_liberty = models.BooleanField(BritishValue.INDIVIDUAL_LIBERTY.label, default=False)
    mutual_respect = models.BooleanField(BritishValue.MUTUAL_RESPECT.label, default=False)

    CONTENT_FIELDS = (
        "activity_date",
        "title",
        "description",
        "year_groups",
        *BritishValue.values,
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(class)s_promotes_a_value",
                condition=Q(democracy=True)
                | Q(rule_of_law=True)
                | Q(individual_liberty=True)
                | Q(mutual_respect=True),
                violation_error_message="An activity promotes at least one of the four values.",
            ),
        ]

    @property
    def values(self):
        return [value for value in BritishValue if getattr(self, value.value)]

    @property
    def value_labels(self):
        return [value.label for value in self.values]

    @property
    def year_group_values(self):
        return [code for code in self.year_groups.split(",") if code]

    @property
    def year_group_labels(self):
        return [Pupil.YearGroup(code).label for code in self.year_group_values]

    def content(self):
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}


class ValuesEvidence(ValuesContent):
    """An entry in the British values log: its latest content, for listing and filtering.

    Every version, the first included, is kept as a ValuesEvidenceRevision.
    """

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="values_evidence"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        help_text="Set by the form that added it, so a repeated submission finds this row.",
    )

    class Meta(ValuesContent.Meta):
        verbose_name_plural = "values evidence"
        ordering = ["-activity_date", "-pk"]
        indexes = [models.Index(fields=["school", "-activity_date", "-id"])]

    def __str__(self):
        return self.title


class ValuesEvidenceRevision(ValuesContent):
    """One version of a values log entry, as it was saved. Never changed or deleted."""

    evidence = models.ForeignKey(ValuesEvidence, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta(ValuesContent.Meta):
        ordering = ["evidence", "-number"]
        constraints = [
            *ValuesContent.Meta.constraints,
            models.UniqueConstraint(
                fields=["evidence", "number"], name="values_revision_number_once"
            ),
        ]

    def __str__(self):
        return f"{self.title} (version {self.number})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A revision is never changed: edit the entry to add a new one.")
        super().save(*args, **kwargs)
