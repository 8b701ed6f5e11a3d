from datetime import datetime, time, timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import Concern, ConcernStatus
from schools.models import Role
from tests.factories import MembershipFactory, PupilFactory, member
from tests.notices import words
from tests.walk import concern_data, from_now, snapshot
from workflow import concerns
from workflow.concerns import record_concern
from workflow.exceptions import TransitionRefused
from workflow.models import Notification, WorkflowEvent


def test_records_a_concern_with_its_event_audit_and_dsl_notification(teacher, dsl, pupil, school):
    concern = record_concern(
        by=teacher, pupil=pupil, **concern_data(categories=["radicalisation", "online_safety"])
    )

    assert concern.status == ConcernStatus.RECORDED
    assert concern.school == school
    assert concern.recorded_by == teacher
    assert sorted(concern.category_values) == ["online_safety", "radicalisation"]
    # The year it was recorded in, on a London clock (read after, it may be the next year).
    assert concern.reference == f"LUT-{timezone.localtime(concern.recorded_at).year}-00001"
    event = WorkflowEvent.objects.get(concern=concern)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "record_concern",
        "",
        "recorded",
        teacher,
    )
    audit = AuditEvent.objects.get(action="workflow.record_concern")
    assert (audit.actor, audit.object_type, audit.object_id, audit.school) == (
        teacher,
        "concern",
        str(concern.pk),
        school,
    )
    notification = Notification.objects.get(kind="concern_recorded")
    assert notification.recipient == dsl.email
    assert not notification.urgent


def test_a_dsl_who_records_a_concern_is_not_emailed_about_it_but_the_other_leads_are(
    dsl, deputy_dsl, pupil
):
    # They know: it is in front of them, and on the concern's history.
    record_concern(by=dsl, pupil=pupil, **concern_data())
    told = Notification.objects.filter(kind="concern_recorded")
    assert list(told.values_list("recipient", flat=True)) == [deputy_dsl.email]


def test_references_count_up_within_the_authority(teacher, pupil, other_school, clock):
    # Time stands still: recorded either side of midnight on 31 December, the second would
    # rightly start the next year's count.
    first = record_concern(by=teacher, pupil=pupil, **concern_data())
    other_teacher = member(Role.STAFF, other_school)
    second = record_concern(
        by=other_teacher, pupil=PupilFactory(school=other_school), **concern_data()
    )
    year = timezone.localdate().year
    assert (first.reference, second.reference) == (f"LUT-{year}-00001", f"LUT-{year}-00002")


def test_immediate_risk_marks_the_dsl_alert_urgent(teacher, dsl, pupil):
    record_concern(by=teacher, pupil=pupil, **concern_data(immediate_risk=True))
    notification = Notification.objects.get(kind="concern_recorded")
    assert notification.urgent
    assert notification.subject.startswith("URGENT:")


def test_prevent_concern_is_recorded_like_any_other(teacher, pupil):
    concern = record_concern(by=teacher, pupil=pupil, **concern_data(categories=["radicalisation"]))
    assert concern.status == ConcernStatus.RECORDED
    assert concern.category_labels == ["Radicalisation or extremism (Prevent)"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"categories": []}, "categories", "Select at least one category"),
        ({"categories": ["astrology"]}, "categories", "Select categories from the list"),
        ({"what_happened": "   "}, "what_happened", "Enter what happened"),
        ({"location": ""}, "location", "Enter where it happened"),
        ({"observed_at": None}, "observed_at", "Enter the date and time it was seen or heard"),
        (
            {"observed_at": timedelta(hours=1)},
            "observed_at",
            "must be in the past",
        ),
        (
            {"observed_at": -timedelta(days=8)},
            "delay_reason",
            "more than 7 days after",
        ),
    ],
)
def test_refuses_incomplete_or_impossible_concerns(teacher, pupil, overrides, field, message):
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        record_concern(by=teacher, pupil=pupil, **concern_data(**from_now(overrides)))
    assert refused.value.field == field
    assert message in refused.value.message
    assert snapshot() == before


def test_refuses_a_concern_seen_before_the_pupil_was_born_and_takes_their_birthday(teacher, pupil):
    born = pupil.date_of_birth
    midnight = datetime.combine(born, time(0, 0), tzinfo=timezone.get_current_timezone())
    data = concern_data(observed_at=midnight - timedelta(minutes=1), delay_reason="Late.")
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        record_concern(by=teacher, pupil=pupil, **data)
    assert refused.value.field == "observed_at"
    assert f"on or after {born.day} {born:%B %Y}, when {pupil.given_name} was born" in words(
        refused.value.message
    )
    assert snapshot() == before
    record_concern(by=teacher, pupil=pupil, **(data | {"observed_at": midnight}))


def test_a_late_record_is_asked_why_in_the_days_the_rule_counts(teacher, pupil, monkeypatch):
    monkeypatch.setattr(concerns, "DELAY_NEEDS_REASON", timedelta(days=3))
    with pytest.raises(TransitionRefused) as refused:
        record_concern(
            by=teacher, pupil=pupil, **concern_data(observed_at=timezone.now() - timedelta(days=4))
        )
    assert refused.value.field == "delay_reason"
    assert "more than 3 days after it was seen or heard" in refused.value.message


def test_a_late_record_with_a_reason_is_accepted(teacher, pupil):
    concern = record_concern(
        by=teacher,
        pupil=pupil,
        **concern_data(
            observed_at=timezone.now() - timedelta(days=10), delay_reason="I was off sick."
        ),
    )
    assert concern.delay_reason == "I was off sick."


def test_refuses_a_pupil_of_another_school(teacher, other_school):
    stranger = PupilFactory(school=other_school)
    before = snapshot()
    with pytest.raises(TransitionRefused, match="only about pupils at a school where you"):
        record_concern(by=teacher, pupil=stranger, **concern_data())
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.HEAD_TEACHER])
def test_refuses_school_roles_that_do_not_record(school, pupil, role):
    user = member(role, school)
    with pytest.raises(TransitionRefused):
        record_concern(by=user, pupil=pupil, **concern_data())
    assert not Concern.objects.exists()


def test_refuses_hub_staff_and_inactive_memberships(hub_advisor, teacher, pupil):
    with pytest.raises(TransitionRefused):
        record_concern(by=hub_advisor, pupil=pupil, **concern_data())
    teacher.memberships.update(is_active=False)
    with pytest.raises(TransitionRefused):
        record_concern(by=teacher, pupil=pupil, **concern_data())
    assert not Concern.objects.exists()


def test_dsl_and_deputy_may_record(dsl, deputy_dsl, pupil):
    record_concern(by=dsl, pupil=pupil, **concern_data())
    record_concern(by=deputy_dsl, pupil=pupil, **concern_data())
    assert Concern.objects.count() == 2


def test_the_same_submission_twice_records_one_concern(teacher, pupil):
    key = uuid4()
    first = record_concern(by=teacher, pupil=pupil, submission_key=key, **concern_data())
    again = record_concern(by=teacher, pupil=pupil, submission_key=key, **concern_data())
    assert again.pk == first.pk
    assert Concern.objects.count() == 1
    assert WorkflowEvent.objects.count() == 1


def test_a_member_of_two_schools_records_at_the_pupils_school(teacher, other_school):
    MembershipFactory(user=teacher, role=Role.STAFF, school=other_school)
    pupil = PupilFactory(school=other_school)
    concern = record_concern(by=teacher, pupil=pupil, **concern_data())
    assert concern.school == other_school


def test_a_recorded_concern_cannot_be_edited(walk):
    concern = walk.recorded()
    concern.what_happened = "Something else"
    with pytest.raises(ValueError, match="add an addendum"):
        concern.save()
    concern.refresh_from_db()
    assert concern.what_happened.startswith("Amelia Ahmed")
