"""Two advisors press "claim" on the same request at the same moment: exactly one wins."""

import threading
import time

import pytest
from django.db import connection

from advice.models import AdviceRequest, AdviceStatus
from workflow import core
from workflow.advice import claim_advice_request
from workflow.exceptions import TransitionRefused

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are PostgreSQL's; SQLite runs one writer at a time by design",
    ),
]


def test_two_advisors_claim_at_once_and_exactly_one_wins(
    walk, hub_advisor, hub_manager, monkeypatch
):
    concern = walk.with_hub()
    request = walk.request(concern)
    real_audit = core.audit

    def slow_audit(*args, **kwargs):
        # Hold the winner's lock a moment, so the other claim is sure to arrive meanwhile.
        time.sleep(0.3)
        return real_audit(*args, **kwargs)

    monkeypatch.setattr(core, "audit", slow_audit)
    start = threading.Barrier(2)
    outcomes = {}

    def claim(name, user):
        start.wait()
        try:
            claim_advice_request(AdviceRequest.objects.get(pk=request.pk), by=user)
            outcomes[name] = "won"
        except TransitionRefused as refused:
            outcomes[name] = refused.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=claim, args=("advisor", hub_advisor)),
        threading.Thread(target=claim, args=("manager", hub_manager)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values(), key=lambda v: v != "won")[0] == "won"
    assert list(outcomes.values()).count("won") == 1
    loser = next(message for message in outcomes.values() if message != "won")
    winner = hub_advisor if outcomes["advisor"] == "won" else hub_manager
    assert f"{winner.full_name} claimed this request at" in loser
    request.refresh_from_db()
    assert (request.status, request.claimed_by) == (AdviceStatus.CLAIMED, winner)
    assert request.events.filter(action="claim_advice_request").count() == 1
