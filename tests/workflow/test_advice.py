"""Step 2: request, claim, release, reassign, re-rate, withdraw and answer advice requests."""

from datetime import UTC, datetime, timedelta

import pytest

from advice.models import AdviceRequest, AdviceStatus
from audit.models import AuditEvent
from concerns.models import ConcernStatus
from safeguarding.templatetags.presenters import uk_datetime
from schools.models import Role
from schools.services import end_membership
from tests.factories import member
from tests.notices import words
from tests.walk import advice_data, given_advice, snapshot
from workflow.advice import (
    claim_advice_request,
    give_advice,
    reassign_advice_request,
    release_advice_request,
    request_hub_advice,
    rerate_advice_request,
    withdraw_advice_request,
)
from workflow.exceptions import TransitionRefused
from workflow.models import Notification, WorkflowEvent
from workflow.working_time import add_working_hours

S = ConcernStatus


def last_event(concern):
    return WorkflowEvent.objects.filter(concern=concern).latest("at", "pk")


def test_request_hub_advice_sends_the_concern_to_the_hub(walk, dsl, authority):
    concern = walk.recorded()
    Notification.objects.all().delete()
    request = request_hub_advice(concern, by=dsl, **advice_data(urgency="red"))
    concern.refresh_from_db()
    assert concern.status == S.WITH_HUB
    assert request.status == AdviceStatus.OPEN
    assert request.due_at == add_working_hours(request.requested_at, 4)
    # Where it belongs, copied so that the queue and the report need not join the concern.
    assert (request.local_authority, request.school) == (authority, concern.school)
    event = last_event(concern)
    assert (event.action, event.from_status, event.to_status, event.advice_request) == (
        "request_hub_advice",
        "recorded",
        "with_hub",
        request,
    )
    assert AuditEvent.objects.filter(action="workflow.request_hub_advice", actor=dsl).count() == 1
    notification = Notification.objects.get(kind="advice_requested")
    assert notification.recipient == authority.hub_email
    assert notification.urgent
    # The link opens the request itself, and the email says so and what it needs.
    assert "It needs an advisor to claim and answer it." in notification.body
    # The due time written as the hub's queue page writes it.
    assert f"due {uk_datetime(request.due_at)}." in notification.body
    assert f"Sign in to see the request: https://testserver/hub/requests/{request.pk}/" in (
        notification.body
    )


def test_hub_staff_are_told_when_the_authority_has_no_shared_inbox(
    walk, dsl, authority, hub_advisor, hub_manager, other_la_advisor
):
    authority.hub_email = ""
    authority.save()
    # Not told: another authority's hub, someone whose hub role has ended, a disabled account.
    member(Role.HUB_ADVISOR, authority).memberships.update(is_active=False)
    member(Role.HUB_ADVISOR, authority, is_active=False)
    walk.with_hub()
    recipients = set(
        Notification.objects.filter(kind="advice_requested").values_list("recipient", flat=True)
    )
    assert recipients == {hub_advisor.email, hub_manager.email}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"question": " "}, "question"),
        ({"urgency": "purple"}, "urgency"),
    ],
)
def test_request_needs_summary_question_and_urgency(walk, dsl, overrides, field):
    concern = walk.recorded()
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        request_hub_advice(concern, by=dsl, **advice_data(**overrides))
    assert refused.value.field == field
    assert snapshot() == before


def test_claim_gives_the_request_to_the_advisor(walk, hub_advisor):
    concern = walk.with_hub()
    request = claim_advice_request(walk.request(concern), by=hub_advisor)
    assert (request.status, request.claimed_by) == (AdviceStatus.CLAIMED, hub_advisor)
    concern.refresh_from_db()
    assert concern.status == S.WITH_HUB
    assert last_event(concern).action == "claim_advice_request"
    assert AuditEvent.objects.filter(action="workflow.claim_advice_request").count() == 1


def test_a_second_claim_says_who_claimed_it_and_when(walk, hub_advisor, hub_manager):
    concern = walk.claimed()
    request = walk.request(concern)
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        claim_advice_request(request, by=hub_manager)
    assert "Ada Advisor claimed this request on" in words(refused.value.message)
    assert "not been taken over" in refused.value.message
    assert snapshot() == before


def test_a_claim_in_the_hour_the_clocks_go_back_says_which_time_it_was(walk, hub_manager):
    concern = walk.claimed()
    request = walk.request(concern)
    AdviceRequest.objects.filter(pk=request.pk).update(
        claimed_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    )
    request.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        claim_advice_request(request, by=hub_manager)
    assert "claimed this request on 25 October 2026 at 1:30am GMT." in refused.value.message


def test_release_returns_the_request_to_the_queue(walk, hub_advisor):
    concern = walk.claimed()
    request = release_advice_request(walk.request(concern), by=hub_advisor)
    assert (request.status, request.claimed_by) == (AdviceStatus.OPEN, None)


def test_another_advisor_cannot_release_a_claim_but_a_manager_can(walk, authority, hub_manager):
    concern = walk.claimed()
    colleague = member(Role.HUB_ADVISOR, authority)
    with pytest.raises(TransitionRefused, match="Only they or a hub manager can release it"):
        release_advice_request(walk.request(concern), by=colleague)
    release_advice_request(walk.request(concern), by=hub_manager)
    assert walk.request(concern).status == AdviceStatus.OPEN


def test_manager_reassigns_to_a_named_advisor(walk, authority, hub_manager):
    concern = walk.claimed()
    colleague = member(Role.HUB_ADVISOR, authority, full_name="Cal Colleague")
    request = reassign_advice_request(
        walk.request(concern), by=hub_manager, to=colleague, reason="Leave"
    )
    assert request.claimed_by == colleague
    assert last_event(concern).note == "Reassigned to Cal Colleague: Leave"


def test_the_advisor_given_a_request_is_told(walk, authority, hub_manager):
    concern = walk.with_hub(urgency="red")
    colleague = member(Role.HUB_ADVISOR, authority, full_name="Cal Colleague")
    Notification.objects.all().delete()
    reassign_advice_request(walk.request(concern), by=hub_manager, to=colleague)
    told = Notification.objects.get()
    assert (told.kind, told.recipient, told.urgent) == ("advice_reassigned", colleague.email, True)
    assert concern.reference in told.subject
    assert concern.pupil.family_name not in told.subject + told.body


def test_the_advisor_a_request_is_taken_from_is_told_they_need_not_answer_it(
    walk, authority, hub_manager
):
    # Ada, who claimed it and may be halfway through her advice, learnt only when hers was
    # refused as no longer hers.
    concern = walk.with_hub(urgency="red")
    ada = claim_advice_request(walk.request(concern), by=walk.advisor).claimed_by
    colleague = member(Role.HUB_ADVISOR, authority, full_name="Cal Colleague")
    Notification.objects.all().delete()
    reassign_advice_request(walk.request(concern), by=hub_manager, to=colleague)
    told = Notification.objects.get(recipient=ada.email)
    assert told.kind == "advice_reassigned_away"
    assert "Cal Colleague" in told.body
    assert "You need not answer it" in told.body
    assert f"/hub/requests/{walk.request(concern).pk}/" in told.body
    assert not told.urgent  # nothing for her to do, however urgent the request
    assert concern.pupil.family_name not in told.subject + told.body


def test_a_request_made_red_tells_its_advisor_or_the_hub(walk, authority, hub_manager):
    concern = walk.with_hub(urgency="green")
    Notification.objects.all().delete()
    rerate_advice_request(walk.request(concern), by=hub_manager, urgency="red", reason="Worse")
    told = Notification.objects.get()
    assert (told.kind, told.recipient, told.urgent) == ("advice_rerated", authority.hub_email, True)
    claimed = walk.claimed()
    Notification.objects.all().delete()
    rerate_advice_request(walk.request(claimed), by=hub_manager, urgency="green", reason="Calmer")
    told = Notification.objects.get()
    assert (told.recipient, told.urgent) == (walk.request(claimed).claimed_by.email, False)


def test_the_advisor_of_a_withdrawn_request_is_told_they_need_not_answer(walk, dsl):
    concern = walk.claimed()
    advisor = walk.request(concern).claimed_by
    Notification.objects.all().delete()
    withdraw_advice_request(walk.request(concern), by=dsl, reason="Sent in error")
    told = Notification.objects.get()
    assert (told.kind, told.recipient, told.urgent) == ("advice_withdrawn", advisor.email, False)
    assert "You need not answer it" in told.body
    assert "Sent in error" not in told.body  # the school's words stay on the service


def test_a_red_request_withdrawn_before_anyone_claimed_it_is_told_to_the_hub(walk, dsl, authority):
    # The hub was emailed URGENT about it; without a word it would still be picked up.
    concern = walk.with_hub(urgency="red")
    Notification.objects.all().delete()
    withdraw_advice_request(walk.request(concern), by=dsl, reason="Sent in error")
    told = Notification.objects.get()
    assert (told.kind, told.recipient, told.urgent) == (
        "advice_withdrawn",
        authority.hub_email,
        False,
    )
    assert "Nobody need answer it" in told.body
    amber = walk.with_hub()
    Notification.objects.all().delete()
    withdraw_advice_request(walk.request(amber), by=dsl, reason="Sent in error")
    assert not Notification.objects.exists()  # it waits in the queue, where its end shows


def test_advice_to_refer_reaches_the_school_as_urgent(walk, dsl, hub_advisor):
    # Significant harm is indicated: the referral is made today, not when the DSL next looks.
    concern = walk.claimed()
    Notification.objects.all().delete()
    give_advice(walk.request(concern), by=walk.advisor, **given_advice(next_step="mash"))
    told = Notification.objects.get(recipient=dsl.email)
    assert (told.kind, told.urgent) == ("advice_given", True)
    assert "It advises a referral" in told.body
    ordinary = walk.claimed()
    Notification.objects.all().delete()
    give_advice(walk.request(ordinary), by=walk.advisor, **given_advice())
    assert Notification.objects.get(recipient=dsl.email).urgent is False


def test_an_advisor_whose_hub_role_has_ended_is_not_told_of_a_withdrawal(walk, dsl, la_admin):
    # Someone who has left the hub is no longer told about a school's concerns.
    concern = walk.claimed()
    end_membership(walk.advisor.memberships.get(), by=la_admin)
    Notification.objects.all().delete()
    withdraw_advice_request(walk.request(concern), by=dsl, reason="Sent in error")
    assert not Notification.objects.exists()


def test_a_request_made_red_while_its_advisor_has_left_tells_the_hub_not_them(
    walk, authority, hub_manager
):
    concern = walk.claimed()
    walk.advisor.is_active = False  # the account switched off
    walk.advisor.save(update_fields=["is_active"])
    Notification.objects.all().delete()
    rerate_advice_request(walk.request(concern), by=hub_manager, urgency="red", reason="Worse")
    told = Notification.objects.get()
    assert (told.kind, told.recipient, told.urgent) == ("advice_rerated", authority.hub_email, True)


def test_reassign_refuses_advisors_of_another_authority_and_advisors_doing_it(
    walk, hub_manager, hub_advisor, other_la_advisor
):
    concern = walk.with_hub()
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        reassign_advice_request(walk.request(concern), by=hub_manager, to=other_la_advisor)
    assert refused.value.field == "to"
    with pytest.raises(TransitionRefused, match="Only a hub manager"):
        reassign_advice_request(walk.request(concern), by=hub_advisor, to=hub_advisor)
    assert snapshot() == before


def test_reassign_refuses_an_advisor_whose_account_is_disabled(walk, authority, hub_manager):
    concern = walk.with_hub()
    disabled = member(Role.HUB_ADVISOR, authority, is_active=False)
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        reassign_advice_request(walk.request(concern), by=hub_manager, to=disabled)
    assert refused.value.field == "to"
    assert snapshot() == before


def test_reassign_refuses_an_advisor_whose_hub_role_has_ended(
    walk, authority, hub_manager, la_admin
):
    concern = walk.with_hub()
    former = member(Role.HUB_ADVISOR, authority)
    end_membership(former.memberships.get(), by=la_admin)
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        reassign_advice_request(walk.request(concern), by=hub_manager, to=former)
    assert refused.value.field == "to"
    assert snapshot() == before


def test_rerate_recomputes_due_time_from_the_request_time_and_keeps_the_reason(walk, hub_manager):
    concern = walk.with_hub(urgency="green")
    request = walk.request(concern)
    rerated = rerate_advice_request(request, by=hub_manager, urgency="red", reason="New disclosure")
    assert rerated.due_at == add_working_hours(request.requested_at, 4)
    assert last_event(concern).note == "Urgency Green to Red: New disclosure"


def test_rerate_needs_a_reason_and_a_different_urgency(walk, hub_manager, hub_advisor):
    concern = walk.with_hub(urgency="green")
    request = walk.request(concern)
    with pytest.raises(TransitionRefused) as refused:
        rerate_advice_request(request, by=hub_manager, urgency="red", reason="")
    assert refused.value.field == "reason"
    with pytest.raises(TransitionRefused) as refused:
        rerate_advice_request(request, by=hub_manager, urgency="green", reason="Same")
    assert refused.value.field == "urgency"
    with pytest.raises(TransitionRefused, match="Only a hub manager"):
        rerate_advice_request(request, by=hub_advisor, urgency="red", reason="Worse")


def test_give_advice_moves_the_concern_on_and_tells_the_dsls(
    walk, hub_advisor, dsl, deputy_dsl, school, other_school_dsl
):
    # Not told: another school's DSL, a DSL whose role has ended, a disabled account.
    member(Role.DSL, school).memberships.update(is_active=False)
    member(Role.DSL, school, is_active=False)
    concern = walk.claimed()
    Notification.objects.all().delete()
    request = give_advice(walk.request(concern), by=hub_advisor, **given_advice(level_of_need=3))
    concern.refresh_from_db()
    assert concern.status == S.ADVICE_RECEIVED
    assert (request.status, request.level_of_need, request.advised_by) == (
        AdviceStatus.ANSWERED,
        3,
        hub_advisor,
    )
    assert last_event(concern).action == "give_advice"
    assert AuditEvent.objects.filter(action="workflow.give_advice").count() == 1
    recipients = set(
        Notification.objects.filter(kind="advice_given").values_list("recipient", flat=True)
    )
    assert recipients == {dsl.email, deputy_dsl.email}


def test_only_the_claimant_gives_advice_and_the_others_are_told_who_has_it(
    walk, authority, hub_manager
):
    concern = walk.claimed()
    claimant = walk.request(concern).claimed_by.full_name
    before = snapshot()
    for other in [member(Role.HUB_ADVISOR, authority), hub_manager]:
        with pytest.raises(TransitionRefused) as refused:
            give_advice(walk.request(concern), by=other, **given_advice())
        said = words(refused.value.message)
        assert said == f"{claimant} has this request now. Nothing was saved."
    assert snapshot() == before


def test_advice_from_an_advisor_whose_request_was_reassigned_says_who_has_it_now(
    walk, hub_advisor, hub_manager
):
    """Not "claim it first", which they cannot do: a manager gave it to someone else."""
    concern = walk.claimed()
    reassign_advice_request(walk.request(concern), by=hub_manager, to=hub_manager)
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        give_advice(walk.request(concern), by=hub_advisor, **given_advice())
    assert words(refused.value.message) == "Max Manager has this request now. Nothing was saved."
    assert snapshot() == before


def test_advice_typed_while_the_school_withdrew_the_request_says_it_was_withdrawn(
    walk, dsl, hub_advisor
):
    concern = walk.claimed()
    typed_on = walk.request(concern).version
    withdraw_advice_request(walk.request(concern), by=dsl, reason="Wrong child.")
    with pytest.raises(TransitionRefused) as refused:
        give_advice(
            walk.request(concern), by=hub_advisor, expected_version=typed_on, **given_advice()
        )
    assert refused.value.message == "The school has withdrawn this advice request."


def test_an_advisor_whose_hub_role_has_ended_cannot_act_on_what_they_claimed(
    walk, hub_advisor, la_admin
):
    concern = walk.claimed()
    end_membership(hub_advisor.memberships.get(), by=la_admin)
    before = snapshot()
    with pytest.raises(TransitionRefused, match="advisor who has claimed"):
        give_advice(walk.request(concern), by=hub_advisor, **given_advice())
    with pytest.raises(TransitionRefused, match="advisor who claimed"):
        release_advice_request(walk.request(concern), by=hub_advisor)
    assert snapshot() == before


def test_advice_on_an_unclaimed_request_is_refused(walk, hub_advisor):
    concern = walk.with_hub()
    with pytest.raises(TransitionRefused, match="Claim it first"):
        give_advice(walk.request(concern), by=hub_advisor, **given_advice())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"advice": ""}, "advice"),
        ({"next_step": "pray"}, "next_step"),
        ({"level_of_need": 5}, "level_of_need"),
        ({"follow_up_on": datetime(2020, 1, 1, tzinfo=UTC).date()}, "follow_up_on"),
    ],
)
def test_advice_needs_text_next_step_and_level(walk, hub_advisor, overrides, field):
    concern = walk.claimed()
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        give_advice(walk.request(concern), by=hub_advisor, **given_advice(**overrides))
    assert refused.value.field == field
    assert snapshot() == before


def test_withdraw_returns_the_concern_to_where_it_was(walk, dsl):
    concern = walk.with_hub()
    request = withdraw_advice_request(walk.request(concern), by=dsl, reason="Sent in error")
    concern.refresh_from_db()
    assert request.status == AdviceStatus.WITHDRAWN
    assert concern.status == S.RECORDED
    follow_up = walk.conversation_logged()
    request_hub_advice(follow_up, by=walk.dsl, **advice_data())
    withdraw_advice_request(walk.request(follow_up), by=dsl, reason="Resolved")
    follow_up.refresh_from_db()
    assert follow_up.status == S.PARENT_CONVERSATION_LOGGED


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "spaces"])
def test_withdrawing_a_request_needs_a_reason(walk, dsl, reason):
    concern = walk.claimed()
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        withdraw_advice_request(walk.request(concern), by=dsl, reason=reason)
    assert refused.value.field == "reason"
    assert snapshot() == before


def test_a_withdrawn_request_cannot_be_claimed_or_answered(walk, dsl, hub_advisor):
    concern = walk.claimed()
    withdraw_advice_request(walk.request(concern), by=dsl, reason="Resolved")
    with pytest.raises(TransitionRefused, match="withdrawn"):
        give_advice(walk.request(concern), by=hub_advisor, **given_advice())
    with pytest.raises(TransitionRefused):
        claim_advice_request(walk.request(concern), by=hub_advisor)


def test_a_stale_form_cannot_overwrite_a_newer_state(walk, hub_advisor, hub_manager):
    concern = walk.with_hub()
    request = walk.request(concern)
    loaded_version = request.version
    claim_advice_request(request, by=hub_advisor)
    release_advice_request(request, by=hub_advisor)
    before = snapshot()
    with pytest.raises(TransitionRefused, match="changed since you opened the page"):
        claim_advice_request(request, by=hub_manager, expected_version=loaded_version)
    assert snapshot() == before


def test_follow_up_advice_makes_a_second_request(walk, dsl):
    concern = walk.conversation_logged()
    request_hub_advice(concern, by=dsl, **advice_data(summary="Follow-up"))
    assert AdviceRequest.objects.filter(concern=concern).count() == 2
    concern.refresh_from_db()
    assert concern.status == S.WITH_HUB


def test_hub_of_another_authority_cannot_claim(walk, other_la_advisor):
    concern = walk.with_hub()
    before = snapshot()
    with pytest.raises(TransitionRefused, match="this school's local authority"):
        claim_advice_request(walk.request(concern), by=other_la_advisor)
    assert snapshot() == before


def test_due_time_uses_working_hours(clock, walk, dsl):
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # GMT in November
    # Recorded then too: recorded now, the concern seen an hour before 4pm on that Friday was
    # refused as not yet seen on any day before it.
    clock.moment = friday_4pm
    concern = walk.recorded(observed_at=friday_4pm - timedelta(hours=1))
    request = request_hub_advice(concern, by=dsl, **advice_data(urgency="red"))
    assert request.due_at == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_the_advisor_whose_claim_a_manager_releases_is_told_they_need_not_answer_it(
    walk, hub_manager
):
    # Ada, who claimed it and may be halfway through her advice, learnt only when hers was
    # refused as unclaimed, by which time a colleague may have claimed it.
    concern = walk.with_hub(urgency="red")
    ada = claim_advice_request(walk.request(concern), by=walk.advisor).claimed_by
    Notification.objects.all().delete()
    release_advice_request(walk.request(concern), by=hub_manager)
    told = Notification.objects.get()
    assert (told.kind, told.recipient) == ("advice_released_away", ada.email)
    assert hub_manager.full_name in told.body
    assert "back to the hub's queue" in told.body
    assert f"/hub/requests/{walk.request(concern).pk}/" in told.body
    assert not told.urgent
    assert concern.pupil.family_name not in told.subject + told.body
    assert concern.pupil.given_name not in told.subject + told.body


def test_an_advisor_releasing_their_own_claim_is_not_emailed_about_it(walk):
    concern = walk.claimed()
    Notification.objects.all().delete()
    release_advice_request(walk.request(concern), by=walk.advisor)
    assert not Notification.objects.exists()
