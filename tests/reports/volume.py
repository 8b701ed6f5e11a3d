"""Many concerns, made through the real workflow, with every kind of record the report reads."""

from datetime import datetime, timedelta

from audit.log import record
from tests.factories import PupilFactory
from tests.walk import concern_data, escalation_data, given_advice, held_conversation
from workflow.advice import claim_advice_request, give_advice, request_hub_advice
from workflow.concerns import (
    close_concern,
    escalate_significant_harm,
    log_parent_conversation,
    record_concern,
)

from .conftest import LONDON

START = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)


def add_concerns(clock, school, teacher, dsl, advisor, count):
    """`count` more concerns at `school`, one in five each: advised and talked about, closed
    without advice, escalated, waiting for the hub, and not yet looked at."""
    pupils = [PupilFactory(school=school, year_group=str(n)) for n in range(1, 7)]
    done = school.concerns.count()
    for index in range(done, done + count):
        moment = START + timedelta(days=index // 8, minutes=index % 8 * 40)
        clock.moment = moment
        concern = record_concern(
            by=teacher,
            pupil=pupils[index % len(pupils)],
            **concern_data(observed_at=moment - timedelta(hours=1)),
        )
        record("concern.view", actor=dsl, obj=concern, school=school)
        clock.moment = moment + timedelta(minutes=20)
        kind = index % 5
        if kind == 0:
            request = request_hub_advice(
                concern, by=dsl, summary="Summary.", question="What next?", urgency="amber"
            )
            claim_advice_request(request, by=advisor)
            give_advice(request, by=advisor, **given_advice())
            clock.moment = moment + timedelta(minutes=30)
            log_parent_conversation(
                concern, by=dsl, **held_conversation(held_at=moment + timedelta(minutes=25))
            )
        elif kind == 1:
            close_concern(
                concern, by=dsl, outcome="nfa", rationale="A one-off with nothing else known."
            )
        elif kind == 2:
            escalate_significant_harm(
                concern, by=dsl, **escalation_data(referred_at=moment + timedelta(minutes=10))
            )
        elif kind == 3:
            request_hub_advice(
                concern, by=dsl, summary="Summary.", question="What next?", urgency="red"
            )
