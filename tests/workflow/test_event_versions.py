"""Each workflow event keeps the concern version it produced: the hub's list of what a stale
page missed (advice.selectors.changes_since) reads it rather than counting events."""

from importlib import import_module

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from concerns.models import Concern
from tests.walk import escalation_data
from workflow.advice import (
    reassign_advice_request,
    release_advice_request,
    rerate_advice_request,
)
from workflow.concerns import add_addendum, escalate_significant_harm, record_escalation_outcome
from workflow.models import WorkflowEvent

backfill = import_module("workflow.migrations.0007_workflowevent_concern_version")


def versions(concern):
    return list(concern.events.order_by("at", "pk").values_list("action", "concern_version"))


@pytest.fixture
def passed_about(walk, hub_manager, dsl):
    """A concern moved on by the school and the hub, with the hub passing its request about."""
    concern = walk.claimed()
    request = walk.request(concern)
    release_advice_request(request, by=hub_manager)
    rerate_advice_request(request, by=hub_manager, urgency="red", reason="A new disclosure.")
    reassign_advice_request(request, by=hub_manager, to=walk.advisor)
    add_addendum(concern, by=dsl, text="Dad has moved out this week.")
    escalation = escalate_significant_harm(concern, by=dsl, **escalation_data())
    record_escalation_outcome(escalation, by=dsl, outcome="section_47")
    return Concern.objects.get(pk=concern.pk)


def test_each_event_keeps_the_concern_version_it_produced(passed_about):
    assert versions(passed_about) == [
        ("record_concern", 1),
        ("request_hub_advice", 2),
        ("claim_advice_request", None),
        ("release_advice_request", None),
        ("rerate_advice_request", 3),
        ("reassign_advice_request", None),
        ("add_addendum", 4),
        ("escalate_significant_harm", 5),
        ("record_escalation_outcome", 6),
    ]
    assert passed_about.version == 6


def test_two_events_cannot_both_have_produced_one_version(passed_about, dsl):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkflowEvent.objects.create(
            concern=passed_about,
            action="add_addendum",
            to_status=passed_about.status,
            actor=dsl,
            concern_version=4,
        )


RECORD, ASK, CLAIM, RELEASE, ADDENDUM, OUTCOME = (
    "record_concern",
    "request_hub_advice",
    "claim_advice_request",
    "release_advice_request",
    "add_addendum",
    "record_escalation_outcome",
)


@pytest.mark.parametrize(
    ("actions", "version", "placed"),
    [
        # No move whose rule changed: every step is known.
        ([RECORD, ASK, "rerate_advice_request", "give_advice"], 4, [1, 2, 3, 4]),
        # Claims and releases that stepped the version on (before 2 December), or did not.
        ([RECORD, ASK, CLAIM, RELEASE, CLAIM], 5, [1, 2, 3, 4, 5]),
        ([RECORD, ASK, CLAIM, RELEASE, CLAIM], 2, [1, 2, None, None, None]),
        # Addenda: the first did not step it on (before 29 November), the second did.
        ([RECORD, ADDENDUM, ADDENDUM], 2, [1, None, 2]),
        # Today's rules, and an addendum from before 29 November cannot follow a claim from
        # after 2 December: the claims produced no version, the addendum the third.
        ([RECORD, ASK, CLAIM, RELEASE, ADDENDUM], 3, [1, 2, None, None, 3]),
        # The claim or the addendum stepped it on, not both: which cannot be told.
        ([RECORD, ASK, CLAIM, ADDENDUM], 3, [1, 2, None, None]),
        # Steps that add up to no version the concern has: only the recording is placed.
        ([RECORD, ASK, OUTCOME], 5, [1, None, None]),
    ],
)
def test_the_backfill_places_only_what_the_history_of_the_rules_allows(actions, version, placed):
    assert backfill.placed(actions, version) == placed


def test_the_backfill_gives_rows_written_before_it_the_versions_they_produced(passed_about):
    # The claim and release came before the addendum: under no history of the rules could
    # they have stepped the version on while it did not, so every row is placed. Before the
    # backfill a referral's outcome stepped no version either: the rows as they were then.
    placed = [
        (action, None if action == "record_escalation_outcome" else version)
        for action, version in versions(passed_about)
    ]
    Concern.objects.filter(pk=passed_about.pk).update(version=5)
    WorkflowEvent.objects.update(concern_version=None)

    backfill.place_versions(apps, None)

    assert versions(passed_about) == placed
