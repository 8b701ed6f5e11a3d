"""Fictional demo evidence for the Luton demo schools: a Prevent policy confirmation by each
head teacher and a few British values log entries, so the audit report has something to show.
Written through `reports.services`, like any other evidence; running it again adds nothing."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from schools.models import Membership, Role, School

from .models import PolicyConfirmation, ValuesEvidence
from .periods import Period
from .services import add_values_evidence, confirm_prevent_policy

AUTHORITY_CODE = "LUT"

# (days before today, title, description, year groups, values)
ACTIVITIES = [
    (
        12,
        "School council elections",
        "Each class heard the candidates' speeches and voted by secret ballot; the results "
        "were announced in assembly.",
        ["3", "4", "5", "6"],
        ["democracy", "individual_liberty"],
    ),
    (
        30,
        "Visit from the neighbourhood police team",
        "Pupils asked the officers why we have laws and what happens when they are broken.",
        ["5", "6"],
        ["rule_of_law"],
    ),
    (
        45,
        "Festivals of light assembly",
        "Families from three faith communities shared how they celebrate Diwali, Hanukkah and "
        "Christmas.",
        ["R", "1", "2"],
        ["mutual_respect"],
    ),
]


def _head(school):
    membership = (
        Membership.objects.filter(school=school, role=Role.HEAD_TEACHER, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def seed_demo_evidence():
    """Add the demo evidence that is missing. Returns how many rows it created."""
    created = {"confirmations": 0, "activities": 0}
    today = timezone.localdate()
    # Dates inside the current academic year, so the default report shows them.
    year_start = Period.academic_year(today).start
    for school in School.objects.filter(local_authority__code=AUTHORITY_CODE).order_by("urn"):
        head = _head(school)
        if head is None:
            continue
        if (
            school.safeguarding_policy_url
            and not PolicyConfirmation.objects.filter(school=school).exists()
        ):
            confirm_prevent_policy(school, by=head, expected_url=school.safeguarding_policy_url)
            created["confirmations"] += 1
        existing = set(ValuesEvidence.objects.filter(school=school).values_list("title", flat=True))
        for days, title, description, year_groups, values in ACTIVITIES:
            if title in existing:
                continue
            add_values_evidence(
                school,
                by=head,
                activity_date=max(today - timedelta(days=days), year_start),
                title=title,
                description=description,
                year_groups=year_groups,
                values=values,
            )
            created["activities"] += 1
    return created
