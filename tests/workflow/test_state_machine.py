"""Random sequences of transitions by random people, checked against a small model of the
five steps written from the process, not from the code."""

from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from advice.models import AdviceRequest
from concerns.models import Concern
from reports.figures import audit_figures
from reports.periods import Period
from tests.factories import PupilFactory
from tests.walk import (
    advice_data,
    concern_data,
    escalation_data,
    given_advice,
    held_conversation,
    snapshot,
)
from workflow.advice import (
    claim_advice_request,
    give_advice,
    release_advice_request,
    request_hub_advice,
    withdraw_advice_request,
)
from workflow.concerns import (
    add_addendum,
    close_concern,
    escalate_significant_harm,
    log_parent_conversation,
    record_concern,
    reopen_concern,
)
from workflow.exceptions import TransitionRefused
from workflow.models import WorkflowEvent
from workflow.rules import latest_conversation

PEOPLE = ["teacher", "dsl", "head", "advisor", "manager", "other_school_dsl", "other_la_advisor"]
OPEN = {"recorded", "with_hub", "advice_received", "parent_conversation_logged", "escalated"}
NOT_HELD = ["risk", "unreachable", "child_asked", "other"]
# Anyone, but the DSL half the time: step 3 is theirs, and after the hub's advice a random
# person would seldom be the one to log it.
DSL_MOSTLY = st.sampled_from(PEOPLE) | st.just("dsl")


@dataclass
class Model:
    """The process as the letter and DESIGN.md describe it."""

    status: str = "recorded"
    request: str | None = None  # open / claimed / answered / withdrawn (the latest request)
    claimant: str | None = None
    status_before_request: str | None = None
    chronology: list = field(default_factory=lambda: ["record_concern"])
    # This episode's (since the last reopening) latest parent conversation: None, "held", or
    # the reason it was not held.
    conversation: str | None = None
    # How each episode that had a conversation ended step 3: its latest conversation.
    step_3: list = field(default_factory=list)

    def may_log_conversation(self):
        """Step 3 follows the hub's advice; again after one not held (the talk that happens
        later), unless it was not held for the child's safety (significant harm)."""
        return self.status == "advice_received" or (
            self.status == "parent_conversation_logged"
            and self.conversation not in {None, "held", "risk"}
        )


def build_machine(people, school):
    # One period for the whole run, read once: the academic year it starts in and the next.
    # Read at each count, a run going past midnight on 31 August would count the conversations
    # before and after it in different years, and an example started before midnight would
    # find fewer conversations than it logged.
    year = Period.academic_year(timezone.localdate())
    period = Period(year.start, year.end.replace(year=year.end.year + 1))

    class ProcessMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.model = Model()
            pupil = PupilFactory(school=school)
            self.concern = record_concern(by=people["teacher"], pupil=pupil, **concern_data())
            # The school's step 3 figures before this concern (the examples share the school).
            self.counted_before = self.step_3_counted()
            self.conversations_checked = 0

        def step_3_counted(self):
            figures = audit_figures(school, period, now=timezone.now())
            return {"held": figures.conversations_held, **dict(figures.not_held_by_reason)}

        # Each rule: the model decides whether the move is allowed; the real workflow must agree.
        def attempt(self, allowed, action, call):
            if allowed:
                call()
                self.model.chronology.append(action)
                return True
            before = snapshot()
            with pytest.raises(TransitionRefused):
                call()
            assert snapshot() == before
            return False

        def latest_request(self):
            return AdviceRequest.objects.filter(concern=self.concern).order_by("-pk").first()

        @rule(who=st.sampled_from(PEOPLE))
        def request_advice(self, who):
            m = self.model
            allowed = who == "dsl" and m.status in {
                "recorded",
                "advice_received",
                "parent_conversation_logged",
            }
            if self.attempt(
                allowed,
                "request_hub_advice",
                lambda: request_hub_advice(self.concern, by=people[who], **advice_data()),
            ):
                m.status_before_request, m.status = m.status, "with_hub"
                m.request, m.claimant = "open", None

        @rule(who=st.sampled_from(PEOPLE))
        def withdraw(self, who):
            m = self.model
            allowed = who == "dsl" and m.request in {"open", "claimed"}
            request = self.latest_request()
            if request is None:
                return
            if self.attempt(
                allowed,
                "withdraw_advice_request",
                lambda: withdraw_advice_request(request, by=people[who], reason="Not needed"),
            ):
                m.request = "withdrawn"
                if m.status == "with_hub":
                    m.status = m.status_before_request

        @rule(who=st.sampled_from(PEOPLE))
        def claim(self, who):
            m = self.model
            request = self.latest_request()
            if request is None:
                return
            allowed = who in {"advisor", "manager"} and m.request == "open"
            if self.attempt(
                allowed,
                "claim_advice_request",
                lambda: claim_advice_request(request, by=people[who]),
            ):
                m.request, m.claimant = "claimed", who

        @rule(who=st.sampled_from(PEOPLE))
        def release(self, who):
            m = self.model
            request = self.latest_request()
            if request is None:
                return
            allowed = m.request == "claimed" and who in {m.claimant, "manager"}
            if self.attempt(
                allowed,
                "release_advice_request",
                lambda: release_advice_request(request, by=people[who]),
            ):
                m.request, m.claimant = "open", None

        @rule(who=st.sampled_from(PEOPLE))
        def advise(self, who):
            m = self.model
            request = self.latest_request()
            if request is None:
                return
            allowed = m.request == "claimed" and who == m.claimant
            if self.attempt(
                allowed,
                "give_advice",
                lambda: give_advice(request, by=people[who], **given_advice()),
            ):
                m.request = "answered"
                if m.status == "with_hub":
                    m.status = "advice_received"

        # Step 2 by the right people in one go: a random walk seldom asks, claims and advises
        # in turn, so step 3 (and step 3 again after follow-up advice) would seldom be tried.
        @precondition(
            lambda self: (
                self.model.status in {"recorded", "advice_received", "parent_conversation_logged"}
            )
        )
        @rule()
        def hub_advises(self):
            self.request_advice("dsl")
            self.claim("advisor")
            self.advise("advisor")

        # And step 3 by the DSL once advised, for the same reason: held or not, then the talk
        # after one not held, or step 3 again after follow-up advice.
        @precondition(lambda self: self.model.status == "advice_received")
        @rule(held=st.booleans(), reason=st.sampled_from(NOT_HELD))
        def dsl_logs_step_3(self, held, reason):
            self.log_conversation("dsl", held, reason)

        def log_conversation(self, who, held, reason):
            m = self.model
            data = (
                held_conversation()
                if held
                else {
                    "held": False,
                    "not_held_reason": reason,
                    "attempts": "Phoned twice and wrote home.",
                    "details": "Mother's partner is the alleged abuser.",
                }
            )
            if self.attempt(
                who == "dsl" and m.may_log_conversation(),
                "log_parent_conversation",
                lambda: log_parent_conversation(self.concern, by=people[who], **data),
            ):
                if m.conversation is None:
                    m.step_3.append(None)
                m.conversation = m.step_3[-1] = "held" if held else reason
                m.status = "parent_conversation_logged"

        @rule(who=DSL_MOSTLY, held=st.booleans(), reason=st.sampled_from(NOT_HELD))
        def converse(self, who, held, reason):
            self.log_conversation(who, held, reason)

        # Rare by chance (advice, then a conversation not held, then another), so drawn
        # whenever it is possible: the talk that happens after one logged as not held.
        @precondition(
            lambda self: (
                self.model.status == "parent_conversation_logged"
                and self.model.conversation != "held"
            )
        )
        @rule(who=DSL_MOSTLY, held=st.booleans(), reason=st.sampled_from(NOT_HELD))
        def converse_after_not_held(self, who, held, reason):
            self.log_conversation(who, held, reason)

        @rule(who=st.sampled_from(PEOPLE))
        def escalate(self, who):
            m = self.model
            # Through the school's latest request, unless the school withdrew it.
            hub_may = who in {"advisor", "manager"} and m.request not in {None, "withdrawn"}
            allowed = m.status in OPEN and (who == "dsl" or hub_may)
            if self.attempt(
                allowed,
                "escalate_significant_harm",
                lambda: escalate_significant_harm(
                    self.concern, by=people[who], **escalation_data()
                ),
            ):
                m.status = "escalated"

        @rule(who=st.sampled_from(PEOPLE), words=st.integers(min_value=1, max_value=8))
        def close(self, who, words):
            m = self.model
            rationale = " ".join(["reason"] * words)
            allowed = (
                who == "dsl"
                and m.request not in {"open", "claimed"}
                and (
                    m.status in {"parent_conversation_logged", "escalated"}
                    or (m.status == "recorded" and words >= 5)
                )
                # Not held for the child's safety: significant harm, escalated before closing.
                and not (m.status == "parent_conversation_logged" and m.conversation == "risk")
            )
            if self.attempt(
                allowed,
                "close_concern",
                lambda: close_concern(
                    self.concern, by=people[who], outcome="nfa", rationale=rationale
                ),
            ):
                m.status = "closed"

        @rule(who=st.sampled_from(PEOPLE))
        def reopen(self, who):
            m = self.model
            allowed = who == "dsl" and m.status == "closed"
            if self.attempt(
                allowed,
                "reopen_concern",
                lambda: reopen_concern(self.concern, by=people[who], reason="New information"),
            ):
                m.status, m.conversation = "recorded", None

        @rule(who=st.sampled_from(PEOPLE))
        def addendum(self, who):
            allowed = who in {"teacher", "dsl"}  # the head teacher reads only
            self.attempt(
                allowed,
                "add_addendum",
                lambda: add_addendum(self.concern, by=people[who], text="Further note"),
            )

        @invariant()
        def status_matches_the_model(self):
            assert Concern.objects.get(pk=self.concern.pk).status == self.model.status

        @invariant()
        def chronology_is_the_ordered_list_of_successful_transitions(self):
            actions = list(
                WorkflowEvent.objects.filter(concern=self.concern)
                .order_by("at", "pk")
                .values_list("action", flat=True)
            )
            assert actions == self.model.chronology

        @invariant()
        def no_parent_conversation_without_prior_advice(self):
            answered = list(
                AdviceRequest.objects.filter(concern=self.concern, status="answered").values_list(
                    "advised_at", flat=True
                )
            )
            for conversation in self.concern.conversations.all():
                assert any(advised <= conversation.logged_at for advised in answered)

        @invariant()
        def the_latest_conversation_since_reopening_is_the_models(self):
            latest = latest_conversation(Concern.objects.get(pk=self.concern.pk))
            found = None if latest is None else "held" if latest.held else latest.not_held_reason
            assert found == self.model.conversation

        @invariant()
        def a_conversation_follows_another_only_after_one_not_held_or_new_advice(self):
            # In one episode, a conversation after another follows one not held for a reason
            # other than the child's safety, or fresh advice from the hub.
            events = list(
                WorkflowEvent.objects.filter(
                    concern=self.concern,
                    action__in=["log_parent_conversation", "give_advice", "reopen_concern"],
                ).order_by("at", "pk")
            )
            conversations = iter(self.concern.conversations.order_by("logged_at", "pk"))
            previous = None
            for event in events:
                if event.action != "log_parent_conversation":
                    previous = None
                    continue
                conversation = next(conversations)
                if previous is not None:
                    assert not previous.held
                    assert previous.not_held_reason != "risk"
                previous = conversation

        # Only a conversation logged changes what step 3 counts, and the report's two dozen
        # queries after every step would make this test five times as long.
        @precondition(
            lambda self: (
                self.model.chronology.count("log_parent_conversation") != self.conversations_checked
            )
        )
        @invariant()
        def the_audit_report_counts_each_episodes_step_3_once_by_its_latest(self):
            self.conversations_checked = self.model.chronology.count("log_parent_conversation")
            now = self.step_3_counted()
            counted = {key: now[key] - before for key, before in self.counted_before.items()}
            assert counted == {key: self.model.step_3.count(key) for key in ["held", *NOT_HELD]}

        @invariant()
        def no_closed_concern_without_outcome_and_rationale(self):
            concern = Concern.objects.get(pk=self.concern.pk)
            if concern.status == "closed":
                closure = concern.closures.latest("closed_at", "pk")
                assert closure.outcome
                assert closure.rationale.strip()

        @invariant()
        def at_most_one_open_request(self):
            assert (
                AdviceRequest.objects.filter(
                    concern=self.concern, status__in=["open", "claimed"]
                ).count()
                <= 1
            )

    return ProcessMachine


def test_random_sequences_follow_the_five_steps(
    teacher, dsl, head, hub_advisor, hub_manager, other_school_dsl, other_la_advisor, school
):
    people = {
        "teacher": teacher,
        "dsl": dsl,
        "head": head,
        "advisor": hub_advisor,
        "manager": hub_manager,
        "other_school_dsl": other_school_dsl,
        "other_la_advisor": other_la_advisor,
    }
    run_state_machine_as_test(
        build_machine(people, school),
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
