"""The `ci` data set: the right size and shape, consistent history, and a valid audit chain."""

from collections import Counter
from io import StringIO

import pytest
from django.db.models import Count, F
from django.utils import timezone

from advice.models import AdviceRequest
from audit.verify import first_broken_link
from concerns.models import Closure, Concern, Escalation, ParentConversation
from schools.demo import seed
from schools.models import Pupil, School
from schools.validators import usual_year
from tests.coherence import problems
from workflow.models import WorkflowEvent
from workflow.scale import SCALES, build


@pytest.fixture
def built(db):
    seed(with_passwords=False)
    return build("ci", out=open("/dev/null", "w"))


def test_ci_data_set_has_the_promised_size(built):
    scale = SCALES["ci"]
    assert Concern.objects.count() == scale.concerns
    assert School.objects.count() == 6
    assert AdviceRequest.objects.count() == pytest.approx(scale.requests, rel=0.05)
    open_requests = AdviceRequest.objects.filter(status__in=["open", "claimed"]).count()
    assert open_requests == pytest.approx(scale.open_requests, rel=0.15)


def test_each_record_about_a_concern_belongs_to_its_school(built):
    mismatched = AdviceRequest.objects.exclude(
        school_id=F("concern__school_id"),
        local_authority_id=F("concern__school__local_authority_id"),
    )
    assert AdviceRequest.objects.exists()
    assert not mismatched.exists()
    for model in [ParentConversation, Escalation, Closure]:
        assert model.objects.exists(), model
        assert not model.objects.exclude(school_id=F("concern__school_id")).exists(), model


def test_history_agrees_with_each_concerns_status(built):
    last = {}
    for concern_id, to_status in WorkflowEvent.objects.order_by("at", "pk").values_list(
        "concern_id", "to_status"
    ):
        last[concern_id] = to_status
    statuses = dict(Concern.objects.values_list("pk", "status"))
    assert last == statuses
    assert len(set(Concern.objects.values_list("reference", flat=True))) == len(statuses)


def test_each_concerns_versions_are_those_its_events_produced(built):
    # As the workflow keeps them (workflow.core.history): a claim produces none, and the last
    # event that produced one produced the concern's version now.
    produced = {}
    for concern_id, action, version in WorkflowEvent.objects.order_by("at", "pk").values_list(
        "concern_id", "action", "concern_version"
    ):
        assert (version is None) == (action == "claim_advice_request")
        if version is not None:
            assert version == produced.get(concern_id, 0) + 1
            produced[concern_id] = version
    assert produced == dict(Concern.objects.values_list("pk", "version"))


def test_the_audit_chain_of_the_data_set_verifies(built):
    assert first_broken_link() is None


def test_a_fifth_of_schools_make_about_half_the_concerns(built):
    per_school = sorted(
        Concern.objects.values("school").annotate(n=Count("id")).values_list("n", flat=True),
        reverse=True,
    )
    busiest = per_school[: max(1, len(per_school) // 5)]
    assert sum(busiest) >= 0.4 * sum(per_school)


def test_some_pupils_have_long_chronologies(built):
    per_pupil = Counter(Concern.objects.values_list("pupil_id", flat=True))
    assert max(per_pupil.values()) >= 50


# Seed 5 puts a school's latest concerns within hours of now, when its DSL has yet to act.
@pytest.mark.parametrize("seed_number", [2016, 5])
def test_the_data_set_reads_as_if_people_had_done_it_through_the_workflow(db, clock, seed_number):
    # The clock stopped: built just before midnight on 31 August and checked after it, each
    # concern's year group was read against the school year that had just begun.
    # Every record has the event and the audit row its transition writes, saying what the
    # service says; events follow the workflow to each concern's status and version; no
    # record is about another school's pupil, nor dated before what it follows or after now.
    seed(with_passwords=False)
    build("ci", out=StringIO(), seed=seed_number)
    found = problems()
    assert not found, f"{len(found)} problems, the first: {found[:12]}"


def test_each_pupil_is_in_the_year_group_their_date_of_birth_puts_them_in(built):
    # As the demo's own pupils are (schools.demo.date_of_birth): a Reception child born
    # before September five years ago would usually be in Year 1.
    today = timezone.localdate()
    misfits = [
        (group, born)
        for born, group in Pupil.objects.values_list("date_of_birth", "year_group")
        if usual_year(born, today) != (0 if group == "R" else int(group))
    ]
    assert Pupil.objects.count() >= SCALES["ci"].pupils * 0.95
    assert misfits == []
