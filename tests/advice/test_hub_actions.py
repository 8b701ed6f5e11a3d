"""The moves on a request, through the pages: claim, release, reassign, change urgency, give
advice, escalate. The workflow decides; these tests check the pages ask it, show its answer
and never lose what was typed."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceRequest, AdviceStatus
from advice.views import moves as advice_moves
from audit.models import AuditEvent
from concerns.models import ConcernStatus, Escalation
from safeguarding.clock import written
from schools.models import Role
from tests.factories import member
from tests.notices import notice, words
from tests.walk import advice_data, closing, escalation_data, snapshot
from workflow.advice import (
    claim_advice_request,
    reassign_advice_request,
    release_advice_request,
    request_hub_advice,
    rerate_advice_request,
    withdraw_advice_request,
)
from workflow.concerns import (
    add_addendum,
    close_concern,
    escalate_significant_harm,
    record_escalation_outcome,
)
from workflow.exceptions import TransitionRefused
from workflow.models import Notification, WorkflowEvent
from workflow.working_time import add_working_hours

MOVES = ["claim", "release", "reassign", "rerate", "advise", "escalate"]
MOVES_DONE = {name: move.done for name, move in advice_moves.MOVES.items()}
MOVES_DONE["reassign"] = "The request has been reassigned to you."  # as the tests reassign
MANAGER_ONLY = ["reassign", "rerate"]


def url(name, request):
    return reverse(f"advice:{name}", args=[request.pk])


def fresh(request):
    return AdviceRequest.objects.select_related("concern").get(pk=request.pk)


def errors(response):
    return response.context["form"].errors


@pytest.fixture
def open_request(walk):
    return walk.request(walk.with_hub())


@pytest.fixture
def claimed(open_request, hub_advisor):
    return claim_advice_request(open_request, by=hub_advisor)


def advice_post(request, **overrides):
    data = {
        "expected_version": request.version,
        "expected_concern_version": request.concern.version,
        "advice": "Talk with mum about breakfast club; offer an early help assessment.",
        "next_step": "early_help",
        "level_of_need": "2",
        "follow_up_on_0": "",
        "follow_up_on_1": "",
        "follow_up_on_2": "",
    }
    data.update(overrides)
    return data


def on_day(day):
    """The follow-up date's three boxes."""
    return {
        "follow_up_on_0": str(day.day),
        "follow_up_on_1": str(day.month),
        "follow_up_on_2": str(day.year),
    }


def escalation_post(concern, **overrides):
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "expected_version": concern.version,
        "indicators": "Amelia has told the advisor she is afraid to go home tonight.",
        "referred_to": "csc",
        "referred_on_0": str(yesterday.day),
        "referred_on_1": str(yesterday.month),
        "referred_on_2": str(yesterday.year),
        "referred_time": "2:15pm",
        "spoken_to": "MASH duty social worker",
        "reference_number": "MASH-778",
        "parent_informed": "no",
        "parent_not_informed_reason": "Telling them could place Amelia at risk.",
    }
    data.update(overrides)
    return data


# Who may use the move pages


def assert_only_refusals_audited(before, refusals):
    """Nothing changed but the audit rows recording each refusal."""
    after = snapshot()
    assert after["counts"].pop("AuditEvent") == before["counts"].pop("AuditEvent") + refusals
    assert after == before
    assert AuditEvent.objects.filter(action="access.denied").count() == refusals


@pytest.mark.parametrize("name", MOVES)
def test_anonymous_visitor_is_sent_to_sign_in(client, open_request, name):
    response = client.get(url(name, open_request))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["teacher", "dsl", "deputy_dsl", "head", "la_admin"])
@pytest.mark.parametrize("name", MOVES)
def test_school_roles_and_la_admins_are_refused_every_move(
    request, client_for, open_request, persona, name
):
    client = client_for(request.getfixturevalue(persona))
    before = snapshot()
    assert client.get(url(name, open_request)).status_code == 403
    assert client.post(url(name, open_request), {"expected_version": 1}).status_code == 403
    assert_only_refusals_audited(before, 2)


@pytest.mark.parametrize("name", MOVES)
def test_another_authoritys_hub_manager_gets_not_found(
    client_for, open_request, other_authority, name
):
    client = client_for(member(Role.HUB_MANAGER, other_authority))
    before = snapshot()
    assert client.get(url(name, open_request)).status_code == 404
    assert client.post(url(name, open_request), {"expected_version": 1}).status_code == 404
    assert snapshot()["requests"] == before["requests"]
    assert AuditEvent.objects.filter(action="access.denied").count() == 2


@pytest.mark.parametrize("name", MANAGER_ONLY)
def test_advisors_are_refused_the_managers_moves(client_for, open_request, hub_advisor, name):
    client = client_for(hub_advisor)
    before = snapshot()
    assert client.get(url(name, open_request)).status_code == 403
    data = {"expected_version": open_request.version, "to": hub_advisor.pk, "urgency": "red"}
    assert client.post(url(name, open_request), data | {"reason": "Because"}).status_code == 403
    assert_only_refusals_audited(before, 2)


# Claim and release


def test_an_advisor_claims_a_request(client_for, open_request, hub_advisor):
    response = client_for(hub_advisor).post(url("claim", open_request), follow=True)
    assert response.redirect_chain == [(reverse("advice:detail", args=[open_request.pk]), 302)]
    assert "You have claimed this request" in response.content.decode()
    request = fresh(open_request)
    assert (request.status, request.claimed_by) == (AdviceStatus.CLAIMED, hub_advisor)
    assert AuditEvent.objects.filter(action="workflow.claim_advice_request").count() == 1


def test_the_second_advisor_to_claim_is_told_who_claimed_it_and_when(
    client_for, open_request, hub_advisor, hub_manager
):
    late = client_for(hub_advisor)
    assert "Claim this request" in late.get(url("claim", open_request)).content.decode()
    assert client_for(hub_manager).post(url("claim", open_request)).status_code == 302

    response = late.post(url("claim", open_request))

    assert response.status_code == 200
    message = (
        f"Max Manager claimed this request on {written(fresh(open_request).claimed_at)}. "
        "It has not been taken over."
    )
    assert [words(e) for e in errors(response)["__all__"]] == [message]
    page = response.content.decode()
    assert "There is a problem" in page
    assert "<title>Error: " in page
    assert fresh(open_request).claimed_by == hub_manager


def test_opening_claim_on_a_claimed_request_goes_back_to_it_and_says_who_has_it(
    client_for, claimed, hub_manager
):
    response = client_for(hub_manager).get(url("claim", claimed), follow=True)
    assert response.redirect_chain == [(reverse("advice:detail", args=[claimed.pk]), 302)]
    assert "Ada Advisor has already claimed this request." in notice(response.text)


def test_the_claimant_releases_a_request_to_the_queue(client_for, claimed, hub_advisor):
    response = client_for(hub_advisor).post(
        url("release", claimed), {"expected_version": claimed.version}
    )
    assert response.status_code == 302
    request = fresh(claimed)
    assert (request.status, request.claimed_by) == (AdviceStatus.OPEN, None)


def test_a_manager_releases_an_advisors_claim(client_for, claimed, hub_manager):
    client_for(hub_manager).post(url("release", claimed), {"expected_version": claimed.version})
    assert fresh(claimed).status == AdviceStatus.OPEN


def test_a_release_from_a_stale_page_is_refused(client_for, claimed, hub_advisor, hub_manager):
    stale_version = claimed.version
    rerate_advice_request(claimed, by=hub_manager, urgency="red", reason="Disclosure at lunch.")
    response = client_for(hub_advisor).post(
        url("release", claimed), {"expected_version": stale_version}
    )
    assert response.status_code == 200
    assert "has changed since you opened the page" in errors(response)["__all__"][0]
    assert fresh(claimed).claimed_by == hub_advisor


def test_a_release_from_a_page_drawn_before_a_reassignment_says_who_has_it_now(
    client_for, claimed, hub_advisor, hub_manager
):
    """Not that only the advisor who claimed it can release it: Ada did claim it."""
    sent = {"expected_version": claimed.version}
    reassign_advice_request(fresh(claimed), by=hub_manager, to=hub_manager)
    client = client_for(hub_advisor)

    response = client.post(url("release", claimed), sent)

    said = [words(e) for e in errors(response)["__all__"]]
    assert said == ["Max Manager has this request now. Only they or a hub manager can release it."]
    assert "Release it to the queue" not in response.text
    assert fresh(claimed).claimed_by == hub_manager
    opened = client.get(url("release", claimed), follow=True)
    assert [words(str(m)) for m in opened.context["messages"]] == [
        "Max Manager has this request now."
    ]


# Reassign and change urgency (hub managers)


def test_a_manager_reassigns_to_an_advisor_of_the_same_hub(
    client_for, open_request, hub_manager, hub_advisor, other_la_advisor
):
    client = client_for(hub_manager)
    form_page = client.get(url("reassign", open_request)).content.decode()
    assert "Ada Advisor" in form_page
    assert other_la_advisor.full_name not in form_page

    response = client.post(
        url("reassign", open_request),
        {
            "expected_version": open_request.version,
            "to": hub_advisor.pk,
            "reason": "Ada knows the family.",
        },
        follow=True,
    )

    # The manager is told to whom it went, and that they have been told.
    assert [words(m.message) for m in response.context["messages"]] == [
        "The request has been reassigned to Ada Advisor, who has been emailed to say so."
    ]
    assert Notification.objects.get(kind="advice_reassigned").recipient == hub_advisor.email
    request = fresh(open_request)
    assert (request.status, request.claimed_by) == (AdviceStatus.CLAIMED, hub_advisor)
    page = client.get(reverse("advice:detail", args=[request.pk])).content.decode()
    assert "Reassigned to Ada Advisor: Ada knows the family." in page


def test_reassigning_to_the_advisor_who_has_it_is_refused_beside_the_choice(
    client_for, claimed, hub_manager, hub_advisor
):
    # Nothing would change but a line in the history and an email telling Ada she has been
    # given a request she is already working on.
    Notification.objects.all().delete()
    response = client_for(hub_manager).post(
        url("reassign", claimed),
        {"expected_version": claimed.version, "to": hub_advisor.pk, "reason": "Ada's patch."},
    )
    assert response.status_code == 200
    assert [words(e) for e in errors(response)["to"]] == [
        "Ada Advisor already has this request. Choose someone else"
    ]
    assert "Ada&#x27;s patch." in response.content.decode()  # what was typed is kept
    request = fresh(claimed)
    assert (request.version, request.claimed_at) == (claimed.version, claimed.claimed_at)
    assert not request.events.filter(action="reassign_advice_request").exists()
    assert not Notification.objects.exists()


def test_a_former_advisor_of_the_hub_is_not_offered_for_reassignment(
    client_for, open_request, hub_manager, authority
):
    former = member(Role.HUB_ADVISOR, authority, full_name="Fern Former")
    former.memberships.update(is_active=False)  # their hub role has ended
    client = client_for(hub_manager)
    assert "Fern Former" not in client.get(url("reassign", open_request)).text
    before = snapshot()
    response = client.post(
        url("reassign", open_request),
        {"expected_version": open_request.version, "to": former.pk},
    )
    assert errors(response)["to"] == ["Select someone from this authority's Early Help Hub"]
    assert snapshot() == before


def test_a_request_cannot_be_given_to_another_authoritys_advisor(
    client_for, open_request, hub_manager, other_la_advisor
):
    before = snapshot()
    response = client_for(hub_manager).post(
        url("reassign", open_request),
        {"expected_version": open_request.version, "to": other_la_advisor.pk},
    )
    assert errors(response)["to"] == ["Select someone from this authority's Early Help Hub"]
    assert snapshot() == before


def test_a_manager_changes_the_urgency_and_the_due_time_follows(
    client_for, open_request, hub_manager
):
    client = client_for(hub_manager)
    response = client.post(
        url("rerate", open_request),
        {
            "expected_version": open_request.version,
            "urgency": "red",
            "reason": "The school has since learned of a threat.",
        },
    )
    assert response.status_code == 302
    request = fresh(open_request)
    assert request.urgency == "red"
    assert request.due_at == add_working_hours(request.requested_at, 4)
    page = client.get(reverse("advice:detail", args=[request.pk])).content.decode()
    assert "Urgency Amber to Red: The school has since learned of a threat." in page


def test_changing_the_urgency_needs_a_reason_and_a_different_urgency(
    client_for, open_request, hub_manager
):
    client = client_for(hub_manager)
    before = snapshot()
    no_reason = client.post(
        url("rerate", open_request), {"expected_version": open_request.version, "urgency": "red"}
    )
    assert errors(no_reason)["reason"] == ["Enter why the urgency is changing"]
    same = client.post(
        url("rerate", open_request),
        {"expected_version": open_request.version, "urgency": "amber", "reason": "Checked."},
    )
    assert errors(same)["urgency"] == ["Choose a different urgency from the current one"]
    assert same.context["form"]["reason"].value() == "Checked."
    assert "Checked.</textarea>" in same.content.decode()
    assert snapshot() == before


# Give advice (the claimant only)


def test_the_advice_form_explains_each_level_of_need(client_for, claimed, hub_advisor):
    page = client_for(hub_advisor).get(url("advise", claimed)).content.decode()
    for hint in [
        "Universal services meet the child&#x27;s needs.",
        "Early help: additional needs, met with the family&#x27;s consent.",
        "Targeted or complex needs: a multi-agency response.",
        "Specialist or statutory: a child in need or child protection.",
    ]:
        assert hint in page
    assert "Should we talk to mum?" in page  # the school's question, beside the answer
    # Showing the school's words about the child is a read of the child's record.
    assert AuditEvent.objects.filter(action="advicerequest.view", actor=hub_advisor).count() == 1


def test_the_claimant_gives_advice_and_the_schools_dsls_are_told(
    client_for, claimed, hub_advisor, dsl, deputy_dsl
):
    follow_up = timezone.localdate() + timedelta(days=14)
    response = client_for(hub_advisor).post(
        url("advise", claimed), advice_post(claimed, **on_day(follow_up))
    )
    assert response.status_code == 302
    request = fresh(claimed)
    assert request.status == AdviceStatus.ANSWERED
    assert request.concern.status == ConcernStatus.ADVICE_RECEIVED
    assert request.advice.startswith("Talk with mum about breakfast club")
    assert (request.recommended_next_step, request.level_of_need) == ("early_help", 2)
    assert request.follow_up_on == follow_up
    assert (request.advised_by, request.advised_at is not None) == (hub_advisor, True)
    told = Notification.objects.filter(kind="advice_given")
    assert sorted(told.values_list("recipient", flat=True)) == sorted([dsl.email, deputy_dsl.email])
    for notification in told:
        assert "Amelia" not in notification.subject + notification.body
        assert "breakfast" not in notification.body


def test_someone_who_has_not_claimed_it_is_told_who_has_it_and_keeps_what_they_typed(
    client_for, claimed, hub_manager
):
    client = client_for(hub_manager)
    redirected = client.get(url("advise", claimed))
    assert redirected.status_code == 302
    before = snapshot()

    response = client.post(url("advise", claimed), advice_post(claimed))

    assert response.status_code == 200
    # Not "claim it first": it is claimed.
    assert [words(e) for e in errors(response)["__all__"]] == [
        "Ada Advisor has this request now. Nothing was saved."
    ]
    page = response.content.decode()
    assert "Talk with mum about breakfast club; offer an early help assessment." in page
    assert "Send the advice to the school" not in page  # no button that cannot work
    after = snapshot()
    # Nothing was written but the audit of the page that showed the school's question.
    assert after["counts"].pop("AuditEvent") == before["counts"].pop("AuditEvent") + 1
    assert after == before
    assert AuditEvent.objects.latest("pk").action == "advicerequest.view"


def test_missing_advice_is_shown_beside_each_field(client_for, claimed, hub_advisor):
    response = client_for(hub_advisor).post(
        url("advise", claimed),
        advice_post(claimed, advice="", next_step="", level_of_need=""),
    )
    assert errors(response) == {
        "advice": ["Enter your advice"],
        "next_step": ["Select the recommended next step"],
        "level_of_need": ["Select the level of need"],
    }
    assert fresh(claimed).status == AdviceStatus.CLAIMED


def test_a_follow_up_date_in_the_past_is_refused_beside_it(client_for, claimed, hub_advisor):
    last_week = timezone.localdate() - timedelta(days=7)
    response = client_for(hub_advisor).post(
        url("advise", claimed),
        advice_post(
            claimed,
            follow_up_on_0=str(last_week.day),
            follow_up_on_1=str(last_week.month),
            follow_up_on_2=str(last_week.year),
        ),
    )
    assert errors(response)["follow_up_on"] == ["The follow-up date must be today or later"]
    assert "offer an early help assessment" in response.content.decode()
    assert fresh(claimed).status == AdviceStatus.CLAIMED


def test_advice_from_a_stale_page_is_refused_kept_and_can_then_be_sent(
    client_for, claimed, hub_advisor, hub_manager
):
    client = client_for(hub_advisor)
    typed = advice_post(claimed)
    rerate_advice_request(claimed, by=hub_manager, urgency="red", reason="New disclosure.")

    refused = client.post(url("advise", claimed), typed)

    assert "has changed since you opened the page" in errors(refused)["__all__"][0]
    assert typed["advice"] in refused.content.decode()
    assert refused.context["form"]["expected_version"].value() == fresh(claimed).version
    assert fresh(claimed).status == AdviceStatus.CLAIMED
    # Having seen the page as it is now, the advisor sends the same advice again.
    again = client.post(
        url("advise", claimed),
        typed
        | {
            "expected_version": fresh(claimed).version,
            "expected_concern_version": fresh(claimed).concern.version,
        },
    )
    assert again.status_code == 302
    assert fresh(claimed).status == AdviceStatus.ANSWERED


def test_advice_from_a_page_drawn_before_the_school_escalated_is_refused_and_kept(
    client_for, claimed, hub_advisor, dsl
):
    client = client_for(hub_advisor)
    typed = advice_post(claimed)  # "Talk with the parent", typed on the page as it was
    escalate_significant_harm(
        fresh(claimed).concern, by=dsl, **escalation_data(parent_informed=False)
    )
    refused = client.post(url("advise", claimed), typed)
    assert "has changed since you opened the page" in errors(refused)["__all__"][0]
    assert typed["advice"] in refused.content.decode()
    assert fresh(claimed).status == AdviceStatus.CLAIMED
    form = refused.context["form"]
    assert form["expected_concern_version"].value() == fresh(claimed).concern.version
    again = client.post(
        url("advise", claimed),
        typed | {"expected_concern_version": form["expected_concern_version"].value()},
    )
    assert again.status_code == 302


def test_advice_from_a_page_drawn_before_an_addendum_is_refused(
    client_for, claimed, hub_advisor, dsl
):
    typed = advice_post(claimed)
    add_addendum(fresh(claimed).concern, by=dsl, text="Correction: it was her uncle, not dad.")
    refused = client_for(hub_advisor).post(url("advise", claimed), typed)
    assert "has changed since you opened the page" in errors(refused)["__all__"][0]
    assert fresh(claimed).status == AdviceStatus.CLAIMED


def test_advice_refused_as_out_of_date_shows_what_the_school_added_meanwhile(
    client_for, claimed, hub_advisor, dsl
):
    # The refused page carries the concern's new version, so the advisor could send the same
    # advice again at once: the page shows the correction it missed, to read before sending.
    client = client_for(hub_advisor)
    typed = advice_post(claimed)
    add_addendum(fresh(claimed).concern, by=dsl, text="Correction: it was her uncle, not dad.")
    views = AuditEvent.objects.filter(action="advicerequest.view").count()

    refused = client.post(url("advise", claimed), typed)

    page = refused.content.decode()
    missed = page.split("What has changed since you opened this page")[1].split("<form")[0]
    assert "Addendum added" in missed
    assert dsl.full_name in missed
    assert "Correction: it was her uncle, not dad." in missed
    assert typed["advice"] in page
    assert AuditEvent.objects.filter(action="advicerequest.view").count() == views + 1


@pytest.mark.parametrize("version", [0, -3_000_000])
@pytest.mark.parametrize(("move", "field"), [("advise", "expected_concern_version"),
                                             ("escalate", "expected_version")])  # fmt: skip
def test_a_version_no_page_carries_is_refused_as_out_of_date_listing_nothing(
    client_for, claimed, hub_advisor, dsl, move, field, version
):
    """The concern's version rides in a hidden field, but anyone can send any number there. One
    below 1 was taken as a page drawn before the concern began: the refusal counted every
    version from it, one by one, to say not every change could be listed (a number of 15 digits
    kept a server busy for days), or, too long for the database, was a server error."""
    typed = advice_post(claimed) if move == "advise" else escalation_post(claimed.concern)
    add_addendum(fresh(claimed).concern, by=dsl, text="Correction: it was her uncle, not dad.")
    refused = client_for(hub_advisor).post(url(move, claimed), typed | {field: version})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Not every change can be listed" not in page
    assert errors(refused)["__all__"]
    assert fresh(claimed).status == AdviceStatus.CLAIMED
    assert fresh(claimed).concern.status == ConcernStatus.WITH_HUB


def test_refused_as_out_of_date_the_error_summary_leads_to_what_changed(
    client_for, claimed, hub_advisor, dsl
):
    """The error says the concern has changed and to check it: its link in the error summary,
    which takes focus as the page loads, goes to what changed, where a keyboard or screen
    reader user reads it, not past it to the advice box below."""
    typed = advice_post(claimed)
    add_addendum(fresh(claimed).concern, by=dsl, text="Correction: it was her uncle, not dad.")
    page = client_for(hub_advisor).post(url("advise", claimed), typed).content.decode()
    summary = page.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    (target,) = re.findall(r'href="#([^"]+)"', summary)
    landing = re.search(rf'<(\w+)[^>]*\bid="{target}"[^>]*>(.*?)</\1>', page, re.S)
    assert landing.group(2) == "What has changed since you opened this page"
    assert page.index(landing.group(0)) < page.index("Correction: it was her uncle, not dad.")


def test_advice_refused_as_out_of_date_shows_a_change_of_urgency_and_its_reason(
    client_for, claimed, hub_advisor, hub_manager
):
    client = client_for(hub_advisor)
    typed = advice_post(claimed)
    rerate_advice_request(claimed, by=hub_manager, urgency="red", reason="A new disclosure.")

    page = client.post(url("advise", claimed), typed).content.decode()

    missed = page.split("What has changed since you opened this page")[1].split("<form")[0]
    assert "Urgency Amber to Red: A new disclosure." in missed
    assert hub_manager.full_name in missed


def test_what_changed_leaves_out_what_the_school_added_after_withdrawing_the_request(
    client_for, claimed, hub_advisor, dsl
):
    # A withdrawn request shares its concern as it stood then (docs/adr/008).
    typed = advice_post(claimed)
    add_addendum(fresh(claimed).concern, by=dsl, text="Mum has called the school.")
    withdraw_advice_request(fresh(claimed), by=dsl, reason="Mum has agreed to early help.")
    add_addendum(fresh(claimed).concern, by=dsl, text="Written after the withdrawal.")

    page = client_for(hub_advisor).post(url("advise", claimed), typed).content.decode()

    assert "The school has withdrawn this advice request." in page
    missed = page.split("What has changed since you opened this page")[1].split("<form")[0]
    assert "Mum has called the school." in missed
    assert "Mum has agreed to early help." in missed  # the withdrawal's own reason
    assert "Written after the withdrawal." not in page
    assert typed["advice"] in page


def test_advice_from_a_page_drawn_before_a_referrals_outcome_is_refused_and_lists_it(
    client_for, claimed, hub_advisor, dsl
):
    # The school referred the child to children's social care while the hub had the request;
    # the advisor's page was drawn before the school recorded that social care had opened a
    # child in need assessment. Advice sent without having seen that is refused, kept, and
    # the page says what came of the referral.
    escalation = escalate_significant_harm(fresh(claimed).concern, by=dsl, **escalation_data())
    typed = advice_post(fresh(claimed))
    record_escalation_outcome(
        escalation, by=dsl, outcome="other", details="Social worker allocated: Ms Okafor."
    )

    refused = client_for(hub_advisor).post(url("advise", claimed), typed)

    assert "has changed since you opened the page" in errors(refused)["__all__"][0]
    assert typed["advice"] in refused.content.decode()
    assert fresh(claimed).status == AdviceStatus.CLAIMED
    assert missed_labels(refused) == ["Escalation outcome recorded"]
    missed = refused.content.decode().split("What has changed since you opened this page")[1]
    missed = missed.split("<form")[0]
    assert "Other (referral to Children&#x27;s social care (MASH))" in missed
    assert "Social worker allocated: Ms Okafor." in missed
    assert dsl.full_name in missed
    form = refused.context["form"]
    again = client_for(hub_advisor).post(
        url("advise", claimed),
        typed | {"expected_concern_version": form["expected_concern_version"].value()},
    )
    assert again.status_code == 302


def test_what_changed_leaves_out_a_referrals_outcome_recorded_after_the_withdrawal(
    client_for, claimed, hub_advisor, dsl
):
    # A withdrawn request shares its concern as it stood then (docs/adr/008): what came of a
    # referral, learnt afterwards, is not the hub's to see.
    escalation = escalate_significant_harm(fresh(claimed).concern, by=dsl, **escalation_data())
    typed = advice_post(fresh(claimed))
    withdraw_advice_request(fresh(claimed), by=dsl, reason="Social care lead on this now.")
    record_escalation_outcome(escalation, by=dsl, outcome="section_47")

    refused = client_for(hub_advisor).post(url("advise", claimed), typed)

    page = refused.content.decode()
    assert missed_labels(refused) == ["Advice request withdrawn"]
    assert "Section 47" not in page
    assert "Escalation outcome recorded" not in page
    assert typed["advice"] in page


def test_advice_refused_for_a_mistake_alone_shows_no_changes(client_for, claimed, hub_advisor):
    page = client_for(hub_advisor).post(url("advise", claimed), advice_post(claimed, advice=""))
    assert "What has changed since you opened this page" not in page.content.decode()


def test_an_escalation_refused_as_out_of_date_shows_the_addendum_it_missed_audited(
    client_for, open_request, hub_advisor, dsl
):
    client = client_for(hub_advisor)
    sent = escalation_post(open_request.concern)
    add_addendum(fresh(open_request).concern, by=dsl, text="Dad has moved out this week.")
    views = AuditEvent.objects.filter(action="advicerequest.view").count()

    refused = client.post(url("escalate", open_request), sent)

    assert refused.status_code == 200
    assert not Escalation.objects.exists()
    missed = refused.content.decode().split("What has changed since you opened this page")[1]
    assert "Dad has moved out this week." in missed.split("<form")[0]
    assert AuditEvent.objects.filter(action="advicerequest.view").count() == views + 1


def test_a_hub_escalation_is_recorded_though_a_colleague_claimed_the_request_meanwhile(
    client_for, open_request, hub_advisor, hub_manager
):
    # Who at the hub has the request changes nothing about the child the escalation acts on.
    sent = escalation_post(open_request.concern)
    claim_advice_request(open_request, by=hub_manager)
    response = client_for(hub_advisor).post(url("escalate", open_request), sent)
    assert response.status_code == 302
    assert Escalation.objects.get().reference_number == "MASH-778"


def test_what_changed_shows_the_addendum_missed_among_the_hubs_claims_and_reassignments(
    client_for, open_request, hub_advisor, hub_manager, authority, dsl
):
    # Claims and reassignments do not move the concern's version on: counting them as steps
    # would show them in place of the school's correction the advisor has not read.
    client = client_for(hub_advisor)
    sent = escalation_post(open_request.concern)
    claim_advice_request(open_request, by=hub_manager)
    add_addendum(fresh(open_request).concern, by=dsl, text="Dad has moved out this week.")
    colleague = member(Role.HUB_ADVISOR, authority, full_name="Ola Colleague")
    reassign_advice_request(fresh(open_request), by=hub_manager, to=colleague)

    refused = client.post(url("escalate", open_request), sent)

    assert refused.status_code == 200
    missed = refused.content.decode().split("What has changed since you opened this page")[1]
    missed = missed.split("<form")[0]
    assert "Dad has moved out this week." in missed
    assert "Advice request reassigned" not in missed
    assert "Advice request claimed" not in missed


def missed_labels(response):
    """The moves a refused page lists under "What has changed", in the order it lists them."""
    missed = response.content.decode().split("What has changed since you opened this page")[1]
    return re.findall(r'<p class="govuk-body-s">([^:<]+):', missed.split("<form")[0])


def test_what_changed_after_mixed_moves_lists_exactly_those_that_moved_the_concern_on(
    client_for, open_request, hub_advisor, hub_manager, authority, dsl
):
    # The hub passing the request about moves only the request's version; a new urgency, an
    # addendum and an escalation move the concern's. The list is those, in the order made.
    sent = escalation_post(open_request.concern)
    colleague = member(Role.HUB_ADVISOR, authority, full_name="Ola Colleague")
    claim_advice_request(open_request, by=hub_manager)
    add_addendum(fresh(open_request).concern, by=dsl, text="Dad has moved out this week.")
    release_advice_request(fresh(open_request), by=hub_manager)
    rerate_advice_request(
        fresh(open_request), by=hub_manager, urgency="red", reason="A new disclosure."
    )
    reassign_advice_request(fresh(open_request), by=hub_manager, to=colleague)
    escalate_significant_harm(
        fresh(open_request).concern, by=dsl, **escalation_data(parent_informed=False)
    )
    release_advice_request(fresh(open_request), by=hub_manager)
    claim_advice_request(fresh(open_request), by=hub_manager)
    add_addendum(fresh(open_request).concern, by=dsl, text="Mum rang: she is at her sister's.")

    refused = client_for(hub_advisor).post(url("escalate", open_request), sent)

    assert refused.status_code == 200
    assert missed_labels(refused) == [
        "Addendum added",
        "Advice request urgency changed",
        "Escalated for significant harm",
        "Addendum added",
    ]
    page = refused.content.decode()
    assert "Dad has moved out this week." in page
    assert "Mum rang: she is at her sister&#x27;s." in page
    assert "Not every change can be listed here" not in page


def test_what_changed_follows_the_order_the_moves_were_made_not_their_clocks(
    client_for, clock, open_request, hub_advisor, hub_manager, dsl
):
    # Two app servers' clocks a minute apart: the school's addendum, which the advisor read
    # before drawing the page, carries a later time than the manager's new urgency made after
    # it. The page lists the urgency it missed, not the addendum again in its place.
    add_addendum(fresh(open_request).concern, by=dsl, text="Dad has moved out this week.")
    sent = escalation_post(fresh(open_request).concern)
    clock.moment -= timedelta(minutes=1)
    rerate_advice_request(
        fresh(open_request), by=hub_manager, urgency="red", reason="A new disclosure."
    )

    refused = client_for(hub_advisor).post(url("escalate", open_request), sent)

    assert missed_labels(refused) == ["Advice request urgency changed"]
    assert "Urgency Amber to Red: A new disclosure." in refused.content.decode()


def test_what_changed_copes_with_a_change_whose_version_is_not_known(
    client_for, open_request, hub_advisor, hub_manager, dsl
):
    # An addendum from before each event kept the version it produced, which the migration
    # could not place: the page lists what it knows and says that is not everything.
    sent = escalation_post(open_request.concern)
    add_addendum(fresh(open_request).concern, by=dsl, text="Dad has moved out this week.")
    rerate_advice_request(
        fresh(open_request), by=hub_manager, urgency="red", reason="A new disclosure."
    )
    WorkflowEvent.objects.filter(action="add_addendum").update(concern_version=None)

    refused = client_for(hub_advisor).post(url("escalate", open_request), sent)

    assert refused.status_code == 200
    assert missed_labels(refused) == ["Advice request urgency changed"]
    assert "Not every change can be listed here." in refused.content.decode()
    assert sent["indicators"] in refused.content.decode()


def test_advice_with_a_mistake_on_a_request_withdrawn_meanwhile_says_it_was_withdrawn(
    client_for, claimed, hub_advisor, dsl
):
    """The page offers no button; the mistake alone would not say why."""
    typed = advice_post(fresh(claimed), next_step="")
    withdraw_advice_request(claimed, by=dsl, reason="Sent about the wrong child.")

    response = client_for(hub_advisor).post(url("advise", claimed), typed)

    assert errors(response)["__all__"] == ["The school has withdrawn this advice request."]
    assert "see the message above" in response.text
    assert "Send the advice to the school" not in response.text
    assert typed["advice"] in response.text  # kept, to copy
    assert fresh(claimed).status == AdviceStatus.WITHDRAWN


def test_advice_from_an_advisor_whose_request_was_reassigned_says_who_has_it_now(
    client_for, claimed, hub_advisor, hub_manager
):
    typed = advice_post(fresh(claimed))
    reassign_advice_request(fresh(claimed), by=hub_manager, to=hub_manager)

    response = client_for(hub_advisor).post(url("advise", claimed), typed)

    assert [words(e) for e in errors(response)["__all__"]] == [
        "Max Manager has this request now. Nothing was saved."
    ]
    assert "Claim it first" not in response.text
    assert "Send the advice to the school" not in response.text
    assert typed["advice"] in response.text
    assert fresh(claimed).advice == ""


def test_a_release_from_a_page_drawn_before_the_school_withdrew_says_it_was_withdrawn(
    client_for, claimed, hub_advisor, dsl
):
    sent = {"expected_version": claimed.version}
    withdraw_advice_request(claimed, by=dsl, reason="Sent about the wrong child.")
    response = client_for(hub_advisor).post(url("release", claimed), sent)
    said = list(errors(response)["__all__"])
    assert "has changed since you opened the page" in said[0]
    assert said[1:] == ["The school has withdrawn this advice request."]
    assert "Release it to the queue" not in response.text


def test_a_second_click_on_claim_or_send_says_it_was_done(client_for, open_request, hub_advisor):
    client = client_for(hub_advisor)
    sent = {"expected_version": open_request.version}
    said = lambda response: [str(m) for m in response.context["messages"]]  # noqa: E731
    assert client.post(url("claim", open_request), sent, follow=True).status_code == 200
    second = client.post(url("claim", open_request), sent, follow=True)
    assert said(second) == [MOVES_DONE["claim"]]  # this response's own message, and no problem
    assert "There is a problem" not in second.text
    advice = advice_post(fresh(open_request))
    assert client.post(url("advise", open_request), advice, follow=True).status_code == 200
    second = client.post(url("advise", open_request), advice, follow=True)
    assert said(second) == [MOVES_DONE["advise"]]
    assert "There is a problem" not in second.text
    # Different words sent from an older page are not what was saved: they are kept, refused.
    other = client.post(url("advise", open_request), advice | {"advice": "Something else."})
    assert other.status_code == 200
    assert "Something else." in other.text
    assert fresh(open_request).advice == advice["advice"]


@pytest.mark.parametrize("name", ["release", "reassign", "rerate"])
def test_a_second_click_on_a_managers_move_says_it_was_done(client_for, claimed, hub_manager, name):
    """The second post of a double click finds the page out of date because the first one was
    saved: it is told so, not that nothing was saved."""
    sent = {
        "expected_version": claimed.version,
        "to": hub_manager.pk,
        "urgency": "red",
        "reason": "The school has since learned of a threat.",
    }
    client = client_for(hub_manager)
    first = client.post(url(name, claimed), sent, follow=True)
    assert [str(m) for m in first.context["messages"]] == [MOVES_DONE[name]]
    made = fresh(claimed)

    second = client.post(url(name, claimed), sent, follow=True)

    assert [str(m) for m in second.context["messages"]] == [MOVES_DONE[name]]
    assert "Nothing was saved" not in second.text
    assert "There is a problem" not in second.text
    assert fresh(claimed).version == made.version  # made once


# Escalate for significant harm


def test_the_hub_escalates_from_the_request_and_the_school_is_told(
    client_for, open_request, hub_advisor, dsl, deputy_dsl, head
):
    mail.outbox.clear()
    response = client_for(hub_advisor).post(
        url("escalate", open_request), escalation_post(open_request.concern)
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert (escalation.by_hub, escalation.escalated_by, escalation.referred_to) == (
        True,
        hub_advisor,
        "csc",
    )
    assert escalation.reference_number == "MASH-778"
    assert fresh(open_request).concern.status == ConcernStatus.ESCALATED
    told = Notification.objects.filter(kind="concern_escalated")
    assert sorted(told.values_list("recipient", flat=True)) == sorted(
        [dsl.email, deputy_dsl.email, head.email]
    )
    said = notice(response.client.get(url("detail", open_request)).text)
    assert said == "The escalation is recorded. The school's DSLs and head teacher have been told."


def test_the_hub_is_told_the_head_teacher_was_not_when_the_school_has_none(
    client_for, open_request, hub_advisor, dsl
):
    response = client_for(hub_advisor).post(
        url("escalate", open_request), escalation_post(open_request.concern), follow=True
    )
    assert notice(response.text) == (
        "The escalation is recorded. The school's DSLs have been told; no head teacher at the "
        "school uses this service."
    )


def test_an_escalation_sent_twice_is_recorded_once_and_told_once(
    client_for, open_request, hub_advisor
):
    client = client_for(hub_advisor)
    page = client.get(url("escalate", open_request))
    sent = escalation_post(open_request.concern) | {
        "submission_key": page.context["form"]["submission_key"].value()
    }
    assert client.post(url("escalate", open_request), sent).status_code == 302
    second = client.post(url("escalate", open_request), sent)  # the double click
    assert second.status_code == 302  # it was saved: the page says so, not "nothing was saved"
    assert Escalation.objects.count() == 1
    assert Notification.objects.filter(kind="concern_escalated").count() == 1


def test_the_hub_cannot_escalate_on_a_request_the_school_withdrew(
    client_for, open_request, hub_advisor, dsl
):
    withdraw_advice_request(open_request, by=dsl, reason="Sent about the wrong child.")
    client = client_for(hub_advisor)
    assert "Escalate for significant harm" not in client.get(url("detail", open_request)).text
    refused = client.post(url("escalate", open_request), escalation_post(open_request.concern))
    assert "has not withdrawn" in errors(refused)["__all__"][0]
    assert not Escalation.objects.exists()


def test_the_hub_escalates_from_a_request_it_answered_after_a_later_one_was_withdrawn(
    client_for, walk, hub_advisor, dsl
):
    """The page offered the button; the button works."""
    concern = walk.advice_received()
    answered = walk.request(concern)
    later = request_hub_advice(fresh(answered).concern, by=dsl, **advice_data())
    withdraw_advice_request(later, by=dsl, reason="Asked by mistake.")
    client = client_for(hub_advisor)
    assert "Escalate for significant harm" in client.get(url("detail", answered)).text

    response = client.post(url("escalate", answered), escalation_post(fresh(answered).concern))

    assert response.status_code == 302
    assert Escalation.objects.get().escalated_by == hub_advisor
    assert fresh(answered).concern.status == ConcernStatus.ESCALATED
    # The later, withdrawn, request's page offers nothing.
    assert "Escalate for significant harm" not in client.get(url("detail", later)).text


# The hub cannot reopen a concern: told who can, not to "Reopen it first".
CLOSED_TO_THE_HUB = (
    "The school has closed this concern, so it cannot be escalated. Only the school's DSL or "
    "deputy DSL can reopen it: contact them if it should be."
)


def test_escalate_on_an_answered_request_of_a_closed_concern_says_it_is_closed(
    client_for, walk, hub_advisor
):
    """Not that advice has been given, which does not stop an escalation."""
    answered = walk.request(walk.closed())
    response = client_for(hub_advisor).get(url("escalate", answered), follow=True)
    assert response.redirect_chain == [(url("detail", answered), 302)]
    assert [str(m) for m in response.context["messages"]] == [CLOSED_TO_THE_HUB]


def test_escalating_a_concern_the_school_closed_meanwhile_says_it_is_closed(
    client_for, walk, hub_advisor, dsl
):
    concern = walk.conversation_logged()
    answered = walk.request(concern)
    typed = escalation_post(concern, indicators="")  # a mistake, too
    close_concern(concern, by=dsl, **closing())
    response = client_for(hub_advisor).post(url("escalate", answered), typed)
    assert errors(response)["__all__"] == [CLOSED_TO_THE_HUB]
    assert "Record the escalation" not in response.text
    assert not Escalation.objects.exists()


def test_an_escalation_dated_tomorrow_is_refused_beside_the_date(
    client_for, open_request, hub_advisor
):
    tomorrow = timezone.localdate() + timedelta(days=1)
    before = snapshot()
    response = client_for(hub_advisor).post(
        url("escalate", open_request),
        escalation_post(
            open_request.concern,
            referred_on_0=str(tomorrow.day),
            referred_on_1=str(tomorrow.month),
            referred_on_2=str(tomorrow.year),
        ),
    )
    assert errors(response) == {
        "referred_on": ["The date of the referral must be today or in the past"]
    }
    assert 'href="#id_referred_on_0"' in response.content.decode()
    assert "afraid to go home tonight" in response.content.decode()
    assert snapshot() == before


def test_another_advisor_of_the_hub_can_escalate_without_claiming(
    client_for, claimed, open_request
):
    colleague = member(Role.HUB_ADVISOR, open_request.concern.school.local_authority)
    response = client_for(colleague).post(
        url("escalate", claimed), escalation_post(fresh(claimed).concern)
    )
    assert response.status_code == 302
    assert Escalation.objects.get().escalated_by == colleague


def test_a_follow_up_year_without_4_numbers_is_refused_as_such(client_for, claimed, hub_advisor):
    """Not "must be today or later", which would send the advisor looking at the day."""
    follow_up = timezone.localdate() + timedelta(days=14)
    sent = advice_post(claimed, **{**on_day(follow_up), "follow_up_on_2": str(follow_up.year)[2:]})
    response = client_for(hub_advisor).post(url("advise", claimed), sent)
    assert response.status_code == 200
    assert response.context["form"].errors["follow_up_on"] == [
        "The year must include 4 numbers, for example 2026"
    ]
    assert fresh(claimed).status == AdviceStatus.CLAIMED


@pytest.mark.parametrize("next_step", ["talk_to_parent", "early_help", "monitor", "nfa"])
def test_level_4_advice_must_refer_the_child_on(client_for, claimed, hub_advisor, next_step):
    """Level 4 is the threshold for statutory services. Advice at that level with no referral
    would let the school close the concern with none made, as the workflow review found."""
    typed = advice_post(claimed, next_step=next_step, level_of_need="4")
    response = client_for(hub_advisor).post(url("advise", claimed), typed)
    assert errors(response) == {
        "level_of_need": [
            "Level 4 needs specialist or statutory services: recommend a referral to "
            "children's social care (MASH) or to the Prevent team, or choose the level of "
            "need that fits your advice"
        ]
    }
    assert typed["advice"] in response.content.decode()
    assert fresh(claimed).status == AdviceStatus.CLAIMED


@pytest.mark.parametrize("next_step", ["mash", "prevent"])
def test_level_4_advice_with_a_referral_is_sent(client_for, claimed, hub_advisor, next_step):
    response = client_for(hub_advisor).post(
        url("advise", claimed), advice_post(claimed, next_step=next_step, level_of_need="4")
    )
    assert response.status_code == 302
    assert (fresh(claimed).status, fresh(claimed).level_of_need) == (AdviceStatus.ANSWERED, 4)


def test_the_hub_escalating_a_closed_concern_is_told_the_school_must_reopen_it(
    walk, hub_advisor, dsl
):
    """Refused by the workflow itself (a page that did not check first): the advisor is told
    who can reopen it; the school's DSL is still told to reopen it."""
    concern = walk.conversation_logged()
    answered = walk.request(concern)
    close_concern(concern, by=dsl, **closing())
    concern.refresh_from_db()
    for by, told in (
        (hub_advisor, CLOSED_TO_THE_HUB),
        (dsl, "A closed concern cannot be escalated. Reopen it first."),
    ):
        with pytest.raises(TransitionRefused) as refused:
            escalate_significant_harm(concern, by=by, advice_request=answered, **escalation_data())
        assert str(refused.value) == told
    assert not Escalation.objects.exists()
