"""Writes for the evidence of steps 1, 4 and 5. Views call these, never `save()` themselves.

Each function takes the acting user as the keyword-only `by=`, checks their role in the school,
validates what it needs, and writes its rows and one AuditEvent in one transaction. A refusal
raises `workflow.exceptions.TransitionRefused` (the project's one domain exception, which pages
already know how to show beside a field) and writes nothing.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.log import record
from schools.models import DSL_ROLES, SCHOOL_ROLES, Pupil, Role, School
from schools.selectors import active_memberships
from workflow.exceptions import Stale, TransitionRefused

from .models import (
    BritishValue,
    PolicyConfirmation,
    ValuesEvidence,
    ValuesEvidenceRevision,
    encode_year_groups,
)

POLICY_EDITORS = frozenset({Role.HEAD_TEACHER, *DSL_ROLES})
VALUES_LEADS = frozenset({Role.HEAD_TEACHER, *DSL_ROLES})
EARLIEST_YEAR = 2000

PREVENT_STATEMENT = (
    "Our published safeguarding policy covers the Prevent duty (radicalisation and extremism) "
    "as part of safeguarding. The school has no separate Prevent policy: a concern about "
    "radicalisation is recorded and followed up through the same steps as every other "
    "safeguarding concern."
)

_URL = URLValidator(schemes=["http", "https"])

STALE_VALUES = (
    "Someone changed this activity since you opened the page. Nothing was saved: their version "
    "is shown above the form. Make your change to it, or save yours again to replace it."
)


def _roles_in(user, school):
    return {m.role for m in active_memberships(user) if m.school_id == school.pk}


def _refuse_unless(user, school, roles, message):
    held = _roles_in(user, school)
    if not held & roles:
        raise TransitionRefused(message)
    return held


def _clean_url(url):
    url = (url or "").strip()
    if not url:
        raise TransitionRefused(
            "Enter the address of the published safeguarding policy", field="url"
        )
    try:
        _URL(url)
    except ValidationError:
        raise TransitionRefused(
            "Enter the full web address of the policy, like "
            "https://www.example.sch.uk/safeguarding-policy",
            field="url",
        ) from None
    return url


@transaction.atomic
def set_policy_url(school, *, by, url, expected_url=None):
    """Record the address of the school's published safeguarding policy (step 1).

    Who: the school's head teacher, DSLs and deputy DSLs. Needs a full http(s) address.
    With `expected_url` (the address the page showed), refuses if someone changed it since,
    rather than silently undoing their change. Returns the school; saving the same address
    again writes nothing.
    """
    _refuse_unless(
        by,
        school,
        POLICY_EDITORS,
        "Only the head teacher or a DSL can change the address of the safeguarding policy.",
    )
    url = _clean_url(url)
    school = School.objects.select_for_update().get(pk=school.pk)
    before = school.safeguarding_policy_url
    if url == before:
        return school
    if expected_url is not None and before != expected_url:
        raise TransitionRefused(
            "Someone changed the address since you opened this page. Nothing was saved: check "
            f"the address now saved ({before or 'none'}) and save yours again if it is right.",
            field="url",
        )
    school.safeguarding_policy_url = url
    school.save(update_fields=["safeguarding_policy_url"])
    record(
        "school.policy_url.change", actor=by, obj=school, school=school, before=before, after=url
    )
    return school


@transaction.atomic
def confirm_prevent_policy(school, *, by, expected_url, submission_key=None):
    """The head teacher confirms the policy covers Prevent, with no separate Prevent policy
    (step 4). Each confirmation is a new row, so earlier ones stay in the history.

    Who: the school's head teacher only. Needs a published policy address, and refuses if it
    changed since the page showed `expected_url` (the head confirms the policy they saw).
    With a `submission_key`, the same form sent again (a second click) returns the
    confirmation the first one recorded.
    """
    _refuse_unless(
        by,
        school,
        {Role.HEAD_TEACHER},
        "Only the head teacher can confirm that the safeguarding policy covers Prevent.",
    )
    school = School.objects.select_for_update().get(pk=school.pk)
    if submission_key is not None:
        # The school's row is locked: a second submission waits here for the first.
        earlier = PolicyConfirmation.objects.filter(
            school=school, confirmed_by=by, submission_key=submission_key
        ).first()
        if earlier is not None:
            return earlier
    if not school.safeguarding_policy_url:
        raise TransitionRefused(
            "Add the address of the published safeguarding policy before confirming it."
        )
    if school.safeguarding_policy_url != expected_url:
        raise TransitionRefused(
            "The address of the policy changed since you opened this page. Nothing was "
            "saved: check the address below and confirm again."
        )
    confirmation = PolicyConfirmation.objects.create(
        school=school,
        confirmed_by=by,
        policy_url=school.safeguarding_policy_url,
        statement=PREVENT_STATEMENT,
        submission_key=submission_key,
    )
    record("policy.confirm", actor=by, obj=confirmation, school=school)
    return confirmation


def _clean_content(*, activity_date, title, description, year_groups, values):
    """The content fields of an entry, checked, or TransitionRefused beside the first problem."""
    title = (title or "").strip()
    description = (description or "").strip()
    if activity_date is None:
        raise TransitionRefused("Enter the date of the activity", field="activity_date")
    if activity_date > timezone.localdate():
        raise TransitionRefused(
            "The date of the activity must be today or in the past", field="activity_date"
        )
    if activity_date < date(EARLIEST_YEAR, 1, 1):
        raise TransitionRefused(
            f"The date of the activity must be in {EARLIEST_YEAR} or later", field="activity_date"
        )
    if not title:
        raise TransitionRefused("Enter a title for the activity", field="title")
    if not description:
        raise TransitionRefused("Enter what the activity was", field="description")
    year_groups = set(year_groups or [])
    if not year_groups or not year_groups <= set(Pupil.YearGroup.values):
        raise TransitionRefused("Select the year groups that took part", field="year_groups")
    values = set(values or [])
    if not values or not values <= set(BritishValue.values):
        raise TransitionRefused("Select at least one value the activity promotes", field="values")
    return {
        "activity_date": activity_date,
        "title": title,
        "description": description,
        "year_groups": encode_year_groups(year_groups),
        **{value: value in values for value in BritishValue.values},
    }


def _revision(evidence, *, by, at):
    return ValuesEvidenceRevision.objects.create(
        evidence=evidence, number=evidence.version, edited_by=by, edited_at=at, **evidence.content()
    )


def _added_by(school, by, submission_key):
    if submission_key is None:
        return None
    return ValuesEvidence.objects.filter(
        school=school, created_by=by, submission_key=submission_key
    ).first()


@transaction.atomic
def add_values_evidence(
    school,
    *,
    by,
    activity_date,
    title,
    description,
    year_groups,
    values,
    submission_key=None,
):
    """Add an activity to the school's British values log (step 5).

    Who: anyone with a role in the school (staff, DSLs, deputies, head teacher). Needs a date
    (not in the future), a title, a description, at least one year group and at least one of
    the four values. Writes the entry and its first revision. With a `submission_key`, the
    same form sent again (a second click) returns the entry the first one added: the head
    teacher's report counts entries, so a duplicate would overstate the evidence.
    """
    _refuse_unless(
        by,
        school,
        SCHOOL_ROLES,
        "Only people who work at this school can add to its British values log.",
    )
    content = _clean_content(
        activity_date=activity_date,
        title=title,
        description=description,
        year_groups=year_groups,
        values=values,
    )
    earlier = _added_by(school, by, submission_key)
    if earlier is not None:
        return earlier
    now = timezone.now()
    try:
        with transaction.atomic():
            evidence = ValuesEvidence.objects.create(
                school=school,
                created_by=by,
                created_at=now,
                updated_at=now,
                version=1,
                submission_key=submission_key,
                **content,
            )
    except IntegrityError:
        # The same form, sent twice at once: the other request added it.
        earlier = _added_by(school, by, submission_key)
        if earlier is None:
            raise
        return earlier
    _revision(evidence, by=by, at=now)
    record("valuesevidence.add", actor=by, obj=evidence, school=school)
    return evidence


def may_edit_values_evidence(roles, evidence, user):
    """Leads edit any entry of their school; other staff edit the entries they added."""
    return bool(roles & VALUES_LEADS) or (
        bool(roles & SCHOOL_ROLES) and evidence.created_by_id == user.pk
    )


@transaction.atomic
def edit_values_evidence(
    evidence,
    *,
    by,
    expected_version,
    activity_date,
    title,
    description,
    year_groups,
    values,
):
    """Change an entry in the values log, keeping every earlier version as a revision.

    Who: the school's head teacher, DSLs and deputies, or the person who added it. Refuses a
    form opened before someone else's change (`expected_version`), unless the entry already
    says what the form does. Saving without a change writes nothing. Returns the entry.
    """
    evidence = (
        ValuesEvidence.objects.select_for_update().select_related("school").get(pk=evidence.pk)
    )
    roles = _roles_in(by, evidence.school)
    if not may_edit_values_evidence(roles, evidence, by):
        raise TransitionRefused(
            "Only the person who added this activity, the head teacher or a DSL can change it."
        )
    content = _clean_content(
        activity_date=activity_date,
        title=title,
        description=description,
        year_groups=year_groups,
        values=values,
    )
    if content == evidence.content():
        # Already as the form asks, whatever changed since it was drawn (a second click on
        # Save, the first having saved it): nothing of anyone's is overwritten.
        return evidence
    if evidence.version != expected_version:
        raise Stale(STALE_VALUES)
    for name, value in content.items():
        setattr(evidence, name, value)
    evidence.version += 1
    evidence.updated_at = timezone.now()
    evidence.save(update_fields=[*content, "version", "updated_at"])
    _revision(evidence, by=by, at=evidence.updated_at)
    record(
        "valuesevidence.edit",
        actor=by,
        obj=evidence,
        school=evidence.school,
        version=evidence.version,
    )
    return evidence
