"""The concern page: the record, where it is, its history, and only the actions allowed now."""

from datetime import timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from audit.models import AuditEvent
from concerns.attachments import store_attachment
from concerns.models import ConcernStatus
from schools.models import Role
from tests.factories import member
from tests.walk import escalation_data, given_advice, held_conversation
from workflow.advice import give_advice
from workflow.concerns import (
    add_addendum,
    escalate_significant_harm,
    log_parent_conversation,
    reopen_concern,
)
from workflow.rules import Action

S = ConcernStatus


def detail(concern):
    return reverse("concerns:detail", args=[concern.pk])


def actions_shown(response):
    return [button["action"] for button in response.context["buttons"]]


# The access ladder.


def test_anonymous_visitor_is_sent_to_sign_in(client, walk):
    response = client.get(detail(walk.recorded()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["hub_advisor", "hub_manager", "la_admin"])
def test_authority_roles_are_refused(request, walk, client_for, persona):
    concern = walk.with_hub()
    assert client_for(request.getfixturevalue(persona)).get(detail(concern)).status_code == 403


def test_another_schools_dsl_gets_a_404_and_the_attempt_is_audited(
    walk, client_for, other_school_dsl
):
    concern = walk.recorded()
    response = client_for(other_school_dsl).get(detail(concern))
    assert response.status_code == 404
    denial = AuditEvent.objects.get(action="access.denied")
    assert denial.actor == other_school_dsl
    assert (denial.object_type, denial.object_id) == ("concern", str(concern.pk))
    assert not AuditEvent.objects.filter(action="concern.view").exists()


def test_a_colleague_who_did_not_record_it_gets_a_404(walk, client_for, school):
    concern = walk.recorded()
    colleague = member(Role.STAFF, school)
    assert client_for(colleague).get(detail(concern)).status_code == 404


@pytest.mark.parametrize("persona", ["dsl", "deputy_dsl", "head", "teacher"])
def test_each_view_writes_exactly_one_audit_event(request, walk, client_for, persona):
    concern = walk.recorded()
    user = request.getfixturevalue(persona)
    response = client_for(user).get(detail(concern))
    assert response.status_code == 200
    views = AuditEvent.objects.filter(action="concern.view")
    assert views.count() == 1
    event = views.get()
    assert (event.actor, event.object_id, event.school) == (user, str(concern.pk), concern.school)


# What each role sees and may do.


EXPECTED_DSL_ACTIONS = {
    S.RECORDED: [Action.REQUEST_ADVICE, Action.ESCALATE, Action.CLOSE, Action.ADD_ADDENDUM],
    S.WITH_HUB: [Action.ESCALATE, Action.WITHDRAW_REQUEST, Action.ADD_ADDENDUM],
    # Once the hub has advised, asking it again is no longer the usual next step.
    S.ADVICE_RECEIVED: [
        Action.LOG_CONVERSATION,
        Action.ESCALATE,
        Action.REQUEST_ADVICE,
        Action.ADD_ADDENDUM,
    ],
    S.PARENT_CONVERSATION_LOGGED: [
        Action.ESCALATE,
        Action.CLOSE,
        Action.REQUEST_ADVICE,
        Action.ADD_ADDENDUM,
    ],
    S.ESCALATED: [Action.RECORD_OUTCOME, Action.CLOSE, Action.ESCALATE, Action.ADD_ADDENDUM],
    S.CLOSED: [Action.REOPEN, Action.ADD_ADDENDUM],
}


@pytest.mark.parametrize("status", list(S))
def test_the_dsl_sees_only_the_actions_the_workflow_allows_now(walk, client_for, dsl, status):
    concern = walk.to(status)
    response = client_for(dsl).get(detail(concern))
    assert actions_shown(response) == EXPECTED_DSL_ACTIONS[status]


@pytest.mark.parametrize("status", list(S))
def test_the_head_reads_everything_and_may_change_nothing(walk, client_for, head, status):
    concern = walk.to(status)
    response = client_for(head).get(detail(concern))
    assert actions_shown(response) == []
    assert response.context["full"]
    assert not response.context["may_attach"]


def test_every_button_leads_to_a_page_that_opens(walk, client_for, dsl):
    client = client_for(dsl)
    for status in S:
        concern = walk.to(status)
        for button in client.get(detail(concern)).context["buttons"]:
            assert client.get(button["url"]).status_code == 200, button


def test_the_dsl_sees_the_whole_history_in_time_order(walk, client_for, dsl, teacher):
    concern = walk.closed()
    add_addendum(concern, by=teacher, text="She also mentioned her uncle.")
    response = client_for(dsl).get(detail(concern))
    assert [entry.action for entry in response.context["entries"]] == [
        Action.RECORD,
        Action.REQUEST_ADVICE,
        Action.CLAIM,
        Action.GIVE_ADVICE,
        Action.LOG_CONVERSATION,
        Action.CLOSE,
        Action.ADD_ADDENDUM,
    ]
    html = response.content.decode()
    for text in [
        "Should we talk to mum?",  # the question for the hub
        "Talk with mum first.",  # the hub's advice
        "Level 2: early help",
        "Breakfast and routines.",  # the conversation
        "Breakfast club in place and attendance is good.",  # the closure rationale
        "She also mentioned her uncle.",
        "Ada Advisor",
    ]:
        assert text in html


def test_the_history_shows_an_escalation_and_its_outcome(walk, client_for, dsl):
    from workflow.concerns import record_escalation_outcome

    concern = walk.escalated()
    record_escalation_outcome(concern.escalations.get(), by=dsl, outcome="section_47")
    html = client_for(dsl).get(detail(concern)).content.decode()
    assert "Disclosure of being hit with a belt." in html
    assert "MASH-123" in html
    assert "Section 47 child protection enquiry" in html


def test_the_step_tracker_shows_each_step_with_dates_and_who(walk, client_for, dsl):
    concern = walk.conversation_logged()
    steps = client_for(dsl).get(detail(concern)).context["steps"]
    assert [step.state for step in steps] == ["done", "done", "done", "not_started"]
    assert "by Tara Teacher" in strip_tags(steps[0].lines[0])
    assert "by Ada Advisor" in strip_tags(steps[1].lines[0])
    assert "with Mrs Ahmed (Mother)" in strip_tags(steps[2].lines[0])


def test_a_reopened_concern_shows_its_steps_to_do_again_with_what_came_before(
    walk, client_for, dsl
):
    # Reopened, it needs the hub's advice again (or an escalation) before step 3 and before
    # it closes: the earlier episode's steps are history, not this one's, done.
    concern = walk.closed()
    reopen_concern(concern, by=dsl, reason="Her brother says things are worse at home.")
    steps = client_for(dsl).get(detail(concern)).context["steps"]
    assert [step.state for step in steps] == ["done", "not_started", "cannot_start", "not_started"]
    assert "by Ada Advisor" in strip_tags(steps[1].lines[0])
    assert "with Mrs Ahmed (Mother)" in strip_tags(steps[2].lines[0])

    walk.advice_received(concern)
    steps = client_for(dsl).get(detail(concern)).context["steps"]
    assert [step.state for step in steps] == ["done", "done", "due", "not_started"]


def test_the_step_tracker_does_not_say_an_advisor_who_has_left_the_hub_is_answering(
    walk, client_for, dsl, hub_advisor
):
    # Their account switched off, nobody is working on the request: the hub's queue shows it
    # as nobody's for anyone there to claim, and the school is not told it is being answered.
    concern = walk.claimed()
    steps = client_for(dsl).get(detail(concern)).context["steps"]
    assert "Being answered by Ada Advisor" in strip_tags(steps[1].lines[1])
    hub_advisor.is_active = False
    hub_advisor.save(update_fields=["is_active"])
    steps = client_for(dsl).get(detail(concern)).context["steps"]
    assert strip_tags(steps[1].lines[1]) == (
        "Waiting for a hub advisor to pick it up (Ada Advisor, who claimed it, has left the hub)"
    )


def test_the_step_tracker_says_when_the_hubs_advice_is_overdue(walk, client_for, dsl):
    """The inbox tells the DSL to follow up a request the hub has not answered in time; the
    concern's own page, where they act on it, says so too."""
    from advice.models import AdviceRequest

    concern = walk.claimed()
    client = client_for(dsl)
    assert len(client.get(detail(concern)).context["steps"][1].lines) == 2  # not due yet
    request = AdviceRequest.objects.get(concern=concern)
    request.due_at = timezone.now() - timedelta(hours=1)
    request.save(update_fields=["due_at"])

    steps = client.get(detail(concern)).context["steps"]

    assert strip_tags(steps[1].lines[-1]).startswith("Overdue: the hub's advice was due ")
    assert "follow the request up with the hub" in strip_tags(steps[1].lines[-1])


def test_the_step_tracker_says_the_parent_conversation_is_due_after_advice(walk, client_for, dsl):
    concern = walk.advice_received()
    steps = client_for(dsl).get(detail(concern)).context["steps"]
    assert steps[2].state == "due"


def test_advised_again_after_the_conversation_the_tracker_says_the_next_one_is_due(
    walk, client_for, dsl
):
    # Things changed after the conversation and the DSL asked the hub again: the concern
    # cannot close until the parent conversation about the new advice is logged (or it is
    # escalated), so step 3 is to do now, not completed with no next step shown anywhere.
    concern = walk.conversation_logged()
    walk.advice_received(concern)
    response = client_for(dsl).get(detail(concern))
    assert Action.CLOSE not in actions_shown(response)
    step = response.context["steps"][2]
    assert step.state == "due"
    assert "Talk with the parent or carer, then log the conversation" in step.lines
    assert any(line.startswith("Conversation held ") for line in step.lines)


def test_the_recorder_sees_their_record_and_addenda_but_not_the_dsls_working(
    walk, client_for, teacher, dsl
):
    concern = walk.closed()
    add_addendum(concern, by=dsl, text="DSL note for the record.")
    response = client_for(teacher).get(detail(concern))
    html = response.content.decode()
    assert "Amelia Ahmed arrived without a coat" in html
    assert "DSL note for the record." in html
    assert "Closed" in html
    for working in [
        "Talk with mum first.",
        "Should we talk to mum?",
        "Breakfast and routines.",
        "Mrs Ahmed",
        "Breakfast club in place and attendance is good.",
    ]:
        assert working not in html
    assert actions_shown(response) == [Action.ADD_ADDENDUM]


def test_the_recorder_does_not_see_escalation_details(walk, client_for, teacher):
    concern = walk.escalated()
    html = client_for(teacher).get(detail(concern)).content.decode()
    assert "Disclosure of being hit with a belt." not in html
    assert "MASH" not in html


def test_an_urgent_concern_carries_a_warning(walk, client_for, dsl):
    concern = walk.recorded(immediate_risk=True)
    html = client_for(dsl).get(detail(concern)).content.decode()
    assert "may be at immediate risk of significant harm" in html


def test_the_usual_next_step_is_the_primary_button_and_escalation_stands_out(walk, client_for, dsl):
    recorded = client_for(dsl).get(detail(walk.recorded())).context["buttons"]
    assert [(b["action"], b["style"]) for b in recorded[:2]] == [
        (Action.REQUEST_ADVICE, ""),
        (Action.ESCALATE, "govuk-button--warning"),
    ]
    advised = client_for(dsl).get(detail(walk.advice_received())).context["buttons"]
    assert (advised[0]["action"], advised[0]["style"]) == (Action.LOG_CONVERSATION, "")
    talked = client_for(dsl).get(detail(walk.conversation_logged())).context["buttons"]
    assert [b["style"] for b in talked][:2] == ["govuk-button--warning", ""]  # then close
    escalated = client_for(dsl).get(detail(walk.escalated())).context["buttons"]
    assert escalated[0]["style"] == ""
    assert escalated[0]["label"] == (
        "Record the outcome of the referral to Children's social care (MASH)"
    )
    another = next(b for b in escalated if b["action"] == Action.ESCALATE)
    assert (another["label"], another["style"]) == (
        "Record another referral",
        "govuk-button--secondary",
    )


def test_each_referral_awaiting_its_outcome_has_a_button_that_says_which(walk, client_for, dsl):
    # A referral to 'Other' is named as the DSL typed it, not 'Other'; two referrals to the
    # same place (one before the concern was closed and reopened, say) are told apart by when
    # they were made. Identical buttons leave the DSL to guess which referral they record.
    concern = walk.escalated()
    escalate_significant_harm(
        concern,
        by=dsl,
        **escalation_data(referred_to="other", referred_to_other="NSPCC helpline"),
    )
    earlier = timezone.now() - timedelta(hours=2)
    escalate_significant_harm(concern, by=dsl, **escalation_data(referred_at=earlier))
    buttons = client_for(dsl).get(detail(concern)).context["buttons"]
    labels = [
        unescape(strip_tags(b["label"])) for b in buttons if b["action"] == Action.RECORD_OUTCOME
    ]
    assert len(labels) == 3
    assert "Record the outcome of the referral to NSPCC helpline" in labels
    assert len(set(labels)) == 3
    assert all("Other" not in label for label in labels)


# What the page reads.


def _tables_read(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return {table for q in captured for table in RECORD_TABLES if f'"{table}"' in q["sql"]}


RECORD_TABLES = [
    "concerns_addendum",
    "advice_advicerequest",
    "concerns_parentconversation",
    "concerns_escalation",
    "concerns_closure",
]


def test_the_page_reads_only_the_kinds_of_record_the_concern_has(walk, client_for, dsl, teacher):
    client = client_for(dsl)
    recorded = walk.recorded()
    assert _tables_read(client, detail(recorded)) == set()
    closed = walk.closed()
    add_addendum(closed, by=teacher, text="A later note.")
    assert _tables_read(client, detail(closed)) == set(RECORD_TABLES) - {"concerns_escalation"}
    escalated = walk.escalated()
    assert "concerns_escalation" in _tables_read(client, detail(escalated))


def _attachment_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured if q["sql"].startswith('SELECT "concerns_attachment".')]


def test_the_page_asks_for_files_only_when_the_concern_has_some(walk, client_for, dsl, teacher):
    concern = walk.recorded()
    assert _attachment_queries(client_for(dsl), detail(concern)) == []
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    store_attachment(concern, by=dsl, upload=SimpleUploadedFile("Body map.pdf", pdf))
    for person in (dsl, teacher):
        assert len(_attachment_queries(client_for(person), detail(concern))) == 1
    assert "Body map.pdf" in client_for(dsl).get(detail(concern)).content.decode()
    # The recorder sees the files they attached themselves, not the DSL's.
    assert "Body map.pdf" not in client_for(teacher).get(detail(concern)).content.decode()


def _advised_to_refer(walk):
    concern = walk.claimed()
    give_advice(walk.request(concern), by=walk.advisor, **given_advice(next_step="mash"))
    return concern


def test_step_3_is_not_done_while_the_referral_the_hub_advised_is_missing(walk, client_for, dsl):
    # The hub advised a referral to children's social care and the DSL logged the parent
    # conversation: the concern cannot close until the referral is recorded, so step 3 is not
    # complete, and the tracker says what is outstanding.
    concern = _advised_to_refer(walk)
    log_parent_conversation(concern, by=dsl, **held_conversation())
    steps = client_for(dsl).get(detail(concern)).context["steps"]
    assert steps[2].state == "due"
    assert any("Record that referral" in line for line in steps[2].lines)

    walk.escalated(concern)
    steps = client_for(dsl).get(detail(concern)).context["steps"]
    assert steps[2].state == "done"
    assert not any("Record that referral" in line for line in steps[2].lines)


def test_asked_again_the_tracker_waits_for_the_hubs_new_advice(walk, client_for, dsl):
    # Things changed and the DSL asked the hub again: while it has the request, the tracker
    # does not tell the DSL to record the earlier advice's referral or to ask again.
    concern = _advised_to_refer(walk)
    log_parent_conversation(concern, by=dsl, **held_conversation())
    walk.with_hub(concern)
    steps = client_for(dsl).get(detail(concern)).context["steps"]
    assert steps[1].state == "in_progress"
    assert not any("Record that referral" in line for line in steps[2].lines)


def test_no_close_button_while_a_referral_must_come_first(walk, client_for, dsl):
    # Closing would be refused for want of the referral: the page offers the escalation, as
    # the usual next step, and no button to a refusal.
    concern = _advised_to_refer(walk)
    log_parent_conversation(concern, by=dsl, **held_conversation())
    buttons = client_for(dsl).get(detail(concern)).context["buttons"]
    assert Action.CLOSE not in [b["action"] for b in buttons]
    assert buttons[0]["action"] == Action.ESCALATE

    walk.escalated(concern)
    buttons = client_for(dsl).get(detail(concern)).context["buttons"]
    assert Action.CLOSE in [b["action"] for b in buttons]


def test_advised_to_refer_the_escalation_leads_and_no_green_button_comes_before_it(
    walk, client_for, dsl
):
    # The hub advised a referral: significant harm is indicated, so the parent conversation is
    # not the next step; the red escalation comes first and nothing green competes with it.
    concern = _advised_to_refer(walk)
    buttons = client_for(dsl).get(detail(concern)).context["buttons"]
    assert (buttons[0]["action"], buttons[0]["style"]) == (
        Action.ESCALATE,
        "govuk-button--warning",
    )
    assert {b["style"] for b in buttons[1:]} == {"govuk-button--secondary"}


def test_referred_elsewhere_than_advised_the_missing_referral_is_the_green_button(
    walk, client_for, dsl
):
    # Advised to refer to children's social care, the DSL escalated to the police: the
    # referral the hub advised is still to record, and recording it is the next step.
    concern = _advised_to_refer(walk)
    escalate_significant_harm(
        concern, by=dsl, **escalation_data(referred_to="police", spoken_to="PC Duty")
    )
    buttons = client_for(dsl).get(detail(concern)).context["buttons"]
    assert (buttons[0]["label"], buttons[0]["style"]) == ("Record another referral", "")
    assert Action.CLOSE not in [b["action"] for b in buttons]


def test_a_child_marked_at_immediate_risk_gets_no_close_button_until_answered(
    walk, client_for, dsl
):
    # Closing would be refused until the hub has advised or the concern is escalated.
    concern = walk.recorded(immediate_risk=True)
    buttons = client_for(dsl).get(detail(concern)).context["buttons"]
    assert Action.CLOSE not in [b["action"] for b in buttons]
    assert buttons[0]["action"] == Action.ESCALATE
    assert Action.CLOSE in [
        b["action"] for b in client_for(dsl).get(detail(walk.recorded())).context["buttons"]
    ]


def test_step_3_is_not_done_when_the_conversation_was_not_held_for_the_childs_safety(
    walk, client_for, dsl
):
    # Not told because telling would place the child at risk: significant harm is indicated,
    # and the concern must be escalated before it can close.
    concern = walk.advice_received()
    log_parent_conversation(
        concern,
        by=dsl,
        **held_conversation(held=False, not_held_reason="risk", details="Dad is the risk."),
    )
    steps = client_for(dsl).get(detail(concern)).context["steps"]
    assert steps[2].state == "due"
    assert any("Escalate the concern" in line for line in steps[2].lines)


def _not_held(concern, dsl, reason):
    log_parent_conversation(
        concern,
        by=dsl,
        held=False,
        not_held_reason=reason,
        attempts="Phoned twice, letter home",
        details="No answer on any number.",
    )


@pytest.mark.parametrize(
    ("reason", "offered"),
    [("unreachable", True), ("child_asked", True), ("other", True), ("risk", False)],
)
def test_after_a_conversation_not_held_the_page_offers_to_log_the_one_that_happens_later(
    walk, client_for, dsl, reason, offered
):
    # Not after one withheld for the child's safety: significant harm, so an escalation.
    concern = walk.advice_received()
    _not_held(concern, dsl, reason)
    response = client_for(dsl).get(detail(concern))
    assert (Action.LOG_CONVERSATION in actions_shown(response)) == offered
    assert ("Log the parent or carer conversation" in response.text) == offered


LATER = "If you talk with the parent or carer later, log the conversation"


@pytest.mark.parametrize(
    ("reason", "offered"),
    [("unreachable", True), ("child_asked", True), ("other", True), ("risk", False)],
)
def test_after_a_conversation_not_held_the_tracker_says_to_log_the_one_that_happens_later(
    walk, client_for, dsl, reason, offered
):
    concern = walk.advice_received()
    _not_held(concern, dsl, reason)
    step = client_for(dsl).get(detail(concern)).context["steps"][2]
    assert (LATER in step.lines) == offered


def test_once_the_later_conversation_is_held_the_tracker_no_longer_asks_for_it(
    walk, client_for, dsl
):
    concern = walk.advice_received()
    _not_held(concern, dsl, "unreachable")
    log_parent_conversation(concern, by=dsl, **held_conversation())
    assert LATER not in client_for(dsl).get(detail(concern)).context["steps"][2].lines


def test_a_conversation_held_after_one_not_held_is_step_3_and_both_are_in_the_history(
    walk, client_for, dsl
):
    concern = walk.advice_received()
    _not_held(concern, dsl, "unreachable")
    log_parent_conversation(concern, by=dsl, **held_conversation())
    response = client_for(dsl).get(detail(concern))
    assert Action.LOG_CONVERSATION not in actions_shown(response)
    assert Action.CLOSE in actions_shown(response)
    step = response.context["steps"][2]
    assert step.state == "done"
    assert any(line.startswith("Conversation not held: ") for line in step.lines)
    assert any(line.startswith("Conversation held ") for line in step.lines)
    logged = [e for e in response.context["entries"] if e.action == Action.LOG_CONVERSATION]
    assert [e.record.held for e in logged] == [False, True]
    assert '<span dir="auto">Mrs Ahmed</span> (<span dir="auto">Mother</span>)' in response.text
    assert "No answer on any number." in response.text
