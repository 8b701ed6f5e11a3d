"""A request's page: what the school shared, nothing more, each view audited, and only the
moves this user can make."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from schools.models import Membership, Role
from tests.factories import member
from tests.hubcases import at
from tests.walk import escalation_data, given_advice, held_conversation
from workflow.advice import claim_advice_request, give_advice, withdraw_advice_request
from workflow.concerns import add_addendum, escalate_significant_harm, log_parent_conversation


def page_of(request):
    return reverse("advice:detail", args=[request.pk])


@pytest.fixture
def shared(walk):
    """A Prevent concern about Amelia, sent to the hub, with an addendum."""
    concern = walk.recorded(
        categories=["radicalisation", "online_safety"],
        what_happened="Amelia said a man online told her to keep secrets from her teachers.",
        child_words="He says school lies to us.",
        immediate_risk=True,
    )
    add_addendum(concern, by=walk.dsl, text="Her older brother confirmed the account name.")
    walk.with_hub(concern, summary="Online contact with an adult.", question="Prevent referral?")
    return walk.request(concern)


# Who may open it


def test_anonymous_visitor_is_sent_to_sign_in(client, shared):
    response = client.get(page_of(shared))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["teacher", "dsl", "deputy_dsl", "head", "la_admin"])
def test_school_roles_and_la_admins_are_refused(request, client_for, shared, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(page_of(shared)).status_code == 403


def test_another_authoritys_advisor_gets_not_found_and_the_attempt_is_audited(
    client_for, shared, other_la_advisor
):
    response = client_for(other_la_advisor).get(page_of(shared))
    assert response.status_code == 404
    denial = AuditEvent.objects.get(action="access.denied")
    assert (denial.actor, denial.object_type, denial.object_id) == (
        other_la_advisor,
        "advicerequest",
        str(shared.pk),
    )
    assert not AuditEvent.objects.filter(action="advicerequest.view").exists()


@pytest.mark.parametrize("persona", ["hub_advisor", "hub_manager"])
def test_hub_staff_of_the_authority_open_it(request, client_for, shared, persona):
    assert client_for(request.getfixturevalue(persona)).get(page_of(shared)).status_code == 200


# What it shows


def test_shows_what_the_school_shared(client_for, shared, hub_advisor, dsl, deputy_dsl):
    page = client_for(hub_advisor).get(page_of(shared)).content.decode()
    for text in [
        "Amelia Ahmed",
        "Amelia said a man online told her to keep secrets from her teachers.",
        "He says school lies to us.",
        "Radicalisation or extremism (Prevent)",
        "Online safety",
        "may be at immediate risk of significant harm",
        "Playground",
        "Tara Teacher",
        "Her older brother confirmed the account name.",
        "Online contact with an adult.",
        "Prevent referral?",
        "answer within 1 working day",
        f'<span dir="auto">{dsl.full_name}</span> (designated safeguarding lead)',
        dsl.email,
        f'<span dir="auto">{deputy_dsl.full_name}</span> (deputy designated safeguarding lead)',
    ]:
        assert text in page, text


def test_contacts_leave_out_people_who_have_left(client_for, shared, hub_advisor, dsl):
    Membership.objects.filter(user=dsl).update(is_active=False)
    page = client_for(hub_advisor).get(page_of(shared)).content.decode()
    assert dsl.email not in page
    assert "The school has no active DSL in this service" in page


def test_contacts_leave_out_people_whose_account_is_deactivated(
    client_for, shared, hub_advisor, dsl, deputy_dsl
):
    dsl.is_active = False
    dsl.save(update_fields=["is_active"])
    page = client_for(hub_advisor).get(page_of(shared)).content.decode()
    assert dsl.email not in page
    assert deputy_dsl.email in page


def test_shows_earlier_advice_on_the_same_concern_but_not_the_pupils_other_concerns(
    walk, client_for, hub_advisor
):
    concern = walk.advice_received()  # the hub advised "Talk with mum first."
    log_parent_conversation(concern, by=walk.dsl, **held_conversation())
    walk.with_hub(concern, question="Mum has not followed up. What now?")
    follow_up = walk.request(concern)
    other = walk.with_hub(walk.recorded(what_happened="A different worry: crying at lunch."))

    page = client_for(hub_advisor).get(page_of(follow_up)).content.decode()

    assert "Mum has not followed up. What now?" in page
    assert "Talk with mum first." in page
    assert "Should we talk to mum?" in page
    assert "Breakfast and routines." in page  # the parent conversation on this concern
    assert "A different worry" not in page
    assert other.reference not in page


def test_earlier_advice_lists_only_the_requests_made_before_this_one(walk, client_for, hub_advisor):
    """On a concern asked about three times, the second request's page shows the first as
    earlier advice, and not the third, which came after it."""
    concern = walk.advice_received()  # the school asked "Should we talk to mum?"
    log_parent_conversation(concern, by=walk.dsl, **held_conversation())
    walk.with_hub(concern, question="Mum has not followed up. What now?")
    second = walk.request(concern)
    claim_advice_request(second, by=hub_advisor)
    give_advice(second, by=hub_advisor, **given_advice(advice="Offer an early help assessment."))
    log_parent_conversation(concern, by=walk.dsl, **held_conversation())
    walk.with_hub(concern, question="Mum refused the assessment. Should we refer?")

    page = client_for(hub_advisor).get(page_of(second)).content.decode()

    earlier = page.split("Earlier advice on this concern")[1].split("safeguarding leads")[0]
    assert "Should we talk to mum?" in earlier
    assert "Mum has not followed up. What now?" not in earlier  # not itself
    assert "Mum refused the assessment" not in page


def test_an_answered_or_withdrawn_request_past_its_due_time_is_not_shown_as_overdue(
    walk, client_for, hub_advisor, dsl
):
    client = client_for(hub_advisor)
    with at(timezone.now() - timedelta(days=10)):
        open_late = walk.request(walk.with_hub())
        answered_late = walk.request(walk.with_hub())
        withdrawn_late = walk.request(walk.with_hub())
    claim_advice_request(answered_late, by=hub_advisor)
    give_advice(answered_late, by=hub_advisor, **given_advice())
    withdraw_advice_request(withdrawn_late, by=dsl, reason="Sent about the wrong child.")

    assert "Overdue by" in client.get(page_of(open_late)).text
    for done in [answered_late, withdrawn_late]:
        page = client.get(page_of(done)).text
        assert "govuk-warning-text" not in page
        assert "Overdue" not in page


def test_each_view_writes_exactly_one_audit_event(client_for, shared, hub_advisor):
    client = client_for(hub_advisor)
    client.get(page_of(shared))
    client.get(page_of(shared))
    views = AuditEvent.objects.filter(action="advicerequest.view")
    assert views.count() == 2
    assert {(e.actor, e.object_id, e.school) for e in views} == {
        (hub_advisor, str(shared.pk), shared.concern.school)
    }


def test_shows_an_escalation_made_on_the_concern(walk, shared, client_for, hub_advisor):
    escalate_significant_harm(shared.concern, by=walk.dsl, **escalation_data())
    page = client_for(hub_advisor).get(page_of(shared)).content.decode()
    assert "Disclosure of being hit with a belt." in page
    assert "MASH-123" in page


def test_a_request_with_nothing_else_on_its_concern_says_so(walk, client_for, hub_advisor):
    concern = walk.recorded(what_happened="Bruise on the left arm.")
    walk.with_hub(concern)
    advice_request = walk.request(concern)
    claim_advice_request(advice_request, by=hub_advisor)

    page = client_for(hub_advisor).get(page_of(advice_request)).content.decode()

    assert "No addenda." in page
    assert "This is the first time the school has asked the hub about this concern." in page
    assert "Talking with the parent or carer" not in page
    assert "Escalations for significant harm</h3>" not in page
    # The people on the page, fetched apart from the request: who recorded, asked, claimed.
    assert f'<span dir="auto">{concern.recorded_by.full_name}</span>, ' in page
    assert f'<span dir="auto">{advice_request.requested_by.full_name}</span>, ' in page
    assert f'<span dir="auto">{hub_advisor.full_name}</span>, since' in page


# Only the moves that will work


def buttons(response):
    page = response.content.decode()
    return {
        name
        for name in ["claim", "release", "advise", "reassign", "rerate", "escalate"]
        if reverse(f"advice:{name}", args=[response.context["advice_request"].pk]) in page
    }


def test_an_advisor_sees_claim_and_escalate_on_an_open_request(client_for, shared, hub_advisor):
    assert buttons(client_for(hub_advisor).get(page_of(shared))) == {"claim", "escalate"}


def test_a_manager_also_sees_reassign_and_change_urgency(client_for, shared, hub_manager):
    assert buttons(client_for(hub_manager).get(page_of(shared))) == {
        "claim",
        "reassign",
        "rerate",
        "escalate",
    }


def test_the_claimant_sees_give_advice_and_release(client_for, shared, hub_advisor):
    claim_advice_request(shared, by=hub_advisor)
    assert buttons(client_for(hub_advisor).get(page_of(shared))) == {
        "advise",
        "release",
        "escalate",
    }
    colleague = member(Role.HUB_ADVISOR, shared.concern.school.local_authority)
    assert buttons(client_for(colleague).get(page_of(shared))) == {"escalate"}


def test_an_answered_request_shows_the_advice_and_no_hub_moves_but_escalation(
    walk, client_for, hub_advisor
):
    concern = walk.advice_received()
    response = client_for(hub_advisor).get(page_of(walk.request(concern)))
    assert buttons(response) == {"escalate"}
    page = response.content.decode()
    assert "Talk with mum first." in page
    assert "Level 2: early help" in page


def test_an_answer_left_blank_reads_as_it_does_on_the_schools_concern_page(
    client_for, walk, hub_advisor, dsl
):
    concern = walk.recorded(child_words="", others_present="", immediate_action="")
    walk.with_hub(concern)
    hub = client_for(hub_advisor).get(page_of(walk.request(concern))).text
    school = client_for(dsl).get(reverse("concerns:detail", args=[concern.pk])).text
    for question in ("The child's own words", "Who else was there", "What was done straight away"):
        for page in (hub, school):
            assert re.search(rf">{question}</dt>\s*<dd[^>]*>\s*None recorded\s*<", page), question
