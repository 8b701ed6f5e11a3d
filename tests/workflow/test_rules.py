"""The table of moves also tells pages which buttons will work."""

from schools.selectors import active_memberships
from workflow.rules import Action, Actor, available_actions, available_request_actions


def actions_for(user, concern, open_request=None):
    return available_actions(Actor(user, active_memberships(user)), concern, open_request)


def test_dsl_sees_request_escalate_close_and_addendum_on_a_new_concern(walk, dsl):
    concern = walk.recorded()
    assert actions_for(dsl, concern) == [
        Action.REQUEST_ADVICE,
        Action.ESCALATE,
        Action.CLOSE,
        Action.ADD_ADDENDUM,
    ]


def test_dsl_sees_parent_conversation_only_after_advice(walk, dsl):
    concern = walk.advice_received()
    assert Action.LOG_CONVERSATION in actions_for(dsl, concern)
    assert Action.LOG_CONVERSATION not in actions_for(dsl, walk.recorded())


def test_with_the_hub_the_dsl_may_withdraw_but_not_ask_again(walk, dsl):
    concern = walk.with_hub()
    actions = actions_for(dsl, concern, walk.request(concern))
    assert Action.WITHDRAW_REQUEST in actions
    assert Action.REQUEST_ADVICE not in actions


def test_the_recorder_only_adds_addenda_and_the_head_reads_only(walk, teacher, head):
    concern = walk.recorded()
    assert actions_for(teacher, concern) == [Action.ADD_ADDENDUM]
    assert actions_for(head, concern) == []


def test_other_school_sees_no_actions(walk, other_school_dsl):
    assert actions_for(other_school_dsl, walk.recorded()) == []


def test_escalation_outcome_is_offered_while_an_escalation_has_none(walk, dsl):
    concern = walk.escalated()
    assert Action.RECORD_OUTCOME in actions_for(dsl, concern)


def test_hub_actions_follow_the_request(walk, hub_advisor, hub_manager, other_la_advisor):
    concern = walk.with_hub()
    request = walk.request(concern)
    advisor = Actor(hub_advisor, active_memberships(hub_advisor))
    manager = Actor(hub_manager, active_memberships(hub_manager))
    assert available_request_actions(advisor, request) == [Action.CLAIM, Action.ESCALATE]
    assert available_request_actions(manager, request) == [
        Action.CLAIM,
        Action.REASSIGN,
        Action.RERATE,
        Action.ESCALATE,
    ]
    stranger = Actor(other_la_advisor, active_memberships(other_la_advisor))
    assert available_request_actions(stranger, request) == []


def test_claimant_may_release_advise_and_escalate(walk, hub_advisor):
    from workflow.advice import claim_advice_request

    concern = walk.with_hub()
    request = claim_advice_request(walk.request(concern), by=hub_advisor)
    advisor = Actor(hub_advisor, active_memberships(hub_advisor))
    assert available_request_actions(advisor, request) == [
        Action.RELEASE,
        Action.GIVE_ADVICE,
        Action.ESCALATE,
    ]
