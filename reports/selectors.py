"""Scoped reads for the evidence pages, and the start page's policy reminder."""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils import timezone

from audit.scope import get_in_scope
from schools.models import DSL_ROLES, SCHOOL_ROLES, Role

from .models import PolicyConfirmation, ValuesEvidence

POLICY_READERS = frozenset({Role.HEAD_TEACHER, *DSL_ROLES})


def values_evidence_for(membership):
    """The values log of the membership's school; nobody outside the school sees it."""
    if membership is None or membership.role not in SCHOOL_ROLES:
        return ValuesEvidence.objects.none()
    return ValuesEvidence.objects.filter(school_id=membership.school_id)


def get_values_evidence_for(membership, pk):
    """The values log entry with `pk` if it belongs to the membership's school; else a 404."""
    return get_in_scope(
        values_evidence_for(membership).select_related("school", "created_by"),
        pk,
        "valuesevidence",
    )


def confirmations_for(school):
    return PolicyConfirmation.objects.filter(school=school).select_related("confirmed_by")


def latest_confirmation(school):
    return confirmations_for(school).first()


def year_ago(today):
    """The same date a year earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return date(today.year - 1, 2, 28)


@dataclass(frozen=True)
class PolicyReminder:
    heading: str
    text: str
    link_text: str
    url: str


def policy_reminder(membership, *, today=None):
    """What the start page should say about the Prevent policy confirmation, or None.

    Shown to the head teacher and the DSLs when the head teacher has never confirmed that the
    safeguarding policy covers Prevent, when the latest confirmation is more than 12 months
    old, or when the policy's address has changed since it was confirmed.
    """
    if membership is None or membership.role not in POLICY_READERS:
        return None
    today = today or timezone.localdate()
    school = membership.school
    latest = latest_confirmation(school)
    who = "you" if membership.role == Role.HEAD_TEACHER else "the head teacher"
    if latest is None:
        heading = f"{who.capitalize()} {'have' if who == 'you' else 'has'} not yet confirmed "
        heading += "that the safeguarding policy covers Prevent"
    elif timezone.localtime(latest.confirmed_at).date() < year_ago(today):
        confirmed_on = timezone.localtime(latest.confirmed_at).date()
        heading = (
            "The confirmation that the safeguarding policy covers Prevent is more than 12 "
            f"months old (confirmed on {confirmed_on.day} {confirmed_on:%B %Y})"
        )
    elif latest.policy_url != school.safeguarding_policy_url:
        heading = (
            f"The safeguarding policy's address has changed since {who} confirmed that it "
            "covers Prevent"
        )
    else:
        return None
    if membership.role == Role.HEAD_TEACHER:
        return PolicyReminder(
            heading=heading,
            text="Check the published policy and confirm it covers Prevent as part of "
            "safeguarding, with no separate Prevent policy.",
            link_text="Confirm the safeguarding policy",
            url=reverse("reports:policy_confirm"),
        )
    return PolicyReminder(
        heading=heading,
        text="Check the policy's address is right and ask the head teacher to confirm it.",
        link_text="Go to the safeguarding policy page",
        url=reverse("reports:policy"),
    )
