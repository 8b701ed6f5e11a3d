"""After `make run`, the demo hub advisor finds the demo schools' requests in the queue."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from advice.demo import ADVISOR_EMAIL, seed_demo_cases
from advice.models import AdviceRequest, AdviceStatus
from concerns.models import Concern
from schools.models import User
from tests.coherence import problems
from tests.factories import signed_in
from workflow.models import Notification, WorkflowEvent


def seed_demo(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


# Argon2 is slow on purpose; these tests are about the cases, not the demo passwords.
pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts():
    return [
        model.objects.count() for model in [Concern, AdviceRequest, WorkflowEvent, Notification]
    ]


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_the_demo_advisor_sees_the_demo_schools_requests(client):
    output = seed_demo()
    assert "Demo cases for the Early Help Hub (recorded now: 4)" in output
    advisor = User.objects.get(email=ADVISOR_EMAIL)
    signed_in(client, advisor)
    response = client.get(reverse("advice:queue"))
    rows = response.context["page"].rows
    assert sorted(row.urgency for row in rows) == ["amber", "green", "red"]
    assert {row.school_name for row in rows} == {
        "Lea Bank Primary School",
        "Chiltern Rise Academy",
    }
    assert [row.claimed_by_name for row in rows if row.claimed_by_name] == [advisor.full_name]
    answered = AdviceRequest.objects.get(status=AdviceStatus.ANSWERED)
    assert (answered.advised_by, answered.level_of_need) == (advisor, 2)
    for concern in Concern.objects.all():
        assert concern.what_happened.startswith("Fictional demo example.")


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seeding_twice_records_nothing_new():
    seed_demo()
    before = counts()
    assert "recorded now: 0" in seed_demo()
    assert seed_demo_cases() == 0
    assert counts() == before


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_no_demo_cases_where_demo_passwords_are_not_allowed():
    output = seed_demo()
    assert "Demo cases" not in output
    assert Concern.objects.count() == 0


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_the_demo_cases_read_as_if_people_had_done_them_through_the_workflow(clock):
    # The clock stopped, as for the scale data set (tests/workflow/test_scale.py).
    seed_demo()
    assert Concern.objects.count() == 5
    assert problems() == []
