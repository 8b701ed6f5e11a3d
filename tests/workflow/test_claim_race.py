"""Two advisors press "claim" on the same request at the same moment: exactly one wins."""

from functools import partial

import pytest

from advice.models import AdviceRequest, AdviceStatus
from schools.models import Role
from schools.services import end_membership
from tests.concurrency import at_once, hold_locks_a_moment, simultaneous_writers
from tests.factories import member
from tests.notices import words
from workflow import core
from workflow.advice import claim_advice_request
from workflow.exceptions import TransitionRefused

pytestmark = [
    pytest.mark.django_db(transaction=True),
    simultaneous_writers,
]


def _claim_at_once(request, hub_advisor, hub_manager, monkeypatch):
    """The advisor and the manager claim `request` at the same moment: what each was told
    ("won", or the refusal's message), by "advisor" and "manager"."""
    hold_locks_a_moment(monkeypatch, core)
    outcomes = {}

    def claim(name, user):
        try:
            claim_advice_request(AdviceRequest.objects.get(pk=request.pk), by=user)
            outcomes[name] = "won"
        except TransitionRefused as refused:
            outcomes[name] = refused.message

    failures = at_once(
        partial(claim, "advisor", hub_advisor), partial(claim, "manager", hub_manager)
    )
    assert failures == []
    return outcomes


def test_two_advisors_claim_at_once_and_exactly_one_wins(
    walk, hub_advisor, hub_manager, monkeypatch
):
    concern = walk.with_hub()
    request = walk.request(concern)
    outcomes = _claim_at_once(request, hub_advisor, hub_manager, monkeypatch)
    assert sorted(outcomes.values(), key=lambda v: v != "won")[0] == "won"
    assert list(outcomes.values()).count("won") == 1
    loser = next(message for message in outcomes.values() if message != "won")
    winner = hub_advisor if outcomes["advisor"] == "won" else hub_manager
    assert f"{winner.full_name} claimed this request on" in words(loser)
    request.refresh_from_db()
    assert (request.status, request.claimed_by) == (AdviceStatus.CLAIMED, winner)
    assert request.events.filter(action="claim_advice_request").count() == 1


def test_two_advisors_claim_a_leavers_request_at_once_and_exactly_one_wins(
    walk, hub_advisor, hub_manager, la_admin, authority, monkeypatch
):
    """The request counts as unclaimed because its claimant has left the hub: the second
    claim, once the first is made, finds it claimed by someone still there and is refused."""
    leaver = member(Role.HUB_ADVISOR, authority, full_name="Lee Leaver")
    request = walk.request(walk.with_hub())
    claim_advice_request(request, by=leaver)
    end_membership(leaver.memberships.get(), by=la_admin)
    outcomes = _claim_at_once(request, hub_advisor, hub_manager, monkeypatch)
    assert list(outcomes.values()).count("won") == 1
    loser = next(message for message in outcomes.values() if message != "won")
    winner = hub_advisor if outcomes["advisor"] == "won" else hub_manager
    assert f"{winner.full_name} claimed this request on" in words(loser)
    request.refresh_from_db()
    assert (request.status, request.claimed_by) == (AdviceStatus.CLAIMED, winner)
    taken = request.events.filter(action="claim_advice_request").exclude(actor=leaver)
    assert [(event.actor, event.note) for event in taken] == [
        (winner, "Taken from Lee Leaver, who has left the hub")
    ]
