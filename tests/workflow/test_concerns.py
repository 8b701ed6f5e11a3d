"""Step 3, escalation and closure, and addenda."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import Closure, ConcernStatus, ParentConversation
from schools.models import Role
from schools.services import end_membership
from tests.factories import member
from tests.walk import (
    advice_data,
    closing,
    escalation_data,
    from_now,
    given_advice,
    held_conversation,
    snapshot,
)
from workflow.advice import (
    claim_advice_request,
    give_advice,
    request_hub_advice,
    withdraw_advice_request,
)
from workflow.concerns import (
    add_addendum,
    close_concern,
    escalate_significant_harm,
    log_parent_conversation,
    record_escalation_outcome,
    reopen_concern,
)
from workflow.exceptions import TransitionRefused
from workflow.models import Notification, WorkflowEvent

S = ConcernStatus


def last_event(concern):
    return WorkflowEvent.objects.filter(concern=concern).latest("at", "pk")


def test_recorder_and_dsl_may_add_addenda_without_changing_status(walk, teacher, dsl):
    concern = walk.with_hub()
    for author in [teacher, dsl]:
        add_addendum(concern, by=author, text=f"Note from {author.full_name}")
    concern.refresh_from_db()
    assert concern.status == S.WITH_HUB
    assert [a.author for a in concern.addenda.all()] == [teacher, dsl]
    assert WorkflowEvent.objects.filter(action="add_addendum").count() == 2
    assert AuditEvent.objects.filter(action="workflow.add_addendum").count() == 2


def test_the_head_teacher_reads_but_does_not_add_to_a_childs_record(walk, head):
    """DESIGN §4: the head teacher sees everything in the school, read-only. An addendum can
    never be removed, so a write there is permanent in the child's file."""
    concern = walk.with_hub()
    before = snapshot()
    with pytest.raises(TransitionRefused, match="Only the person who recorded"):
        add_addendum(concern, by=head, text="Spoke to mum at the gate.")
    assert snapshot() == before


def test_other_staff_cannot_add_an_addendum_to_someone_elses_concern(walk, school):
    concern = walk.recorded()
    colleague = member(Role.STAFF, school)
    before = snapshot()
    with pytest.raises(TransitionRefused, match="Only the person who recorded"):
        add_addendum(concern, by=colleague, text="Me too")
    assert snapshot() == before


def test_staff_who_have_left_the_school_cannot_add_an_addendum_to_their_concern(
    walk, teacher, la_admin
):
    concern = walk.recorded()
    end_membership(teacher.memberships.get(), by=la_admin)
    before = snapshot()
    with pytest.raises(TransitionRefused, match="Only the person who recorded"):
        add_addendum(concern, by=teacher, text="One more thing")
    assert snapshot() == before


def test_addendum_may_be_added_to_a_closed_concern(walk, dsl):
    concern = walk.closed()
    add_addendum(concern, by=dsl, text="Pupil has moved school.")
    assert concern.addenda.count() == 1


def test_the_dsls_are_told_of_an_addendum_from_staff_without_its_words(walk, teacher, dsl):
    # Staff add what they learn later to the concern they recorded; the DSLs were never told,
    # so it went unread, on a closed concern most of all.
    concern = walk.closed()
    Notification.objects.all().delete()
    add_addendum(concern, by=teacher, text="She told me today that it happened again.")
    told = Notification.objects.get()
    assert (told.kind, told.recipient, told.concern) == ("addendum_added", dsl.email, concern)
    assert concern.reference in told.subject
    assert "happened again" not in told.subject + told.body
    add_addendum(concern, by=dsl, text="Spoke to her.")  # a DSL's own is not news to them
    assert Notification.objects.count() == 1


def test_the_advisor_who_has_the_request_is_told_of_an_addendum(walk, dsl, teacher):
    # Otherwise they advise without it, and learn of it only when their advice is refused.
    concern = walk.claimed()
    advisor = walk.request(concern).claimed_by
    Notification.objects.all().delete()
    add_addendum(concern, by=dsl, text="Mum rang: they are moving house tomorrow.")
    told = Notification.objects.get()
    assert (told.kind, told.recipient) == ("addendum_for_advisor", advisor.email)
    assert "moving" not in told.subject + told.body
    assert f"/hub/requests/{walk.request(concern).pk}/" in told.body
    unclaimed = walk.with_hub()
    Notification.objects.all().delete()
    add_addendum(unclaimed, by=dsl, text="Mum rang.")  # whoever claims it reads it there
    assert not Notification.objects.exists()


def test_the_advisor_who_has_the_request_is_told_of_a_referral_outcome(walk, dsl, hub_advisor):
    # It steps the concern's version on as an addendum does (ADR 013): their advice form is
    # refused as stale, and without an email only then would they look. The outcome itself
    # (a section 47 enquiry) is the child's data: the email names only the concern.
    concern = walk.escalated(walk.claimed())
    request = walk.request(concern)
    Notification.objects.all().delete()
    record_escalation_outcome(
        concern.escalations.get(), by=dsl, outcome="section_47", details="Strategy meeting held"
    )
    told = Notification.objects.get()
    assert (told.kind, told.recipient, told.concern) == (
        "outcome_for_advisor",
        hub_advisor.email,
        concern,
    )
    assert concern.reference in told.subject
    assert f"/hub/requests/{request.pk}/" in told.body
    for words in ("ection 47", "Strategy", "enquiry", concern.pupil.family_name):
        assert words not in told.subject + told.body
    # The advisor who records it knows; so does whoever claims an unclaimed request, there.
    again = walk.escalated(walk.claimed())
    unclaimed = walk.escalated(walk.with_hub())
    Notification.objects.all().delete()
    record_escalation_outcome(again.escalations.get(), by=hub_advisor, outcome="section_17")
    record_escalation_outcome(unclaimed.escalations.get(), by=dsl, outcome="section_17")
    assert not Notification.objects.exists()


def test_the_advisor_who_has_the_request_is_told_the_school_escalated(walk, dsl, hub_manager):
    # The escalation steps the concern's version on: their advice form is refused as stale,
    # and, the school's leads told at once, the advisor answering its question heard nothing.
    concern = walk.claimed()
    request = walk.request(concern)
    Notification.objects.all().delete()
    escalate_significant_harm(concern, by=dsl, **escalation_data())
    told = Notification.objects.get(kind="escalated_for_advisor")
    assert (told.recipient, told.concern, told.urgent) == (walk.advisor.email, concern, True)
    assert concern.reference in told.subject
    assert f"/hub/requests/{request.pk}/" in told.body
    for words in ("MASH", "social care", "belt", concern.pupil.family_name):
        assert words not in told.subject + told.body
    # The advisor who escalates knows; a colleague at the hub who does tells the one who has it.
    Notification.objects.all().delete()
    escalate_significant_harm(concern, by=walk.advisor, **escalation_data())
    assert not Notification.objects.filter(kind="escalated_for_advisor").exists()
    escalate_significant_harm(concern, by=hub_manager, **escalation_data())
    told = Notification.objects.get(kind="escalated_for_advisor")
    assert told.recipient == walk.advisor.email
    Notification.objects.all().delete()
    walk.escalated(walk.with_hub())  # whoever claims it reads it there
    assert not Notification.objects.filter(kind="escalated_for_advisor").exists()


def test_an_empty_addendum_is_refused(walk, dsl):
    with pytest.raises(TransitionRefused) as refused:
        add_addendum(walk.recorded(), by=dsl, text="  ")
    assert refused.value.field == "text"


def test_logging_a_held_conversation_completes_step_three(walk, dsl):
    concern = walk.advice_received()
    conversation = log_parent_conversation(concern, by=dsl, **held_conversation())
    concern.refresh_from_db()
    assert concern.status == S.PARENT_CONVERSATION_LOGGED
    assert conversation.held
    assert conversation.with_relationship == "Mother"
    assert last_event(concern).action == "log_parent_conversation"
    assert AuditEvent.objects.filter(action="workflow.log_parent_conversation").count() == 1


def test_conversations_escalations_and_closures_belong_to_the_concerns_school(walk, dsl):
    # Copied so that the head teacher's report finds them by school and date alone.
    talked = walk.advice_received()
    conversation = log_parent_conversation(talked, by=dsl, **held_conversation())
    escalated = walk.recorded()
    escalation = escalate_significant_harm(escalated, by=dsl, **escalation_data())
    closure = close_concern(escalated, by=dsl, **closing(outcome="csc"))
    assert {conversation.school, escalation.school, closure.school} == {talked.school}
    assert escalated.school == talked.school


def test_refuses_parent_conversation_before_hub_advice(walk, dsl):
    concern = walk.recorded()
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        log_parent_conversation(concern, by=dsl, **held_conversation())
    assert refused.value.message == (
        "Hub advice must be received before the parent conversation is logged "
        "(step 3 follows step 2)."
    )
    assert snapshot() == before


def test_a_conversation_not_held_needs_a_reason_and_details(walk, dsl):
    concern = walk.advice_received()
    with pytest.raises(TransitionRefused) as refused:
        log_parent_conversation(concern, by=dsl, held=False, details="Because")
    assert refused.value.field == "not_held_reason"
    with pytest.raises(TransitionRefused) as refused:
        log_parent_conversation(concern, by=dsl, held=False, not_held_reason="risk", details="")
    assert refused.value.field == "details"
    with pytest.raises(TransitionRefused) as refused:
        log_parent_conversation(
            concern, by=dsl, held=False, not_held_reason="unreachable", details="No answer"
        )
    assert refused.value.field == "attempts"
    conversation = log_parent_conversation(
        concern,
        by=dsl,
        held=False,
        not_held_reason="unreachable",
        attempts="Phoned 3 times, letter home",
        details="No answer on any number",
    )
    assert conversation.not_held_reason == ParentConversation.NotHeldReason.UNREACHABLE


def test_spaces_and_blank_lines_around_what_was_typed_are_not_kept(walk, dsl):
    """Pasted text often brings them; kept, they would show as gaps on the record."""
    concern = walk.advice_received()
    log_parent_conversation(
        concern,
        by=dsl,
        **held_conversation(
            with_name="  Mrs Ahmed ",
            with_relationship="\tMother\n",
            discussed="\n\nBreakfast and routines.\n  ",
        ),
    )
    conversation = ParentConversation.objects.get(concern=concern)
    assert (conversation.with_name, conversation.with_relationship, conversation.discussed) == (
        "Mrs Ahmed",
        "Mother",
        "Breakfast and routines.",
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"held_at": None}, "held_at"),
        ({"held_at": timedelta(days=1)}, "held_at:date"),
        ({"with_name": ""}, "with_name"),
        ({"with_relationship": ""}, "with_relationship"),
        ({"method": "carrier pigeon"}, "method"),
        ({"discussed": ""}, "discussed"),
        ({"held": None}, "held"),
    ],
)
def test_a_held_conversation_needs_its_details(walk, dsl, overrides, field):
    concern = walk.advice_received()
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        log_parent_conversation(concern, by=dsl, **held_conversation(**from_now(overrides)))
    assert refused.value.field == field
    assert snapshot() == before


def test_escalation_tells_the_other_dsls_and_head_and_makes_step_three_unnecessary(
    walk, dsl, deputy_dsl, head
):
    concern = walk.recorded()
    Notification.objects.all().delete()
    escalation = escalate_significant_harm(concern, by=dsl, **escalation_data())
    concern.refresh_from_db()
    assert concern.status == S.ESCALATED
    assert not escalation.by_hub
    assert last_event(concern).action == "escalate_significant_harm"
    recipients = set(
        Notification.objects.filter(kind="concern_escalated").values_list("recipient", flat=True)
    )
    # The DSL who escalated is not told of their own escalation.
    assert recipients == {deputy_dsl.email, head.email}
    close_concern(concern, by=dsl, **closing(outcome="csc"))
    concern.refresh_from_db()
    assert concern.status == S.CLOSED


def test_prevent_referral_is_an_escalation_target_not_a_path(walk, dsl):
    concern = walk.recorded(categories=["radicalisation"])
    escalation = escalate_significant_harm(
        concern, by=dsl, **escalation_data(referred_to="prevent")
    )
    assert escalation.get_referred_to_display() == "Police Prevent team (Channel)"


def test_hub_may_escalate_a_concern_shared_with_it(walk, hub_advisor):
    concern = walk.claimed()
    escalation = escalate_significant_harm(concern, by=hub_advisor, **escalation_data())
    assert escalation.by_hub
    assert last_event(concern).advice_request == walk.request(concern)


def test_hub_cannot_escalate_a_concern_not_shared_with_it(walk, hub_advisor):
    concern = walk.recorded()
    before = snapshot()
    with pytest.raises(TransitionRefused):
        escalate_significant_harm(concern, by=hub_advisor, **escalation_data())
    assert snapshot() == before


def test_hub_escalates_through_a_request_it_answered_after_the_school_withdrew_a_later_one(
    walk, dsl, hub_advisor
):
    """An urgent case: the school asking again, then withdrawing that, does not undo what the
    hub was asked, and answered, before."""
    concern = walk.advice_received()
    answered = walk.request(concern)
    later = request_hub_advice(concern, by=dsl, **advice_data())
    withdraw_advice_request(later, by=dsl, reason="Asked by mistake.")
    escalation = escalate_significant_harm(
        concern, by=hub_advisor, advice_request=answered, **escalation_data()
    )
    assert escalation.by_hub
    assert last_event(concern).advice_request == answered
    concern.refresh_from_db()
    assert concern.status == S.ESCALATED


def test_hub_cannot_escalate_through_a_request_the_school_withdrew(walk, dsl, hub_advisor):
    concern = walk.with_hub()
    withdrawn = walk.request(concern)
    withdraw_advice_request(withdrawn, by=dsl, reason="Sent about the wrong child.")
    before = snapshot()
    with pytest.raises(TransitionRefused, match="has not withdrawn"):
        escalate_significant_harm(
            concern, by=hub_advisor, advice_request=withdrawn, **escalation_data()
        )
    assert snapshot() == before


def test_hub_cannot_escalate_through_another_concerns_request(walk, hub_advisor):
    shared = walk.with_hub()
    not_shared = walk.recorded()
    before = snapshot()
    with pytest.raises(TransitionRefused):
        escalate_significant_harm(
            not_shared, by=hub_advisor, advice_request=walk.request(shared), **escalation_data()
        )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"indicators": ""}, "indicators"),
        ({"referred_to": "the press"}, "referred_to"),
        ({"referred_to": "other", "referred_to_other": ""}, "referred_to_other"),
        ({"referred_at": timedelta(days=1)}, "referred_at:date"),
        ({"parent_informed": None}, "parent_informed"),
        (
            {"parent_informed": False, "parent_not_informed_reason": ""},
            "parent_not_informed_reason",
        ),
    ],
)
def test_escalation_needs_its_details(walk, dsl, overrides, field):
    concern = walk.recorded()
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        escalate_significant_harm(concern, by=dsl, **escalation_data(**from_now(overrides)))
    assert refused.value.field == field
    assert snapshot() == before


def test_escalation_outcome_is_recorded_once(walk, dsl):
    concern = walk.escalated()
    escalation = concern.escalations.get()
    record_escalation_outcome(
        escalation, by=dsl, outcome="section_47", details="Strategy meeting held"
    )
    escalation.refresh_from_db()
    assert escalation.get_outcome_display() == "Section 47 child protection enquiry"
    with pytest.raises(TransitionRefused, match="already recorded"):
        record_escalation_outcome(escalation, by=dsl, outcome="csc_nfa")


def test_escalation_outcome_may_arrive_after_closure(walk, dsl):
    concern = walk.escalated()
    close_concern(concern, by=dsl, **closing(outcome="csc"))
    escalation = record_escalation_outcome(concern.escalations.get(), by=dsl, outcome="section_17")
    assert escalation.outcome == "section_17"


def test_close_after_the_parent_conversation(walk, dsl):
    concern = walk.conversation_logged()
    closure = close_concern(concern, by=dsl, **closing())
    concern.refresh_from_db()
    assert concern.status == S.CLOSED
    assert not closure.without_hub_advice
    assert AuditEvent.objects.filter(action="workflow.close_concern").count() == 1


def test_closing_straight_from_recorded_is_a_flagged_dsl_decision(walk, dsl):
    concern = walk.recorded()
    with pytest.raises(TransitionRefused) as refused:
        close_concern(concern, by=dsl, outcome="nfa", rationale="Fine.")
    assert refused.value.field == "rationale"
    closure = close_concern(
        concern,
        by=dsl,
        outcome="nfa",
        rationale="Coat was left at grandma's house; confirmed with the class teacher.",
    )
    assert closure.without_hub_advice


def test_closing_needs_an_outcome_and_rationale(walk, dsl):
    concern = walk.conversation_logged()
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        close_concern(concern, by=dsl, outcome="", rationale="Done")
    assert refused.value.field == "outcome"
    with pytest.raises(TransitionRefused) as refused:
        close_concern(concern, by=dsl, outcome="nfa", rationale=" ")
    assert refused.value.field == "rationale"
    assert snapshot() == before
    assert not Closure.objects.exists()


def test_cannot_close_while_an_advice_request_is_open(walk, dsl, hub_advisor):
    concern = walk.escalated(walk.claimed())
    before = snapshot()
    with pytest.raises(TransitionRefused, match="still open with the hub"):
        close_concern(concern, by=dsl, **closing())
    assert snapshot() == before


def test_reopen_returns_a_closed_concern_to_recorded_with_its_history(walk, dsl):
    concern = walk.closed()
    events_before = WorkflowEvent.objects.filter(concern=concern).count()
    reopen_concern(concern, by=dsl, reason="New disclosure from sibling")
    concern.refresh_from_db()
    assert concern.status == S.RECORDED
    assert WorkflowEvent.objects.filter(concern=concern).count() == events_before + 1
    assert last_event(concern).note == "New disclosure from sibling"
    request_hub_advice(concern, by=dsl, **advice_data())


def test_reopen_needs_a_reason(walk, dsl):
    with pytest.raises(TransitionRefused) as refused:
        reopen_concern(walk.closed(), by=dsl, reason="")
    assert refused.value.field == "reason"


def test_advice_on_an_escalated_concern_is_kept_but_the_concern_stays_escalated(
    walk, dsl, hub_advisor
):
    from tests.walk import given_advice
    from workflow.advice import give_advice

    concern = walk.claimed()
    escalate_significant_harm(concern, by=dsl, **escalation_data())
    give_advice(
        walk.request(concern), by=hub_advisor, **given_advice(next_step="mash", level_of_need=4)
    )
    concern.refresh_from_db()
    assert concern.status == S.ESCALATED
    assert walk.request(concern).status == "answered"


def test_deputy_dsl_works_like_the_dsl(walk, deputy_dsl):
    concern = walk.recorded()
    request_hub_advice(concern, by=deputy_dsl, **advice_data())
    claim_advice_request(walk.request(concern), by=walk.advisor)
    concern.refresh_from_db()
    assert concern.status == S.WITH_HUB


# Closing as referred on: the referral must be on record, as an escalation.

NO_ADVICE_REASON = "Coat was left at grandma's house; confirmed with the class teacher."


@pytest.mark.parametrize(("outcome", "referral"), [("csc", "csc"), ("channel", "prevent")])
def test_closing_as_referred_on_needs_the_referral_on_record(walk, dsl, outcome, referral):
    """A concern closed as "referred to children's social care" or "Channel support" with no
    escalation would have no record of who it went to, when, or what came of it, and the head
    teacher would not be told: a Prevent referral outside the one pathway."""
    concern = walk.conversation_logged()
    before = snapshot()
    with pytest.raises(TransitionRefused, match="no referral to") as refused:
        close_concern(concern, by=dsl, **closing(outcome=outcome))
    assert refused.value.field == "outcome"
    assert snapshot() == before
    escalated = walk.conversation_logged()
    escalate_significant_harm(escalated, by=dsl, **escalation_data(referred_to=referral))
    close_concern(escalated, by=dsl, **closing(outcome=outcome))
    escalated.refresh_from_db()
    assert escalated.status == S.CLOSED


@pytest.mark.parametrize("outcome", ["early_help", "csc", "channel", "other"])
def test_without_the_hubs_advice_a_concern_closes_only_as_no_further_action(walk, dsl, outcome):
    """DESIGN §3: closing from Recorded is the DSL's decision of no further action; early help
    is what the hub advises on, and a referral is an escalation."""
    concern = walk.recorded()
    before = snapshot()
    with pytest.raises(TransitionRefused, match="only as no further action") as refused:
        close_concern(concern, by=dsl, **closing(outcome=outcome, rationale=NO_ADVICE_REASON))
    assert refused.value.field == "outcome"
    assert snapshot() == before
    for allowed in ["nfa", "monitoring"]:
        concern = walk.recorded()
        close_concern(concern, by=dsl, **closing(outcome=allowed, rationale=NO_ADVICE_REASON))


def test_a_concern_marked_at_immediate_risk_is_not_closed_unescalated_and_unadvised(
    walk, dsl, hub_advisor
):
    """The letter: where there is an indication of significant harm, the normal escalation
    applies. A DSL who judges the recorder wrong asks the hub; closing the concern on their
    own word alone would leave no one outside the school to have looked at it."""
    concern = walk.recorded(immediate_risk=True)
    before = snapshot()
    with pytest.raises(TransitionRefused, match="immediate risk") as refused:
        close_concern(concern, by=dsl, **closing(outcome="nfa", rationale=NO_ADVICE_REASON))
    assert refused.value.field == "outcome"
    assert snapshot() == before

    escalated = walk.recorded(immediate_risk=True)
    escalate_significant_harm(escalated, by=dsl, **escalation_data())
    escalated.refresh_from_db()
    close_concern(escalated, by=dsl, **closing(outcome="nfa"))

    advised = walk.claimed(walk.recorded(immediate_risk=True))
    give_advice(walk.request(advised), by=hub_advisor, **given_advice(next_step="early_help"))
    advised.refresh_from_db()
    log_parent_conversation(advised, by=dsl, **held_conversation())
    advised.refresh_from_db()
    close_concern(advised, by=dsl, **closing())
    for closed in (escalated, advised):
        closed.refresh_from_db()
        assert closed.status == S.CLOSED


@pytest.mark.parametrize(
    ("advised", "elsewhere", "referral"),
    [("mash", "lado", "csc"), ("prevent", "csc", "prevent")],
)
def test_when_the_hub_advised_a_referral_the_concern_closes_only_after_that_one(
    walk, dsl, hub_advisor, advised, elsewhere, referral
):
    """A referral to someone else does not stand for the one the hub advised: a Prevent
    referral the hub asked for would go unmade, and nothing would flag it."""
    concern = walk.claimed()
    give_advice(
        walk.request(concern), by=hub_advisor, **given_advice(next_step=advised, level_of_need=4)
    )
    concern.refresh_from_db()
    log_parent_conversation(concern, by=dsl, **held_conversation())
    concern.refresh_from_db()
    before = snapshot()
    with pytest.raises(TransitionRefused, match=r"The hub advised: .*Record that referral"):
        close_concern(concern, by=dsl, **closing(outcome="nfa"))
    assert snapshot() == before
    escalate_significant_harm(concern, by=dsl, **escalation_data(referred_to=elsewhere))
    concern.refresh_from_db()
    with pytest.raises(TransitionRefused, match=r"The hub advised: .*Record that referral"):
        close_concern(concern, by=dsl, **closing(outcome="nfa"))
    escalate_significant_harm(concern, by=dsl, **escalation_data(referred_to=referral))
    concern.refresh_from_db()
    close_concern(concern, by=dsl, **closing(outcome="nfa"))
    concern.refresh_from_db()
    assert concern.status == S.CLOSED


def test_a_referral_before_the_concern_was_reopened_does_not_answer_new_advice(
    walk, dsl, hub_advisor
):
    """Reopened for a new disclosure, the concern's earlier referral answered the earlier
    harm: the hub's new advice to refer needs a new referral."""
    concern = walk.escalated()
    close_concern(concern, by=dsl, **closing(outcome="csc"))
    concern.refresh_from_db()
    reopen_concern(concern, by=dsl, reason="New disclosure from sibling")
    concern = walk.claimed(concern)
    give_advice(walk.request(concern), by=hub_advisor, **given_advice(next_step="mash"))
    concern.refresh_from_db()
    log_parent_conversation(concern, by=dsl, **held_conversation())
    concern.refresh_from_db()
    with pytest.raises(TransitionRefused, match="Record that referral"):
        close_concern(concern, by=dsl, **closing(outcome="nfa"))
    escalate_significant_harm(concern, by=dsl, **escalation_data())
    concern.refresh_from_db()
    close_concern(concern, by=dsl, **closing(outcome="csc"))

    # Nor does it stand for the referral a closure as "referred to children's social care"
    # names, when this time the concern went to the police.
    concern.refresh_from_db()
    reopen_concern(concern, by=dsl, reason="Police attended the home")
    concern.refresh_from_db()
    escalate_significant_harm(concern, by=dsl, **escalation_data(referred_to="police"))
    concern.refresh_from_db()
    with pytest.raises(TransitionRefused, match="no referral to Children's social care"):
        close_concern(concern, by=dsl, **closing(outcome="csc"))
    close_concern(concern, by=dsl, **closing(outcome="nfa"))


def _not_held_for_risk(concern, dsl):
    log_parent_conversation(
        concern,
        by=dsl,
        held=False,
        not_held_reason="risk",
        details="Mother's partner is the person the child named.",
    )
    concern.refresh_from_db()


def test_a_conversation_not_held_because_it_would_put_the_child_at_risk_needs_an_escalation(
    walk, dsl
):
    """Step 3: the parent is told unless there is an indication of significant harm, when the
    normal escalation applies. Not talking to the parent because it would place the child at
    risk is that indication."""
    concern = walk.advice_received()
    _not_held_for_risk(concern, dsl)
    before = snapshot()
    for outcome in ["monitoring", "nfa", "early_help"]:
        with pytest.raises(TransitionRefused, match="would place the child at risk") as refused:
            close_concern(concern, by=dsl, **closing(outcome=outcome))
        assert refused.value.field == "outcome"
    assert snapshot() == before
    escalate_significant_harm(concern, by=dsl, **escalation_data())
    concern.refresh_from_db()
    close_concern(concern, by=dsl, **closing())
    concern.refresh_from_db()
    assert concern.status == S.CLOSED

    unreachable = walk.advice_received()
    log_parent_conversation(
        unreachable,
        by=dsl,
        held=False,
        not_held_reason="unreachable",
        attempts="Three calls and a letter home.",
        details="No answer all week.",
    )
    unreachable.refresh_from_db()
    close_concern(unreachable, by=dsl, **closing())


def test_a_referral_elsewhere_does_not_stand_for_one_to_childrens_social_care(walk, dsl):
    concern = walk.conversation_logged()
    escalate_significant_harm(concern, by=dsl, **escalation_data(referred_to="police"))
    with pytest.raises(TransitionRefused, match="no referral to Children's social care"):
        close_concern(concern, by=dsl, **closing(outcome="csc"))


# The steps after a concern cannot be dated before it was seen or heard.


def test_a_conversation_dated_before_the_concern_was_seen_is_refused(walk, dsl):
    concern = walk.advice_received()
    seen = timezone.localdate(concern.observed_at)
    before = snapshot()
    with pytest.raises(TransitionRefused, match="on or after") as refused:
        log_parent_conversation(
            concern, by=dsl, **held_conversation(held_at=concern.observed_at - timedelta(days=1))
        )
    assert refused.value.field == "held_at:date"
    assert f"{seen.day} {seen:%B %Y}" in refused.value.message
    assert snapshot() == before
    log_parent_conversation(concern, by=dsl, **held_conversation(held_at=concern.observed_at))


def test_a_referral_dated_before_the_concern_was_seen_is_refused(walk, dsl):
    concern = walk.recorded()
    before = snapshot()
    with pytest.raises(
        TransitionRefused, match="The date of the referral must be on or after"
    ) as refused:
        escalate_significant_harm(
            concern, by=dsl, **escalation_data(referred_at=concern.observed_at - timedelta(days=2))
        )
    assert refused.value.field == "referred_at:date"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("attempt", "field", "message"),
    [
        (
            lambda concern, dsl, at: log_parent_conversation(
                concern, by=dsl, **held_conversation(held_at=at)
            ),
            "held_at:time",
            "The time of the conversation must be in the past",
        ),
        (
            lambda concern, dsl, at: escalate_significant_harm(
                concern, by=dsl, **escalation_data(referred_at=at)
            ),
            "referred_at:time",
            "The time of the referral must be in the past",
        ),
    ],
    ids=["conversation", "referral"],
)
def test_a_time_later_today_is_refused_as_the_time_not_the_date(
    walk, dsl, clock, attempt, field, message
):
    clock.set(2026, 3, 10, 14, 0)
    concern = walk.advice_received()
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        attempt(concern, dsl, clock.now() + timedelta(hours=2))
    assert (refused.value.field, refused.value.message) == (field, message)
    assert snapshot() == before


# The hub acts on a concern only through a request the school made and has not withdrawn.


def test_the_hub_acts_on_a_concern_only_through_a_request_not_withdrawn(walk, dsl, hub_advisor):
    never_shared = walk.recorded()
    escalate_significant_harm(never_shared, by=dsl, **escalation_data())
    shared = walk.with_hub()
    withdrawn = walk.with_hub()
    for concern in [shared, withdrawn]:
        escalate_significant_harm(concern, by=dsl, **escalation_data())
    withdraw_advice_request(walk.request(withdrawn), by=dsl, reason="Sent about the wrong child")
    for concern in [never_shared, withdrawn]:
        concern.refresh_from_db()
        before = snapshot()
        with pytest.raises(TransitionRefused):
            escalate_significant_harm(concern, by=hub_advisor, **escalation_data())
        with pytest.raises(TransitionRefused):
            record_escalation_outcome(
                concern.escalations.get(), by=hub_advisor, outcome="section_17"
            )
        assert snapshot() == before
    shared.refresh_from_db()
    record_escalation_outcome(shared.escalations.get(), by=hub_advisor, outcome="section_17")
    escalate_significant_harm(shared, by=hub_advisor, **escalation_data())


def test_a_reopened_concern_marked_at_immediate_risk_was_answered_by_its_earlier_steps(
    walk, dsl, hub_advisor
):
    """The mark belongs to the concern as recorded: once escalated or advised on, it does not
    ask again after reopening. New harm since is the new advice's and referrals' to answer."""
    escalated = walk.recorded(immediate_risk=True)
    escalate_significant_harm(escalated, by=dsl, **escalation_data())
    escalated.refresh_from_db()
    close_concern(escalated, by=dsl, **closing(outcome="csc"))
    advised = walk.claimed(walk.recorded(immediate_risk=True))
    give_advice(walk.request(advised), by=hub_advisor, **given_advice())
    advised.refresh_from_db()
    log_parent_conversation(advised, by=dsl, **held_conversation())
    advised.refresh_from_db()
    close_concern(advised, by=dsl, **closing())
    for concern in (escalated, advised):
        concern.refresh_from_db()
        reopen_concern(concern, by=dsl, reason="A question from the school nurse")
        concern.refresh_from_db()
        close_concern(concern, by=dsl, **closing(outcome="nfa", rationale=NO_ADVICE_REASON))
        concern.refresh_from_db()
        assert concern.status == S.CLOSED


def test_a_conversation_withheld_for_risk_belongs_to_its_episode_and_to_the_latest_advice(
    walk, dsl, hub_advisor
):
    # Escalated and closed, then reopened: the earlier episode's withheld conversation does
    # not hold up closing the new one...
    concern = walk.advice_received()
    _not_held_for_risk(concern, dsl)
    escalate_significant_harm(concern, by=dsl, **escalation_data())
    concern.refresh_from_db()
    close_concern(concern, by=dsl, **closing(outcome="csc"))
    concern.refresh_from_db()
    reopen_concern(concern, by=dsl, reason="Sibling's school asked for the file")
    concern.refresh_from_db()
    close_concern(concern, by=dsl, **closing(outcome="nfa", rationale=NO_ADVICE_REASON))

    # ...and one withheld for risk in the new episode does.
    concern.refresh_from_db()
    reopen_concern(concern, by=dsl, reason="New disclosure")
    concern = walk.advice_received(concern)
    _not_held_for_risk(concern, dsl)
    with pytest.raises(TransitionRefused, match="would place the child at risk"):
        close_concern(concern, by=dsl, **closing())

    # After further advice, a conversation that was held is the one that counts.
    concern = walk.advice_received(concern)
    log_parent_conversation(concern, by=dsl, **held_conversation())
    concern.refresh_from_db()
    close_concern(concern, by=dsl, **closing())
    concern.refresh_from_db()
    assert concern.status == S.CLOSED


@pytest.mark.parametrize("referred_to", ["police", "lado"])
def test_an_escalated_concern_is_told_to_record_the_advised_referral_not_to_ask_again(
    walk, dsl, hub_advisor, referred_to
):
    """An escalated concern cannot go back to the hub, so the refusal does not offer it."""
    concern = walk.claimed()
    escalate_significant_harm(concern, by=dsl, **escalation_data(referred_to=referred_to))
    give_advice(
        walk.request(concern), by=hub_advisor, **given_advice(next_step="mash", level_of_need=4)
    )
    concern.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        close_concern(concern, by=dsl, **closing(outcome="nfa"))
    assert "Record that referral" in refused.value.message
    assert "ask the hub again" not in refused.value.message


def _not_reached(concern, dsl, **overrides):
    data = {
        "held": False,
        "not_held_reason": "unreachable",
        "attempts": "Phoned twice, letter home",
        "details": "No answer on any number.",
    }
    log_parent_conversation(concern, by=dsl, **data | overrides)
    concern.refresh_from_db()


@pytest.mark.parametrize("reason", ["unreachable", "child_asked", "other"])
def test_a_conversation_held_after_one_logged_as_not_held_is_logged(walk, dsl, reason):
    """The parent could not be reached (or declined) when step 3 was logged, and the talk
    happened later: it is recorded as step 3, not left to an addendum."""
    concern = walk.advice_received()
    _not_reached(concern, dsl, not_held_reason=reason)
    conversation = log_parent_conversation(concern, by=dsl, **held_conversation())
    concern.refresh_from_db()
    assert concern.status == S.PARENT_CONVERSATION_LOGGED
    assert [c.held for c in concern.conversations.all()] == [False, True]
    assert conversation.held
    event = last_event(concern)
    assert (event.action, event.from_status, event.to_status) == (
        "log_parent_conversation",
        S.PARENT_CONVERSATION_LOGGED,
        S.PARENT_CONVERSATION_LOGGED,
    )
    assert AuditEvent.objects.filter(action="workflow.log_parent_conversation").count() == 2
    close_concern(concern, by=dsl, **closing())


def test_no_conversation_is_logged_after_one_held_or_one_withheld_for_the_childs_safety(walk, dsl):
    held = walk.advice_received()
    _not_reached(held, dsl)
    log_parent_conversation(held, by=dsl, **held_conversation())
    held.refresh_from_db()
    withheld = walk.advice_received()
    _not_held_for_risk(withheld, dsl)
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        log_parent_conversation(held, by=dsl, **held_conversation())
    assert refused.value.message == (
        "The parent conversation is already logged. Add an addendum for anything said since."
    )
    with pytest.raises(TransitionRefused) as refused:
        log_parent_conversation(withheld, by=dsl, **held_conversation())
    assert "would place the child at risk" in refused.value.message
    assert "Escalate" in refused.value.message
    assert snapshot() == before


def test_the_same_form_sent_twice_logs_a_conversation_not_held_once(walk, dsl):
    concern = walk.advice_received()
    key = "6f1c2a5e-0000-4000-8000-000000000001"
    _not_reached(concern, dsl, submission_key=key)
    before = snapshot()
    with pytest.raises(TransitionRefused):
        _not_reached(concern, dsl, submission_key=key)
    assert snapshot() == before
