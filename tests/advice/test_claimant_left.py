"""A hub advisor leaves (an LA admin ends their hub role, or the service's operators switch
their account off) with advice requests claimed: nobody is working on them, and a red one is
due in 4 working hours. Each counts as unclaimed: anyone at the hub claims it, the queue shows
it as nobody's, and the page ending the role says how many go back to the queue."""

import re

import pytest
from django.urls import reverse

from advice.models import AdviceRequest, AdviceStatus, claimant_left, claims_lapsed_at
from audit.models import AuditEvent
from schools.models import Role
from schools.services import add_member, end_membership
from tests.factories import member
from tests.notices import notice, words
from tests.walk import given_advice
from workflow.advice import (
    claim_advice_request,
    give_advice,
    reassign_advice_request,
    release_advice_request,
    rerate_advice_request,
    withdraw_advice_request,
)
from workflow.concerns import add_addendum
from workflow.exceptions import TransitionRefused
from workflow.models import Notification
from workflow.rules import Action

QUEUE = reverse("advice:queue")


def leave_by_role_ended(user, authority, la_admin):
    for membership in user.memberships.filter(local_authority=authority, is_active=True):
        end_membership(membership, by=la_admin)


def leave_by_account_switched_off(user, authority, la_admin):
    user.is_active = False
    user.save(update_fields=["is_active"])


WAYS_TO_LEAVE = pytest.mark.parametrize(
    "leave", [leave_by_role_ended, leave_by_account_switched_off], ids=["role", "account"]
)


@pytest.fixture
def leaver(authority):
    return member(Role.HUB_ADVISOR, authority, full_name="Lee Leaver")


@pytest.fixture
def left_request(cases, school, leaver):
    request = cases.request(school, "red")
    cases.claimed(request, leaver)
    return request


@WAYS_TO_LEAVE
def test_an_advisor_claims_a_request_whose_claimant_has_left_and_the_history_says_so(
    left_request, leaver, hub_advisor, authority, la_admin, leave
):
    leave(leaver, authority, la_admin)
    claimed = claim_advice_request(left_request, by=hub_advisor)
    claimed.refresh_from_db()
    assert (claimed.status, claimed.claimed_by) == (AdviceStatus.CLAIMED, hub_advisor)
    event = claimed.events.filter(action=Action.CLAIM).latest("at", "pk")
    assert (event.actor, event.note) == (hub_advisor, "Taken from Lee Leaver, who has left the hub")
    audit = AuditEvent.objects.filter(action="workflow.claim_advice_request", actor=hub_advisor)
    assert audit.get().detail["taken_from"] == leaver.pk
    # The advisor who has it now answers it.
    give_advice(claimed, by=hub_advisor, **given_advice(), expected_version=claimed.version)
    claimed.refresh_from_db()
    assert (claimed.status, claimed.advised_by) == (AdviceStatus.ANSWERED, hub_advisor)


def test_a_claim_held_by_someone_still_at_the_hub_is_not_taken_over(
    left_request, leaver, hub_advisor, hub_manager, authority, la_admin
):
    # Still a hub manager there: their advisor's role ended, they have not left the hub.
    manager_role = member(Role.HUB_MANAGER, authority).memberships.get()
    manager_role.user = leaver
    manager_role.save()
    end_membership(leaver.memberships.get(role=Role.HUB_ADVISOR), by=la_admin)
    with pytest.raises(TransitionRefused) as refused:
        claim_advice_request(left_request, by=hub_advisor)
    assert "Lee Leaver claimed this request on" in words(refused.value.message)
    left_request.refresh_from_db()
    assert left_request.claimed_by == leaver


def test_a_leavers_claim_at_another_authority_is_still_theirs_there(
    cases, other_la_school, other_authority, other_la_advisor, authority, la_admin, leaver
):
    """Leaving one authority's hub does not free requests they hold at another's."""
    role_there = member(Role.HUB_ADVISOR, other_authority).memberships.get()
    role_there.user = leaver
    role_there.save()
    request = cases.request(other_la_school, "red")
    cases.claimed(request, leaver)
    leave_by_role_ended(leaver, authority, la_admin)
    with pytest.raises(TransitionRefused):
        claim_advice_request(request, by=other_la_advisor)


def row_of(page, advice_request):
    """What the queue's row for `advice_request` says, cell by cell."""
    (row,) = [row for row in page.split("<tr") if advice_request.concern.reference in row]
    return [words(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def counted(response, which):
    """The counts the queue shows beside its filters, by label."""
    return {kind.label: count for kind, count, _ in response.context[which]}


def open_and_claimed(response):
    counts = counted(response, "status_counts")
    return counts["Open"], counts["Claimed"]


@WAYS_TO_LEAVE
def test_the_queue_shows_a_leavers_request_as_nobodys_and_open_and_its_filters_agree(
    cases,
    school,
    left_request,
    leaver,
    hub_advisor,
    hub_manager,
    authority,
    la_admin,
    client_for,
    leave,
):
    """One story: a request nobody is working on reads 'Open' beside 'Nobody yet', not
    'Claimed'; 'Nobody yet' and 'Open' find it, 'Claimed' does not."""
    held = cases.request(school, "amber")
    cases.claimed(held, hub_manager)
    unclaimed = cases.request(school, "green")
    leave(leaver, authority, la_admin)
    client = client_for(hub_advisor)

    page = client.get(QUEUE).content.decode()
    assert 'Nobody yet (<span dir="auto">Lee Leaver</span> has left the hub)' in page
    assert row_of(page, left_request)[-2:] == ["Open", "Nobody yet (Lee Leaver has left the hub)"]
    assert row_of(page, held)[-2:] == ["Claimed", hub_manager.full_name]

    nobodys = client.get(f"{QUEUE}?status=open&status=claimed&claimed=nobody")
    assert {row.pk for row in nobodys.context["page"].rows} == {left_request.pk, unclaimed.pk}
    assert open_and_claimed(nobodys) == (2, 0)

    only_open = client.get(f"{QUEUE}?status=open&claimed=any")
    assert {row.pk for row in only_open.context["page"].rows} == {left_request.pk, unclaimed.pk}
    assert open_and_claimed(only_open) == (2, 1)
    assert counted(only_open, "urgency_counts") == {"Red": 1, "Amber": 0, "Green": 1}
    only_claimed = client.get(f"{QUEUE}?status=claimed&claimed=any")
    assert [row.pk for row in only_claimed.context["page"].rows] == [held.pk]
    assert counted(only_claimed, "urgency_counts") == {"Red": 0, "Amber": 1, "Green": 0}


def test_a_claim_that_lapsed_is_not_under_claimed_by_me_when_its_advisor_comes_back(
    cases, school, left_request, leaver, authority, la_admin, client_for
):
    leave_by_role_ended(leaver, authority, la_admin)
    add_member(authority, by=la_admin, email=leaver.email, role=Role.HUB_ADVISOR, full_name="Lee")
    since = cases.request(school, "amber")
    cases.claimed(since, leaver)
    response = client_for(leaver).get(f"{QUEUE}?status=open&status=claimed&claimed=me")
    assert [row.pk for row in response.context["page"].rows] == [since.pk]
    assert open_and_claimed(response) == (0, 1)


@WAYS_TO_LEAVE
def test_the_request_page_reads_open_and_offers_only_claiming_a_leavers_request(
    left_request, leaver, hub_manager, authority, la_admin, client_for, leave
):
    """A hub manager, who may release and reassign, is offered to claim or reassign it: not
    to release a claim nobody holds."""
    leave(leaver, authority, la_admin)
    page = client_for(hub_manager).get(reverse("advice:detail", args=[left_request.pk]))
    said = words(page.content.decode())
    assert "Status Open Claimed by Nobody yet: Lee Leaver claimed it on" in " ".join(said.split())
    assert "Claim this request" in said
    assert "Reassign" in said
    assert "Release it to the queue" not in said
    assert "Give advice" not in said


def test_the_schools_page_says_a_leavers_request_is_open(
    cases, school, left_request, leaver, authority, la_admin, client_for
):
    leave_by_role_ended(leaver, authority, la_admin)
    dsl = cases.people(school)[1]
    page = client_for(dsl).get(reverse("concerns:detail", args=[left_request.concern.pk]))
    now = re.search(r"Request now</dt>\s*<dd[^>]*>(.*?)</dd>", page.content.decode()).group(1)
    assert words(now) == "Open"


def test_an_advisor_back_at_the_hub_claims_their_lapsed_claim_again_before_answering_it(
    left_request, leaver, authority, la_admin, client_for
):
    """Their claim lapsed when they left (the request went back to the queue for anyone):
    back, they answer it only once they have claimed it again, as anyone else would."""
    leave_by_role_ended(leaver, authority, la_admin)
    add_member(authority, by=la_admin, email=leaver.email, role=Role.HUB_ADVISOR, full_name="Lee")
    with pytest.raises(TransitionRefused) as refused:
        give_advice(left_request, by=leaver, **given_advice())
    assert "the claim lapsed when they left the hub" in words(refused.value.message)
    assert "claim it first" in words(refused.value.message)
    left_request.refresh_from_db()
    assert left_request.status == AdviceStatus.CLAIMED
    assert not left_request.advice

    client = client_for(leaver)
    page = client.get(reverse("advice:advise", args=[left_request.pk]), follow=True)
    assert "the claim lapsed when they left the hub" in notice(page.content.decode())
    claimed = claim_advice_request(left_request, by=leaver)
    event = claimed.events.filter(action=Action.CLAIM).latest("at", "pk")
    assert event.note == "Claimed again on coming back: the claim lapsed when they left the hub"
    claimed.refresh_from_db()
    give_advice(claimed, by=leaver, **given_advice(), expected_version=claimed.version)
    claimed.refresh_from_db()
    assert (claimed.status, claimed.advised_by) == (AdviceStatus.ANSWERED, leaver)


@WAYS_TO_LEAVE
def test_the_request_page_offers_claim_on_a_leavers_request_and_the_claim_goes_through(
    left_request, leaver, hub_advisor, authority, la_admin, client_for, leave
):
    client = client_for(hub_advisor)
    detail = reverse("advice:detail", args=[left_request.pk])
    before = client.get(detail).content.decode()
    assert "Claim this request</button>" not in before  # Lee is still at the hub
    leave(leaver, authority, la_admin)

    page = client.get(detail).content.decode()
    assert "Claim this request</button>" in page
    assert "has left the hub, so anyone at the hub can claim it" in words(page)
    response = client.post(reverse("advice:claim", args=[left_request.pk]), follow=True)
    assert "You have claimed this request" in response.content.decode()
    left_request.refresh_from_db()
    assert left_request.claimed_by == hub_advisor


def test_ending_a_hub_advisors_role_says_how_many_claimed_requests_go_back_to_the_queue(
    cases, school, leaver, la_admin, client_for, hub_advisor
):
    for urgency in ("red", "amber"):
        cases.claimed(cases.request(school, urgency), leaver)
    cases.answered(cases.request(school, "green"), leaver)  # answered: nothing goes back
    cases.claimed(cases.request(school, "green"), hub_advisor)  # someone else's
    end = reverse("people:end", args=[leaver.memberships.get().pk])
    page = words(client_for(la_admin).get(end).content.decode())
    assert (
        "They have claimed 2 advice requests that have not been answered. When the role ends, "
        "they go back to the hub's queue for anyone at the hub to claim." in page
    )
    other = reverse("people:end", args=[hub_advisor.memberships.get().pk])
    assert "advice request that has not been answered. When the role ends, it goes back" in (
        words(client_for(la_admin).get(other).content.decode())
    )


def test_a_leaver_given_the_role_again_does_not_silently_take_back_their_old_claim(
    cases, school, left_request, leaver, hub_advisor, authority, la_admin, client_for
):
    # Ending the role told the LA admin the request goes back to the queue for anyone at the
    # hub: given the role again weeks later, it does not leave the queue for them again, with
    # nobody told, and they are not emailed as if they had it.
    leave_by_role_ended(leaver, authority, la_admin)
    add_member(authority, by=la_admin, email=leaver.email, role=Role.HUB_ADVISOR, full_name="Lee")
    response = client_for(hub_advisor).get(f"{QUEUE}?status=open&status=claimed&claimed=nobody")
    assert [row.pk for row in response.context["page"].rows] == [left_request.pk]
    assert "Lee Leaver</span> has left the hub" in response.content.decode()
    Notification.objects.all().delete()
    add_addendum(left_request.concern, by=cases.people(school)[1], text="Mum rang again.")
    assert not Notification.objects.filter(user=leaver).exists()
    claimed = claim_advice_request(left_request, by=hub_advisor)
    claimed.refresh_from_db()
    assert claimed.claimed_by == hub_advisor
    # What they claim once back is theirs.
    later = cases.request(school, "amber")
    cases.claimed(later, leaver)
    with pytest.raises(TransitionRefused):
        claim_advice_request(later, by=hub_advisor)


def test_a_hub_manager_cannot_release_a_lapsed_claim_nobody_holds_but_can_reassign_it(
    left_request, leaver, hub_manager, hub_advisor, authority, la_admin
):
    leave_by_role_ended(leaver, authority, la_admin)
    with pytest.raises(TransitionRefused) as refused:
        release_advice_request(left_request, by=hub_manager)
    assert "Nobody has it now: claim it first." in words(refused.value.message)
    left_request.refresh_from_db()
    assert (left_request.status, left_request.claimed_by) == (AdviceStatus.CLAIMED, leaver)
    reassign_advice_request(left_request, by=hub_manager, to=hub_advisor)
    left_request.refresh_from_db()
    assert (left_request.status, left_request.claimed_by) == (AdviceStatus.CLAIMED, hub_advisor)


def test_a_hub_manager_gives_a_lapsed_claim_back_to_its_advisor_once_they_are_back(
    left_request, leaver, hub_manager, authority, la_admin, client_for
):
    """Their claim lapsed when they left: nobody has the request, so they do not 'already
    have' it, and the manager may give it back to them."""
    leave_by_role_ended(leaver, authority, la_admin)
    add_member(authority, by=la_admin, email=leaver.email, role=Role.HUB_ADVISOR, full_name="Lee")
    left_request.refresh_from_db()
    response = client_for(hub_manager).post(
        reverse("advice:reassign", args=[left_request.pk]),
        {"expected_version": left_request.version, "to": leaver.pk, "reason": "Back from leave."},
    )
    assert response.status_code == 302
    left_request.refresh_from_db()
    assert (left_request.status, left_request.claimed_by) == (AdviceStatus.CLAIMED, leaver)
    event = left_request.events.filter(action=Action.REASSIGN).get()
    assert event.note == "Reassigned to Lee Leaver: Back from leave."
    # Theirs again: they answer it without claiming it first.
    give_advice(left_request, by=leaver, **given_advice(), expected_version=left_request.version)
    left_request.refresh_from_db()
    assert left_request.status == AdviceStatus.ANSWERED


def test_giving_a_lapsed_claim_back_from_an_out_of_date_page_is_not_told_it_was_done(
    left_request, leaver, hub_manager, authority, la_admin, client_for
):
    """Lee's name is on the request, but their claim lapsed: the page was out of date, and
    nothing was reassigned, whatever a second click would look like."""
    leave_by_role_ended(leaver, authority, la_admin)
    add_member(authority, by=la_admin, email=leaver.email, role=Role.HUB_ADVISOR, full_name="Lee")
    left_request.refresh_from_db()
    drawn_at = left_request.version
    rerate_advice_request(left_request, by=hub_manager, urgency="amber", reason="Less urgent.")
    response = client_for(hub_manager).post(
        reverse("advice:reassign", args=[left_request.pk]),
        {"expected_version": drawn_at, "to": leaver.pk},
        follow=True,
    )
    assert "has been reassigned" not in words(response.content.decode())
    assert "has changed since you opened the page" in response.context["form"].errors["__all__"][0]
    left_request.refresh_from_db()
    assert not left_request.events.filter(action=Action.REASSIGN).exists()


def test_the_queue_as_it_opens_counts_a_claim_made_before_a_leaver_came_back_as_open(
    cases, school, left_request, leaver, hub_advisor, authority, la_admin, client_for
):
    leave_by_role_ended(leaver, authority, la_admin)
    add_member(authority, by=la_admin, email=leaver.email, role=Role.HUB_ADVISOR, full_name="Lee")
    since = cases.request(school, "amber")
    cases.claimed(since, leaver)
    response = client_for(hub_advisor).get(QUEUE)
    assert open_and_claimed(response) == (1, 1)
    assert counted(response, "urgency_counts") == {"Red": 1, "Amber": 1, "Green": 0}


@WAYS_TO_LEAVE
def test_the_counts_condition_agrees_with_claimant_left_on_every_request(
    cases,
    school,
    other_la_school,
    other_authority,
    left_request,
    leaver,
    hub_manager,
    authority,
    la_admin,
    leave,
):
    """The queue's counts read who has left from the hub's roles first (`claims_lapsed_at`):
    for each request, the same answer as `claimant_left`, which asks for each row."""
    held = cases.request(school, "amber")
    cases.claimed(held, hub_manager)
    cases.request(school, "green")  # nobody's
    role_there = member(Role.HUB_ADVISOR, other_authority).memberships.get()
    role_there.user = leaver
    role_there.save()
    there = cases.request(other_la_school, "red")
    cases.claimed(there, leaver)
    leave(leaver, authority, la_admin)
    if leave is leave_by_role_ended:  # back at the hub, with a claim made since
        add_member(authority, by=la_admin, email=leaver.email, role=Role.HUB_ADVISOR, full_name="L")
        cases.claimed(cases.request(school, "red"), leaver)

    def lapsed(place):
        requests = AdviceRequest.objects.filter(local_authority=place)
        by_row = requests.annotate(left=claimant_left()).filter(left=True)
        by_roles = requests.filter(claims_lapsed_at(place.pk))
        assert set(by_roles.values_list("pk", flat=True)) == set(
            by_row.values_list("pk", flat=True)
        )
        return set(by_roles.values_list("pk", flat=True))

    assert lapsed(authority) == {left_request.pk}
    # Switched off, their account is gone from every hub; a role ended, from that one only.
    assert lapsed(other_authority) == (set() if leave is leave_by_role_ended else {there.pk})


def test_a_lapsed_claim_made_red_is_told_to_the_hub_not_to_its_returning_claimant_as_theirs(
    cases, school, leaver, hub_manager, authority, la_admin
):
    """Lee left with the request and came back: nobody has it. Made red, it must reach the hub,
    which otherwise waits for Lee to answer a request Lee does not know is theirs again."""
    request = cases.request(school, "amber")
    cases.claimed(request, leaver)
    leave_by_role_ended(leaver, authority, la_admin)
    add_member(authority, by=la_admin, email=leaver.email, role=Role.HUB_ADVISOR, full_name="Lee")
    Notification.objects.all().delete()

    rerate_advice_request(request, by=hub_manager, urgency="red", reason="A knife at school.")

    told = Notification.objects.get()
    assert (told.kind, told.recipient, told.urgent) == ("advice_rerated", authority.hub_email, True)


@WAYS_TO_LEAVE
def test_a_red_request_withdrawn_after_its_claimant_left_is_told_to_the_hub(
    left_request, leaver, dsl, authority, la_admin, leave
):
    """The queue shows it as nobody's and urgent: without a word someone would pick it up."""
    leave(leaver, authority, la_admin)
    Notification.objects.all().delete()

    withdraw_advice_request(left_request, by=dsl, reason="Sent in error")

    told = Notification.objects.get()
    assert (told.kind, told.recipient) == ("advice_withdrawn", authority.hub_email)
    assert "Nobody need answer it" in told.body
