"""Builders that walk a concern through the real workflow to any status, as the right people.

Use the `walk` fixture (tests/conftest.py): `walk.recorded()`, `walk.to(ConcernStatus.CLOSED)`.
"""

from datetime import timedelta

from django.utils import timezone

from advice.models import AdviceRequest
from audit.models import AuditEvent
from concerns.models import (
    Addendum,
    Closure,
    Concern,
    ConcernCategory,
    ConcernStatus,
    Escalation,
    ParentConversation,
)
from workflow.advice import claim_advice_request, give_advice, request_hub_advice
from workflow.concerns import (
    close_concern,
    escalate_significant_harm,
    log_parent_conversation,
    record_concern,
)
from workflow.models import Notification, WorkflowEvent

S = ConcernStatus


def from_now(overrides):
    """`overrides` with each `timedelta` made that long from now, as the test runs.

    A time in a `parametrize` list is read as the tests are collected: a run that passes
    midnight before reaching the test finds "tomorrow" is today."""
    now = timezone.now()
    return {
        name: now + value if isinstance(value, timedelta) else value
        for name, value in overrides.items()
    }


def concern_data(**overrides):
    data = {
        # Seen three days ago: the steps after it (a conversation, a referral) are dated since.
        "observed_at": timezone.now() - timedelta(days=3),
        "location": "Playground",
        "categories": ["neglect"],
        "what_happened": "Amelia Ahmed arrived without a coat and said she had not eaten.",
        "child_words": "I didn't have breakfast.",
        "others_present": "Mr Brown (teaching assistant)",
        "immediate_action": "Gave her breakfast club food and told the DSL.",
        "immediate_risk": False,
    }
    data.update(overrides)
    return data


def advice_data(**overrides):
    data = {
        "summary": "Pupil arriving hungry.",
        "question": "Should we talk to mum?",
        "urgency": "amber",
    }
    data.update(overrides)
    return data


def given_advice(**overrides):
    data = {"advice": "Talk with mum first.", "next_step": "talk_to_parent", "level_of_need": 2}
    data.update(overrides)
    return data


def held_conversation(**overrides):
    data = {
        "held": True,
        "held_at": timezone.now() - timedelta(minutes=30),
        "with_name": "Mrs Ahmed",
        "with_relationship": "Mother",
        "method": "in_person",
        "discussed": "Breakfast and routines.",
        "parent_view": "Money is tight this month.",
        "agreed_actions": "Breakfast club place offered.",
    }
    data.update(overrides)
    return data


def escalation_data(**overrides):
    data = {
        "indicators": "Disclosure of being hit with a belt.",
        "referred_to": "csc",
        "referred_at": timezone.now() - timedelta(minutes=5),
        "parent_informed": False,
        "parent_not_informed_reason": "Telling the parent could place the child at risk.",
        "spoken_to": "MASH duty social worker",
        "reference_number": "MASH-123",
    }
    data.update(overrides)
    return data


def closing(**overrides):
    data = {"outcome": "monitoring", "rationale": "Breakfast club in place and attendance is good."}
    data.update(overrides)
    return data


class Walker:
    """Moves a concern through the real transitions, as the right people."""

    def __init__(self, teacher, dsl, hub_advisor, pupil):
        self.teacher, self.dsl, self.advisor, self.pupil = teacher, dsl, hub_advisor, pupil

    def recorded(self, **overrides):
        return record_concern(by=self.teacher, pupil=self.pupil, **concern_data(**overrides))

    def with_hub(self, concern=None, **overrides):
        concern = concern or self.recorded()
        request_hub_advice(concern, by=self.dsl, **advice_data(**overrides))
        return Concern.objects.get(pk=concern.pk)

    def claimed(self, concern=None):
        concern = self.with_hub(concern)
        claim_advice_request(self.request(concern), by=self.advisor)
        return concern

    def advice_received(self, concern=None):
        concern = self.claimed(concern)
        give_advice(self.request(concern), by=self.advisor, **given_advice())
        return Concern.objects.get(pk=concern.pk)

    def conversation_logged(self, concern=None):
        concern = self.advice_received(concern)
        log_parent_conversation(concern, by=self.dsl, **held_conversation())
        return Concern.objects.get(pk=concern.pk)

    def escalated(self, concern=None):
        concern = concern or self.recorded()
        escalate_significant_harm(concern, by=self.dsl, **escalation_data())
        return Concern.objects.get(pk=concern.pk)

    def closed(self, concern=None):
        concern = self.conversation_logged(concern)
        close_concern(concern, by=self.dsl, **closing())
        return Concern.objects.get(pk=concern.pk)

    def to(self, status):
        return {
            S.RECORDED: self.recorded,
            S.WITH_HUB: self.with_hub,
            S.ADVICE_RECEIVED: self.advice_received,
            S.PARENT_CONVERSATION_LOGGED: self.conversation_logged,
            S.ESCALATED: self.escalated,
            S.CLOSED: self.closed,
        }[status]()

    @staticmethod
    def request(concern):
        return AdviceRequest.objects.filter(concern=concern).latest("requested_at", "pk")


CASE_MODELS = [
    Concern,
    ConcernCategory,
    Addendum,
    AdviceRequest,
    ParentConversation,
    Escalation,
    Closure,
    WorkflowEvent,
    AuditEvent,
    Notification,
]


def snapshot():
    """Everything a transition could write: row counts, and each concern's and request's state."""
    return {
        "counts": {model.__name__: model.objects.count() for model in CASE_MODELS},
        "concerns": list(Concern.objects.order_by("pk").values_list("pk", "status", "version")),
        "requests": list(
            AdviceRequest.objects.order_by("pk").values_list(
                "pk", "status", "version", "claimed_by", "urgency", "due_at", "advice"
            )
        ),
        "escalations": list(Escalation.objects.order_by("pk").values_list("pk", "outcome")),
    }


def other_statuses(*allowed):
    return [status for status in S if status not in allowed]
