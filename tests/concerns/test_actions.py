"""The action pages on a concern: each calls one workflow transition, shows its refusal beside
the right field and keeps what the DSL typed."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceRequest, AdviceStatus
from concerns.models import Addendum, Closure, Concern, ConcernStatus, Escalation
from safeguarding.templatetags.presenters import uk_datetime
from schools.models import Role
from tests.factories import member
from tests.notices import notice, words
from workflow.advice import (
    claim_advice_request,
    give_advice,
    reassign_advice_request,
    release_advice_request,
    rerate_advice_request,
)
from workflow.concerns import (
    escalate_significant_harm,
    log_parent_conversation,
    record_escalation_outcome,
    reopen_concern,
)
from workflow.models import WorkflowEvent
from workflow.rules import Action

from ..walk import escalation_data, given_advice, held_conversation, snapshot

S = ConcernStatus


def url(name, concern, *more):
    return reverse(f"concerns:{name}", args=[concern.pk, *more])


def fresh(concern):
    return Concern.objects.get(pk=concern.pk)


def yesterday():
    return timezone.localdate() - timedelta(days=1)


def advice_post(concern, **overrides):
    data = {
        "summary": "Amelia has arrived hungry three days this week.",
        "question": "Should we talk with mum, or refer?",
        "urgency": "amber",
        "expected_version": concern.version,
    }
    return data | overrides


def held_post(concern, **overrides):
    day = yesterday()
    data = {
        "held": "yes",
        "held_on_0": day.day,
        "held_on_1": day.month,
        "held_on_2": day.year,
        "held_time": "3:30pm",
        "with_name": "Mrs Ahmed",
        "with_relationship": "Mother",
        "method": "phone",
        "discussed": "Breakfast, and help with money.",
        "expected_version": concern.version,
    }
    return data | overrides


def escalation_post(concern, **overrides):
    day = yesterday()
    data = {
        "indicators": "Bruising to the face; says dad hit her.",
        "referred_to": "csc",
        "referred_on_0": day.day,
        "referred_on_1": day.month,
        "referred_on_2": day.year,
        "referred_time": "10:15am",
        "spoken_to": "MASH duty worker",
        "reference_number": "MASH-991",
        "parent_informed": "no",
        "parent_not_informed_reason": "Telling dad could put her at risk.",
        "expected_version": concern.version,
    }
    return data | overrides


def case_state():
    """Everything a transition writes, except the audit of the page being viewed."""
    state = snapshot()
    state["counts"].pop("AuditEvent")
    return state


def errors_of(response):
    return response.context["form"].errors


# The access ladder for every action page.

DSL_PAGES = [
    ("request_advice", S.RECORDED),
    ("conversation", S.ADVICE_RECEIVED),
    ("escalate", S.RECORDED),
    ("close", S.PARENT_CONVERSATION_LOGGED),
    ("reopen", S.CLOSED),
]


@pytest.mark.parametrize(("name", "status"), DSL_PAGES)
@pytest.mark.parametrize("persona", ["head", "teacher", "hub_advisor", "la_admin"])
def test_only_the_schools_dsls_open_the_action_pages(
    request, walk, client_for, name, status, persona
):
    concern = walk.to(status)
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url(name, concern)).status_code == 403
    assert client_for(user).post(url(name, concern), {}).status_code == 403


@pytest.mark.parametrize(("name", "status"), DSL_PAGES)
def test_another_schools_dsl_gets_a_404(walk, client_for, other_school_dsl, name, status):
    concern = walk.to(status)
    assert client_for(other_school_dsl).get(url(name, concern)).status_code == 404
    assert client_for(other_school_dsl).post(url(name, concern), {}).status_code == 404


@pytest.mark.parametrize(("name", "status"), DSL_PAGES)
@pytest.mark.parametrize("persona", ["dsl", "deputy_dsl"])
def test_the_schools_dsls_open_them(request, walk, client_for, name, status, persona):
    concern = walk.to(status)
    response = client_for(request.getfixturevalue(persona)).get(url(name, concern))
    assert response.status_code == 200
    assert response.context["form"]["expected_version"].value() == concern.version


def _action_pages(walk):
    recorded, escalated, closed = walk.recorded(), walk.escalated(), walk.closed()
    claimed = walk.claimed()
    request = AdviceRequest.objects.get(concern=claimed)
    return [
        url("request_advice", recorded),
        url("conversation", walk.advice_received()),
        url("escalate", recorded),
        url("outcome", escalated, escalated.escalations.get().pk),
        url("close", walk.conversation_logged()),
        url("reopen", closed),
        url("withdraw_request", claimed, request.pk),
        url("addendum", recorded),
        url("attachment_upload", recorded),
    ]


def test_each_action_pages_title_says_which_concern_without_naming_the_child(walk, client_for, dsl):
    # WCAG 2.4.2: a DSL with two concerns open in two tabs, or going back through the history,
    # tells them apart by the title, as the hub's pages do; the child's name stays out of it.
    client = client_for(dsl)
    for address in _action_pages(walk):
        concern = Concern.objects.get(pk=address.split("/")[2])
        html = client.get(address).content.decode()
        title = html[html.index("<title>") : html.index("</title>")]
        assert f": {concern.reference} " in title, (address, title)
        assert walk.pupil.family_name not in title
        refused = client.post(address, {}).content.decode()
        title = refused[refused.index("<title>") : refused.index("</title>")]
        assert title.startswith("<title>Error: "), (address, title)
        assert f": {concern.reference} " in title, (address, title)


def test_an_action_not_allowed_now_sends_the_dsl_back_with_the_reason(walk, client_for, dsl):
    concern = walk.recorded()
    response = client_for(dsl).get(url("conversation", concern), follow=True)
    assert response.redirect_chain == [(url("detail", concern), 302)]
    assert "Hub advice must be received before the parent conversation" in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (S.PARENT_CONVERSATION_LOGGED, "The parent conversation is already logged"),
        (S.ESCALATED, "This concern has been escalated"),
        (S.CLOSED, "This concern is closed"),
    ],
)
def test_the_conversation_page_refused_says_why_for_where_the_concern_is(
    walk, client_for, dsl, status, said
):
    # Not "hub advice must be received first" to a DSL who has had it, or whose concern has
    # moved past the conversation.
    concern = walk.to(status)
    html = client_for(dsl).get(url("conversation", concern), follow=True).text
    assert said in html
    assert "Hub advice must be received" not in html


def test_the_close_page_refused_for_a_closed_concern_says_it_is_closed(walk, client_for, dsl):
    concern = walk.closed()
    html = client_for(dsl).get(url("close", concern), follow=True).text
    assert "This concern is already closed" in html
    assert "cannot be closed yet" not in html


def test_a_refused_post_shows_the_workflows_reason_and_keeps_the_text(walk, client_for, dsl):
    concern = walk.recorded()
    before = case_state()
    response = client_for(dsl).post(url("conversation", concern), held_post(concern))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Hub advice must be received before the parent conversation" in html
    assert "Breakfast, and help with money." in html
    assert response.context["form"]["with_name"].value() == "Mrs Ahmed"
    assert case_state() == before


# Step 2: ask the hub.


def test_asking_the_hub_sends_the_request(walk, client_for, dsl):
    concern = walk.recorded()
    client = client_for(dsl)
    response = client.post(url("request_advice", concern), advice_post(concern))
    assert response.status_code == 302
    assert response["Location"] == url("detail", concern)
    assert fresh(concern).status == S.WITH_HUB
    request = AdviceRequest.objects.get(concern=concern)
    assert (request.urgency, request.requested_by) == ("amber", dsl)
    page = client.get(response["Location"]).content.decode()
    # When the answer is due, as the pages show dates: what the DSL plans around.
    assert (
        "Your request has been sent to the Early Help Hub. The hub&#x27;s answer is due by "
        f"{uk_datetime(request.due_at)}" in page
    )


def test_asking_the_hub_again_says_when_the_new_request_is_due(walk, client_for, dsl):
    concern = walk.advice_received()
    answered = AdviceRequest.objects.get(concern=concern)
    client = client_for(dsl)
    response = client.post(
        url("request_advice", concern), advice_post(fresh(concern), urgency="red"), follow=True
    )
    again = AdviceRequest.objects.filter(concern=concern).exclude(pk=answered.pk).get()
    (said,) = [str(m) for m in response.context["messages"]]
    assert said.endswith(f"The hub's answer is due by {uk_datetime(again.due_at)}")


def test_the_urgency_choices_explain_red_amber_and_green_and_their_targets(walk, client_for, dsl):
    html = client_for(dsl).get(url("request_advice", walk.recorded())).content.decode()
    for text in ["within 4 working hours", "within 1 working day", "within 3 working days"]:
        assert text in html


def test_asking_the_hub_needs_a_summary_a_question_and_an_urgency(walk, client_for, dsl):
    concern = walk.recorded()
    response = client_for(dsl).post(
        url("request_advice", concern), {"expected_version": concern.version}
    )
    assert response.status_code == 200
    assert errors_of(response) == {
        "summary": ["Enter a summary for the hub"],
        "question": ["Enter your question for the hub"],
        "urgency": ["Select how urgent this is"],
    }
    assert response.content.decode().count("govuk-error-summary__list") == 1
    assert fresh(concern).status == S.RECORDED


def test_a_stale_form_is_refused_and_the_typed_text_kept(walk, client_for, dsl, deputy_dsl):
    concern = walk.recorded()
    client = client_for(dsl)
    form_version = client.get(url("request_advice", concern)).context["form"]["expected_version"]
    # Meanwhile the deputy escalates it.
    escalate_significant_harm(concern, by=deputy_dsl, **escalation_data())
    before = case_state()

    response = client.post(
        url("request_advice", concern),
        advice_post(concern, expected_version=form_version.value()),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "has changed since you opened the page" in html
    assert "Amelia has arrived hungry three days this week." in html
    assert case_state() == before
    # The page now answers to the latest version, which it shows.
    assert response.context["form"]["expected_version"].value() == str(fresh(concern).version)
    assert "Escalated" in html


def test_a_missing_version_is_refused_as_out_of_date(walk, client_for, dsl):
    concern = walk.recorded()
    data = advice_post(concern)
    del data["expected_version"]
    response = client_for(dsl).post(url("request_advice", concern), data)
    assert response.status_code == 200
    assert "This page was out of date" in response.content.decode()
    assert fresh(concern).status == S.RECORDED


# Step 3: the parent conversation.


def test_logging_a_held_conversation(walk, client_for, dsl):
    concern = walk.advice_received()
    response = client_for(dsl).post(url("conversation", concern), held_post(concern))
    assert response.status_code == 302
    assert fresh(concern).status == S.PARENT_CONVERSATION_LOGGED
    conversation = concern.conversations.get()
    assert conversation.held
    assert (conversation.with_name, conversation.method) == ("Mrs Ahmed", "phone")
    held_at = timezone.localtime(conversation.held_at)
    assert (held_at.date(), held_at.hour, held_at.minute) == (yesterday(), 15, 30)


def test_the_conversation_page_button_is_true_whether_or_not_it_took_place(walk, client_for, dsl):
    # The same button records a conversation that did not take place: it cannot say it logs
    # the conversation.
    page = client_for(dsl).get(url("conversation", walk.advice_received())).text
    buttons = re.findall(r"<button[^>]*>\s*(.*?)\s*</button>", page, re.S)
    assert "Save" in buttons
    assert "Log the conversation" not in buttons


def test_logging_a_conversation_that_did_not_happen_ignores_the_held_answers(walk, client_for, dsl):
    concern = walk.advice_received()
    data = held_post(
        concern,
        held="no",
        not_held_reason="risk",
        details="Mum's partner is the alleged abuser.",
    )
    response = client_for(dsl).post(url("conversation", concern), data)
    assert response.status_code == 302
    conversation = concern.conversations.get()
    assert not conversation.held
    assert (conversation.not_held_reason, conversation.with_name) == ("risk", "")


def test_the_message_after_logging_says_what_was_recorded(walk, client_for, dsl):
    # A conversation that did not take place was not "logged" as if it had happened.
    client = client_for(dsl)
    concern = walk.advice_received()
    data = held_post(concern, held="no", not_held_reason="risk", details="Dad is the risk.")
    said = client.post(url("conversation", concern), data, follow=True).text
    assert "that the conversation with the parent or carer did not take place" in said
    assert "conversation has been logged" not in said

    concern = walk.advice_received()
    said = client.post(url("conversation", concern), held_post(concern), follow=True).text
    assert "The parent or carer conversation has been logged" in said


@pytest.mark.parametrize(("reason", "told"), [("unreachable", True), ("risk", False)])
def test_after_logging_one_not_held_the_dsl_is_told_to_log_the_later_talk(
    walk, client_for, dsl, reason, told
):
    # Not after one withheld for the child's safety: that concern is escalated instead.
    concern = walk.advice_received()
    data = held_post(
        concern,
        held="no",
        not_held_reason=reason,
        attempts="Phoned twice.",
        details="No answer.",
    )
    said = client_for(dsl).post(url("conversation", concern), data, follow=True).text
    assert "that the conversation with the parent or carer did not take place" in said
    assert ("If you talk with them later, log that conversation too" in said) == told


def test_a_half_typed_answer_under_the_choice_not_taken_does_not_block_it(walk, client_for, dsl):
    # Started as held, then it did not take place: with JavaScript the held questions are
    # hidden, where an error about them could be neither seen nor put right.
    concern = walk.advice_received()
    data = held_post(
        concern,
        held="no",
        held_on_0="31",
        held_on_1="2",
        held_time="25:99",
        with_name="M" * 151,
        not_held_reason="risk",
        details="Mum's partner is the alleged abuser.",
    )
    response = client_for(dsl).post(url("conversation", concern), data)
    assert response.status_code == 302, errors_of(response)
    conversation = concern.conversations.get()
    assert (conversation.held, conversation.held_at, conversation.with_name) == (False, None, "")


def test_the_page_shows_every_question_without_javascript(walk, client_for, dsl):
    html = client_for(dsl).get(url("conversation", walk.advice_received())).content.decode()
    # Both revealed sections are in the page; only GOV.UK's script hides the one not chosen.
    for name in ["held_on_0", "held_time", "with_name", "discussed", "not_held_reason", "details"]:
        assert f'name="{name}"' in html


def test_a_held_conversation_needs_its_answers_all_listed_at_once(walk, client_for, dsl):
    concern = walk.advice_received()
    response = client_for(dsl).post(
        url("conversation", concern), {"held": "yes", "expected_version": concern.version}
    )
    assert errors_of(response) == {
        "held_on": ["Enter the date of the conversation"],
        "held_time": ["Enter the time of the conversation"],
        "with_name": ["Enter who you spoke with"],
        "with_relationship": ["Enter their relationship to the child"],
        "method": ["Select how the conversation was held"],
        "discussed": ["Enter what was discussed"],
    }


def test_a_conversation_not_held_needs_a_reason_and_details(walk, client_for, dsl):
    concern = walk.advice_received()
    client = client_for(dsl)
    response = client.post(
        url("conversation", concern), {"held": "no", "expected_version": concern.version}
    )
    assert errors_of(response) == {
        "not_held_reason": ["Select why the conversation was not held"],
        "details": ["Enter the details of why the conversation was not held"],
    }
    response = client.post(
        url("conversation", concern),
        {
            "held": "no",
            "not_held_reason": "unreachable",
            "details": "No answer.",
            "expected_version": concern.version,
        },
    )
    assert errors_of(response) == {
        "attempts": ["Enter the attempts made to reach the parent or carer"]
    }


def test_whether_it_was_held_must_be_answered(walk, client_for, dsl):
    concern = walk.advice_received()
    response = client_for(dsl).post(
        url("conversation", concern), {"expected_version": concern.version}
    )
    assert errors_of(response) == {"held": ["Select whether the conversation was held"]}


# A date refused by the workflow (after today, or before the concern was seen) is shown
# beside the date, where it is put right, and the error summary links to the date's first box.


def _typed_date(field, day):
    return {f"{field}_0": str(day.day), f"{field}_1": str(day.month), f"{field}_2": str(day.year)}


@pytest.mark.parametrize(
    ("step", "field", "what"),
    [
        ("conversation", "held_on", "The date of the conversation"),
        ("escalate", "referred_on", "The date of the referral"),
    ],
)
@pytest.mark.parametrize(
    ("days", "refusal"),
    [
        (1, "{what} must be today or in the past"),
        (-10, "{what} must be on or after {seen}, when the concern was seen or heard"),
    ],
)
def test_a_refused_date_is_shown_beside_the_date_and_linked_from_the_summary(
    walk, client_for, dsl, step, field, what, days, refusal
):
    concern = walk.advice_received()  # seen 3 days ago
    seen = timezone.localdate(concern.observed_at)
    post = held_post if step == "conversation" else escalation_post
    day = timezone.localdate() + timedelta(days=days)
    before = case_state()
    response = client_for(dsl).post(url(step, concern), post(concern, **_typed_date(field, day)))
    assert response.status_code == 200
    message = refusal.format(what=what, seen=f"{seen.day} {seen:%B %Y}")
    assert errors_of(response) == {field: [message]}
    html = response.content.decode()
    summary = html.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    assert re.findall(r'href="#([^"]+)"', summary) == [f"id_{field}_0"]
    assert response.context["form"][field].value() == [str(day.day), str(day.month), str(day.year)]
    assert case_state() == before


@pytest.mark.parametrize(
    ("step", "time_field", "message"),
    [
        ("conversation", "held_time", "The time of the conversation must be in the past"),
        ("escalate", "referred_time", "The time of the referral must be in the past"),
    ],
)
def test_a_time_later_today_is_shown_beside_the_time(
    walk, client_for, dsl, clock, step, time_field, message
):
    clock.set(2026, 3, 10, 14, 0)
    concern = walk.advice_received()
    post = held_post if step == "conversation" else escalation_post
    date_field = time_field.replace("_time", "_on")
    typed = _typed_date(date_field, timezone.localdate()) | {time_field: "4pm"}
    before = case_state()
    response = client_for(dsl).post(url(step, concern), post(concern, **typed))
    assert errors_of(response) == {time_field: [message]}
    assert f'href="#id_{time_field}"' in response.content.decode()
    assert response.context["form"][time_field].value() == "4pm"
    assert case_state() == before


def _seen_before_the_clocks_went_back(walk, clock):
    # Recorded, and the conversation logged, the day after: on a day before, the dates typed
    # were not yet in the past.
    clock.set(2026, 10, 26, 10, 0)
    seen = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    return walk.advice_received(walk.recorded(observed_at=seen, delay_reason="Half term."))


CLOCKS_BACK = {"held_on_0": "25", "held_on_1": "10", "held_on_2": "2026"}


@pytest.mark.parametrize(
    ("typed", "utc", "shown"),
    [
        ("1:30am BST", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "1:30am BST"),
        ("1:30am gmt", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "1:30am GMT"),
    ],
)
def test_a_conversation_in_the_hour_the_clocks_repeat_is_the_one_named_and_shown_so(
    clock, walk, client_for, dsl, typed, utc, shown
):
    concern = _seen_before_the_clocks_went_back(walk, clock)
    client = client_for(dsl)
    data = held_post(concern, held_time=typed, **CLOCKS_BACK)
    response = client.post(url("conversation", concern), data)
    assert response.status_code == 302
    held_at = concern.conversations.get().held_at
    assert held_at == utc
    page = client.get(url("detail", concern)).content.decode()
    assert f'Conversation held 25 October 2026 at {shown} with <span dir="auto">Mrs Ahmed' in page


def test_a_conversation_in_the_hour_the_clocks_repeat_must_say_which(clock, walk, client_for, dsl):
    concern = _seen_before_the_clocks_went_back(walk, clock)
    data = held_post(concern, held_time="1:30am", **CLOCKS_BACK)
    response = client_for(dsl).post(url("conversation", concern), data)
    assert response.status_code == 200
    assert errors_of(response)["held_time"] == [
        "1:30am happened twice on 25 October 2026, because the clocks went back at 2am. "
        "Enter 1:30am BST for the first time, or 1:30am GMT for the second"
    ]
    assert 'value="1:30am"' in response.content.decode()
    assert fresh(concern).status == S.ADVICE_RECEIVED
    assert not concern.conversations.exists()


def test_an_impossible_date_is_called_what_it_is(walk, client_for, dsl):
    concern = walk.advice_received()
    data = held_post(concern, held_on_0="31", held_on_1="2", held_on_2="2026")
    response = client_for(dsl).post(url("conversation", concern), data)
    assert errors_of(response)["held_on"] == ["The date of the conversation must be a real date"]


# Escalation and its outcome.


def test_escalating_for_significant_harm(walk, client_for, dsl):
    concern = walk.with_hub()
    response = client_for(dsl).post(url("escalate", concern), escalation_post(concern))
    assert response.status_code == 302
    assert fresh(concern).status == S.ESCALATED
    escalation = concern.escalations.get()
    assert (escalation.referred_to, escalation.reference_number) == ("csc", "MASH-991")
    assert not escalation.by_hub


@pytest.mark.parametrize("with_head", [True, False])
def test_the_escalation_says_the_head_teacher_was_told_only_when_one_was(
    with_head, walk, client_for, dsl, school
):
    """Significant harm is for the head teacher to know: the DSL is told they were emailed, or,
    with no head teacher using the service, to tell them."""
    if with_head:
        member(Role.HEAD_TEACHER, school, full_name="Hana Head")
    concern = walk.with_hub()
    response = client_for(dsl).post(url("escalate", concern), escalation_post(concern), follow=True)
    said = notice(response.text)
    if with_head:
        assert said == "The escalation has been recorded and the head teacher told"
    else:
        assert said == (
            "The escalation has been recorded. No head teacher at the school uses this "
            "service to be told: tell them yourself"
        )


def test_the_page_for_another_referral_is_headed_as_its_button_says(walk, client_for, dsl):
    client = client_for(dsl)
    first = client.get(url("escalate", walk.recorded())).content.decode()
    assert "<title>Escalate for significant harm" in first
    html = client.get(url("escalate", walk.escalated())).content.decode()
    assert "<title>Record another referral" in html
    assert '<h1 class="govuk-heading-l">Record another referral</h1>' in " ".join(html.split())
    assert "Escalate for significant harm" not in html


def test_an_escalation_sent_twice_by_the_dsl_is_recorded_once(walk, client_for, dsl):
    concern = walk.with_hub()
    client = client_for(dsl)
    page = client.get(url("escalate", concern)).text
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    sent = escalation_post(concern) | {"submission_key": key}
    assert client.post(url("escalate", concern), sent).status_code == 302
    assert client.post(url("escalate", concern), sent).status_code == 302
    assert concern.escalations.count() == 1


def test_an_escalations_missing_answers_are_all_listed_at_once(walk, client_for, dsl):
    # WCAG 3.3.1: a DSL under pressure is told every missing answer on the first send, not
    # one more each time they fix the last: who "other" is and why the parent was not told
    # are listed with the rest, beside their questions.
    concern = walk.recorded()
    before = case_state()
    response = client_for(dsl).post(
        url("escalate", concern),
        escalation_post(
            concern,
            indicators="",
            referred_to="other",
            referred_to_other="",
            parent_not_informed_reason="",
        ),
    )
    assert errors_of(response) == {
        "indicators": ["Enter what indicates significant harm"],
        "referred_to_other": ["Enter who the concern was referred to"],
        "parent_not_informed_reason": ["Enter why the parent or carer was not told"],
    }
    assert case_state() == before


def test_answers_too_long_are_explained_in_words_the_dsl_can_act_on(walk, client_for, dsl):
    concern = walk.advice_received()
    client = client_for(dsl)
    talked = client.post(
        url("conversation", concern),
        held_post(concern, with_name="A" * 151, with_relationship="B" * 101),
    )
    assert errors_of(talked) == {
        "with_name": ["Who you spoke with must be 150 characters or fewer"],
        "with_relationship": ["Their relationship must be 100 characters or fewer"],
    }
    referred = client.post(
        url("escalate", concern),
        escalation_post(
            concern,
            referred_to="other",
            referred_to_other="C" * 151,
            spoken_to="D" * 151,
            reference_number="E" * 61,
        ),
    )
    assert errors_of(referred) == {
        "referred_to_other": ["Who it was referred to must be 150 characters or fewer"],
        "spoken_to": ["Who you spoke to must be 150 characters or fewer"],
        "reference_number": ["Their reference number must be 60 characters or fewer"],
    }


def test_an_escalation_keeps_only_the_answers_that_go_with_its_choices(walk, client_for, dsl):
    # Without JavaScript every follow-up question shows: the DSL typed 'If other, who?' and
    # why the parent was not told, then chose the police, and that the parent was told.
    concern = walk.recorded()
    client = client_for(dsl)
    sent = escalation_post(
        concern,
        referred_to="police",
        referred_to_other="MASH duty team",
        parent_informed="yes",
    )
    assert client.post(url("escalate", concern), sent).status_code == 302
    escalation = Escalation.objects.get(concern=concern)
    assert (escalation.referred_to_other, escalation.parent_not_informed_reason) == ("", "")
    html = client.get(url("detail", concern)).text
    assert "referred to Police" in html
    assert "MASH duty team" not in html


def test_escalating_without_saying_why_the_parent_was_not_told_is_refused(walk, client_for, dsl):
    concern = walk.recorded()
    response = client_for(dsl).post(
        url("escalate", concern), escalation_post(concern, parent_not_informed_reason="")
    )
    assert response.status_code == 200
    assert errors_of(response)["parent_not_informed_reason"] == [
        "Enter why the parent or carer was not told"
    ]
    assert "Bruising to the face; says dad hit her." in response.content.decode()
    assert not Escalation.objects.exists()


def test_recording_the_outcome_of_a_referral(walk, client_for, dsl):
    concern = walk.escalated()
    escalation = concern.escalations.get()
    response = client_for(dsl).post(
        url("outcome", concern, escalation.pk), {"outcome": "section_47"}
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert (escalation.outcome, escalation.outcome_recorded_by) == ("section_47", dsl)
    detail = client_for(dsl).get(url("detail", concern))
    assert Action.RECORD_OUTCOME not in [button["action"] for button in detail.context["buttons"]]


def test_an_outcome_sent_twice_says_it_was_recorded_not_that_it_already_was(walk, client_for, dsl):
    concern = walk.escalated()
    escalation = concern.escalations.get()
    client = client_for(dsl)
    page = client.get(url("outcome", concern, escalation.pk)).text
    # What the page's form carries, as a browser sends it back.
    carried = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page))
    sent = carried | {"outcome": "section_47"}
    assert client.post(url("outcome", concern, escalation.pk), sent).status_code == 302
    second = client.post(url("outcome", concern, escalation.pk), sent, follow=True)
    assert "There is a problem" not in second.text
    assert "The outcome of the referral has been recorded" in second.text
    assert WorkflowEvent.objects.filter(action=Action.RECORD_OUTCOME).count() == 1


def test_the_outcome_page_of_a_referral_with_its_outcome_says_so_and_offers_no_form(
    walk, client_for, dsl
):
    # The concern still awaits another referral's outcome, so the page is not refused for
    # the concern as a whole: a link to the first one's page (from the history, an old tab)
    # must not ask for an outcome the workflow will refuse once it has been typed.
    concern = walk.escalated()
    first = concern.escalations.get()
    escalate_significant_harm(fresh(concern), by=dsl, **escalation_data(referred_to="police"))
    client = client_for(dsl)
    client.post(url("outcome", concern, first.pk), {"outcome": "section_47"})
    response = client.get(url("outcome", concern, first.pk), follow=True)
    assert response.redirect_chain == [(url("detail", concern), 302)]
    assert "The outcome of this escalation is already recorded" in response.text


def test_an_other_outcome_needs_details(walk, client_for, dsl):
    concern = walk.escalated()
    escalation = concern.escalations.get()
    response = client_for(dsl).post(url("outcome", concern, escalation.pk), {"outcome": "other"})
    assert errors_of(response)["details"] == ["Enter what the outcome was"]


def test_the_outcome_page_of_another_concerns_escalation_is_a_404(walk, client_for, dsl):
    concern = walk.escalated()
    other = walk.escalated()
    response = client_for(dsl).get(url("outcome", concern, other.escalations.get().pk))
    assert response.status_code == 404


# Closing and reopening.


def test_closing_from_recorded_explains_the_exception_and_needs_a_full_sentence(
    walk, client_for, dsl
):
    concern = walk.recorded()
    client = client_for(dsl)
    html = client.get(url("close", concern)).content.decode()
    assert "You have not asked the Early Help Hub for advice" in html
    assert "audit report" in html
    offered = re.findall(r'name="outcome"[^>]*value="(\w+)"', html)
    assert offered == ["nfa", "monitoring"]
    early_help = client.post(
        url("close", concern),
        {"outcome": "early_help", "rationale": "We will start a plan with the family next week."}
        | {"expected_version": concern.version},
    )
    assert errors_of(early_help)["outcome"] == [
        "Without the hub's advice a concern can be closed only as no further action or "
        "monitoring in school"
    ]
    assert "We will start a plan with the family next week." in early_help.text

    short = client.post(
        url("close", concern),
        {"outcome": "nfa", "rationale": "Not needed.", "expected_version": concern.version},
    )
    assert errors_of(short)["rationale"] == [
        "Explain in at least a full sentence why no further action is needed without the "
        "hub's advice"
    ]
    assert "Not needed." in short.content.decode()

    done = client.post(
        url("close", concern),
        {
            "outcome": "nfa",
            "rationale": "Her coat was in her bag all along; mum confirmed breakfast is fine.",
            "expected_version": concern.version,
        },
    )
    assert done.status_code == 302
    closure = Closure.objects.get(concern=concern)
    assert closure.without_hub_advice
    assert fresh(concern).status == S.CLOSED


def test_closing_a_reopened_concern_does_not_say_the_hub_was_never_asked(walk, client_for, dsl):
    # The hub advised before the concern was closed; reopened on new information, closing it
    # without asking again is the DSL's decision on this episode. The page must not tell the
    # DSL, who did ask the hub, that they never have.
    concern = walk.closed()
    reopen_concern(concern, by=dsl, reason="Attendance has dropped again.")
    html = words(client_for(dsl).get(url("close", concern)).content.decode())
    assert "You have not asked the Early Help Hub for advice on this concern" not in html
    assert (
        "You have not asked the Early Help Hub for advice since this concern was reopened" in html
    )
    assert "You have not asked the Early Help Hub for advice since the concern was reopened" in html


def test_a_close_drawn_before_a_colleague_recorded_the_referrals_outcome_is_refused_and_kept(
    walk, client_for, dsl, deputy_dsl
):
    # Closing on the page as it was would close without having read what social care did.
    concern = walk.escalated()
    client = client_for(dsl)
    drawn = _drawn(client, url("close", concern))
    sent = {"outcome": "csc", "rationale": "Children's social care lead; we support in school."}
    record_escalation_outcome(concern.escalations.get(), by=deputy_dsl, outcome="section_47")

    refused = client.post(url("close", concern), sent | drawn)

    assert refused.status_code == 200
    assert "This concern has changed" in refused.text
    assert refused.context["form"]["rationale"].value() == sent["rationale"]
    assert fresh(concern).status == S.ESCALATED
    again = sent | {
        name: refused.context["form"][name].value()
        for name in ("expected_version", "submission_key")
    }
    assert client.post(url("close", concern), again).status_code == 302
    assert fresh(concern).status == S.CLOSED


@pytest.mark.parametrize("action", ["close", "conversation", "request_advice", "reopen"])
def test_a_second_click_says_it_was_done_not_that_nothing_was_saved(walk, client_for, dsl, action):
    concern = {
        "close": walk.conversation_logged,
        "conversation": walk.advice_received,
        "request_advice": walk.recorded,
        "reopen": walk.closed,
    }[action]()
    sent = {
        "close": {"outcome": "monitoring", "rationale": "Breakfast club is in place now."},
        "conversation": held_post(concern),
        "request_advice": advice_post(concern),
        "reopen": {"reason": "New information from the class teacher."},
    }[action]
    client = client_for(dsl)
    # The key the page itself carries, as a browser sends it back.
    page = client.get(url(action, concern)).text
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    sent = sent | {"expected_version": concern.version, "submission_key": key}
    before = WorkflowEvent.objects.count()
    assert client.post(url(action, concern), sent).status_code == 302
    second = client.post(url(action, concern), sent, follow=True)
    assert "There is a problem" not in second.text
    assert "Nothing was saved" not in second.text
    assert WorkflowEvent.objects.count() == before + 1
    # Another page's form, drawn before the first was sent, is still refused and kept.
    other = client.post(url(action, concern), sent | {"submission_key": str(uuid.uuid4())})
    assert other.status_code == 200
    assert WorkflowEvent.objects.count() == before + 1


@pytest.mark.parametrize(
    "action", ["close", "conversation", "request_advice", "reopen", "withdraw_request"]
)
def test_a_double_click_says_it_was_done_while_the_first_click_is_still_answering(
    walk, client_for, dsl, action
):
    # A double click sends the form twice at once: the second waits for the first to save,
    # and is answered before the first has told the session it was done. Here the second
    # comes from a session the first never told, as it is then.
    concern = {
        "close": walk.conversation_logged,
        "conversation": walk.advice_received,
        "request_advice": walk.recorded,
        "reopen": walk.closed,
        "withdraw_request": walk.claimed,
    }[action]()
    more = [AdviceRequest.objects.get(concern=concern).pk] if action == "withdraw_request" else []
    address = url(action, concern, *more)
    sent = {
        "close": {"outcome": "monitoring", "rationale": "Breakfast club is in place now."},
        "conversation": held_post(concern),
        "request_advice": advice_post(concern),
        "reopen": {"reason": "New information from the class teacher."},
        "withdraw_request": {"reason": "Mum came in and explained."},
    }[action]
    first = client_for(dsl)
    carried = dict(
        re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', first.get(address).text)
    )
    sent = carried | sent
    before = WorkflowEvent.objects.count()
    assert first.post(address, sent).status_code == 302
    second = client_for(dsl).post(address, sent, follow=True)
    assert "Nothing was saved" not in second.text
    assert "There is a problem" not in second.text
    assert second.redirect_chain == [(url("detail", concern), 302)]
    assert WorkflowEvent.objects.count() == before + 1


def test_closing_a_concern_marked_at_immediate_risk_says_to_escalate_or_ask_first(
    walk, client_for, dsl
):
    concern = walk.recorded(immediate_risk=True)
    client = client_for(dsl)
    html = client.get(url("close", concern)).text
    assert "cannot be closed until it has been escalated or the Early Help Hub" in html
    assert url("escalate", concern) in html
    assert url("request_advice", concern) in html
    assert "You can close it now" not in html
    reason = "Checked with the class teacher: the bruise was from football at lunch."
    refused = client.post(
        url("close", concern),
        {"outcome": "nfa", "rationale": reason, "expected_version": concern.version},
    )
    assert "immediate risk" in errors_of(refused)["outcome"][0]
    assert reason in refused.text
    assert fresh(concern).status == ConcernStatus.RECORDED

    escalated = walk.escalated(walk.recorded(immediate_risk=True))
    assert "cannot be closed until" not in client.get(url("close", escalated)).text


def test_the_close_page_says_a_referral_the_hub_advised_is_needed_before_reasons_are_typed(
    walk, client_for, dsl, hub_advisor
):
    concern = walk.claimed()
    give_advice(walk.request(concern), by=hub_advisor, **given_advice(next_step="mash"))
    log_parent_conversation(fresh(concern), by=dsl, **held_conversation())
    html = client_for(dsl).get(url("close", concern)).text
    assert "Record that referral (escalate, to Children&#x27;s social care (MASH)" in html
    assert url("escalate", concern) in html

    walk.escalated(fresh(concern))
    assert "Record that referral" not in client_for(dsl).get(url("close", concern)).text


def test_the_close_page_says_an_open_advice_request_must_be_settled_before_reasons_are_typed(
    walk, client_for, dsl
):
    # Escalated while the hub had the request: closing is refused until the advice comes or
    # the request is withdrawn, so the page says so before the DSL types their reasons.
    concern = walk.escalated(walk.claimed())
    request = AdviceRequest.objects.get(concern=concern)
    html = client_for(dsl).get(url("close", concern)).text
    assert "An advice request is still open with the hub" in html
    assert url("withdraw_request", concern, request.pk) in html

    assert "still open with the hub" not in client_for(dsl).get(url("close", walk.escalated())).text


def test_the_head_teachers_inbox_does_not_offer_to_add_to_the_record(client_for, head):
    html = client_for(head).get(reverse("concerns:inbox")).text
    assert "You can read every concern in the school." in html
    assert "addendum" not in html


def test_closing_after_the_conversation(walk, client_for, dsl):
    concern = walk.conversation_logged()
    response = client_for(dsl).post(
        url("close", concern),
        {"outcome": "monitoring", "rationale": "Breakfast club.", "expected_version": 9999},
    )
    assert "has changed since you opened the page" in response.content.decode()
    response = client_for(dsl).post(
        url("close", concern),
        {
            "outcome": "monitoring",
            "rationale": "Breakfast club.",
            "expected_version": concern.version,
        },
    )
    assert response.status_code == 302
    assert not Closure.objects.get(concern=concern).without_hub_advice


def test_closing_needs_an_outcome_and_a_reason(walk, client_for, dsl):
    concern = walk.conversation_logged()
    response = client_for(dsl).post(url("close", concern), {"expected_version": concern.version})
    assert errors_of(response) == {
        "outcome": ["Select the outcome"],
        "rationale": ["Enter the reason for closing the concern"],
    }


def test_reopening_a_closed_concern(walk, client_for, dsl):
    concern = walk.closed()
    client = client_for(dsl)
    empty = client.post(url("reopen", concern), {"expected_version": concern.version})
    assert errors_of(empty) == {"reason": ["Enter why the concern is being reopened"]}
    response = client.post(
        url("reopen", concern),
        {"reason": "Attendance has dropped again.", "expected_version": concern.version},
    )
    assert response.status_code == 302
    assert fresh(concern).status == S.RECORDED


def test_a_reason_to_reopen_a_concern_a_colleague_reopened_meanwhile_is_offered_as_an_addendum(
    walk, client_for, dsl, deputy_dsl
):
    """Two DSLs hear the same news of a closed concern: the second to press Reopen cannot
    reopen it again, and their reason, which the first did not write, must not be lost."""
    concern = walk.closed()
    drawn = {"expected_version": concern.version, "submission_key": str(uuid.uuid4())}
    client_for(deputy_dsl).post(
        url("reopen", concern),
        {"reason": "Police called.", "expected_version": concern.version},
    )
    client = client_for(dsl)

    response = client.post(url("reopen", concern), drawn | {"reason": "Mum says he ran off."})

    assert response["Location"] == url("addendum", concern)
    page = client.get(response["Location"])
    assert "reopened by a colleague since you opened the page" in words(page.content.decode())
    assert "Mum says he ran off." in page.context["form"]["text"].value()
    assert fresh(concern).status == S.RECORDED
    assert concern.events.filter(action=Action.REOPEN).count() == 1


# Withdrawing a request.


def test_withdrawing_the_advice_request(walk, client_for, dsl):
    concern = walk.claimed()
    request = AdviceRequest.objects.get(concern=concern)
    response = client_for(dsl).post(
        url("withdraw_request", concern, request.pk),
        {"reason": "Mum came in and explained.", "expected_version": concern.version},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AdviceStatus.WITHDRAWN
    assert fresh(concern).status == S.RECORDED


def test_the_withdraw_page_does_not_say_an_advisor_who_has_left_the_hub_has_the_request(
    walk, client_for, dsl, hub_advisor
):
    # Their account switched off, nobody is working on the request: the DSL deciding whether
    # to withdraw it is told so, as the concern page's steps tell them, not that it is claimed.
    concern = walk.claimed()
    request = AdviceRequest.objects.get(concern=concern)
    said = " ".join(
        words(client_for(dsl).get(url("withdraw_request", concern, request.pk)).text).split()
    )
    assert "by Ada Advisor." in said
    hub_advisor.is_active = False
    hub_advisor.save(update_fields=["is_active"])
    said = " ".join(
        words(client_for(dsl).get(url("withdraw_request", concern, request.pk)).text).split()
    )
    assert (
        "It is waiting for a hub advisor to pick it up (Ada Advisor, who claimed it, has left "
        "the hub)." in said
    )
    assert "Claimed by Ada Advisor" not in said


def test_the_withdraw_page_of_an_escalated_concern_says_it_stays_escalated(walk, client_for, dsl):
    # Escalated while the hub had it: withdrawing the request does not undo the escalation, so
    # the page must not say the concern goes back to where it was before the DSL asked.
    concern = walk.escalated(walk.claimed())
    request = AdviceRequest.objects.get(concern=concern)
    page = client_for(dsl).get(url("withdraw_request", concern, request.pk)).text
    assert "goes back to where it was" not in page
    assert "stays escalated" in page
    claimed = walk.claimed()
    request = AdviceRequest.objects.get(concern=claimed)
    page = client_for(dsl).get(url("withdraw_request", claimed, request.pk)).text
    assert "The concern goes back to where it was before you asked." in page


def test_asking_again_after_withdrawing_starts_from_what_was_asked(walk, client_for, dsl):
    # WCAG 3.3.7: a DSL who withdrew a request (to add something, say) is not made to type the
    # summary and the question again: the page starts from them, to change or send as they are.
    concern = walk.claimed()
    request = AdviceRequest.objects.get(concern=concern)
    client = client_for(dsl)
    client.post(
        url("withdraw_request", concern, request.pk),
        {
            "reason": "Sent too soon: the summary leaves out the sibling.",
            "expected_version": concern.version,
        },
    )
    assert fresh(concern).status == S.RECORDED
    form = client.get(url("request_advice", concern)).context["form"]
    assert form["summary"].value() == request.summary
    assert form["question"].value() == request.question
    assert form["urgency"].value() == request.urgency
    assert form["expected_version"].value() == fresh(concern).version


def test_a_follow_up_request_starts_from_the_summary_the_hub_was_given(walk, client_for, dsl):
    # The summary of the case was typed once already; the question is a new one.
    concern = walk.advice_received()
    request = AdviceRequest.objects.get(concern=concern)
    form = client_for(dsl).get(url("request_advice", concern)).context["form"]
    assert form["summary"].value() == request.summary
    assert not form["question"].value()
    assert not form["urgency"].value()


def test_a_first_request_starts_empty(walk, client_for, dsl):
    form = client_for(dsl).get(url("request_advice", walk.recorded())).context["form"]
    assert not form["summary"].value()
    assert not form["question"].value()


def test_withdrawing_a_request_whose_concern_has_changed_is_refused(walk, client_for, dsl):
    concern = walk.with_hub()
    request = AdviceRequest.objects.get(concern=concern)
    response = client_for(dsl).post(
        url("withdraw_request", concern, request.pk),
        {"reason": "Resolved.", "expected_version": concern.version - 1},
    )
    assert "This concern has changed" in response.content.decode()
    request.refresh_from_db()
    assert request.status == AdviceStatus.OPEN


# The hub's moves on a request while a DSL has a page on its concern open. Who at the hub has
# the request is nothing the school acts on: a DSL recording a referral at 4pm, or withdrawing a
# request sent about the wrong child, is not sent back to start again because the hub claimed
# it meanwhile. A new urgency is the school's to see first.


def _hub_moves(hub_advisor, hub_manager, authority):
    def claim(request):
        claim_advice_request(request, by=hub_advisor)

    def release(request):
        claim_advice_request(request, by=hub_advisor)
        release_advice_request(request, by=hub_manager)

    def reassign(request):
        reassign_advice_request(request, by=hub_manager, to=member(Role.HUB_ADVISOR, authority))

    return {"claim": claim, "release": release, "reassign": reassign}


def _drawn(client, page):
    """What the page's form carries, as the browser sends it back."""
    form = client.get(page).context["form"]
    return {name: form[name].value() for name in ("expected_version", "submission_key")}


@pytest.mark.parametrize("hub_move", ["claim", "release", "reassign"])
@pytest.mark.parametrize("escalated_first", [False, True])
def test_a_dsls_escalation_is_recorded_though_the_hub_moved_the_request_meanwhile(
    walk, client_for, dsl, hub_advisor, hub_manager, authority, hub_move, escalated_first
):
    concern = walk.with_hub()
    if escalated_first:  # another referral recorded while the hub still has the request
        concern = walk.escalated(concern)
    client = client_for(dsl)
    drawn = _drawn(client, url("escalate", concern))
    _hub_moves(hub_advisor, hub_manager, authority)[hub_move](walk.request(concern))
    response = client.post(url("escalate", concern), escalation_post(concern) | drawn)
    assert response.status_code == 302
    referral = fresh(concern).escalations.latest("pk")
    assert (fresh(concern).status, referral.reference_number) == (S.ESCALATED, "MASH-991")


@pytest.mark.parametrize("hub_move", ["claim", "release", "reassign"])
def test_a_dsls_withdrawal_is_made_though_the_hub_moved_the_request_meanwhile(
    walk, client_for, dsl, hub_advisor, hub_manager, authority, hub_move
):
    concern = walk.with_hub()
    request = walk.request(concern)
    client = client_for(dsl)
    page = url("withdraw_request", concern, request.pk)
    drawn = _drawn(client, page)
    _hub_moves(hub_advisor, hub_manager, authority)[hub_move](request)
    response = client.post(page, {"reason": "Sent about the wrong child."} | drawn)
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.withdrawn_reason) == (
        AdviceStatus.WITHDRAWN,
        "Sent about the wrong child.",
    )
    assert fresh(concern).status == S.RECORDED


def test_a_withdrawal_drawn_before_the_hub_made_the_request_red_is_refused_and_kept(
    walk, client_for, dsl, hub_manager
):
    # The hub now thinks the child's case more urgent than the school did: the DSL sees that
    # before withdrawing. What they typed is kept, and the page answers to the new state.
    concern = walk.with_hub()
    request = walk.request(concern)
    client = client_for(dsl)
    page = url("withdraw_request", concern, request.pk)
    drawn = _drawn(client, page)
    rerate_advice_request(request, by=hub_manager, urgency="red", reason="Sibling known to us.")
    response = client.post(page, {"reason": "Sent about the wrong child."} | drawn)
    assert response.status_code == 200
    assert "This concern has changed" in response.text
    assert response.context["form"]["reason"].value() == "Sent about the wrong child."
    assert "Red" in response.text
    request.refresh_from_db()
    assert request.status == AdviceStatus.OPEN
    again = {"reason": "Sent about the wrong child."} | {
        name: response.context["form"][name].value()
        for name in ("expected_version", "submission_key")
    }
    assert client.post(page, again).status_code == 302


def test_the_withdraw_page_of_a_request_already_answered_says_so_and_offers_no_form(
    walk, client_for, dsl
):
    # A follow-up request is open, so the concern has one to withdraw: the page of the first,
    # answered one (an old tab, the browser's history) must not take a reason for nothing.
    concern = walk.advice_received()
    answered = AdviceRequest.objects.get(concern=concern)
    walk.with_hub(concern)
    response = client_for(dsl).get(url("withdraw_request", concern, answered.pk), follow=True)
    assert response.redirect_chain == [(url("detail", concern), 302)]
    assert "Advice has already been given on this request." in response.text


def test_withdrawing_another_concerns_request_is_a_404(walk, client_for, dsl):
    concern = walk.with_hub()
    other = walk.with_hub()
    other_request = AdviceRequest.objects.get(concern=other)
    response = client_for(dsl).get(url("withdraw_request", concern, other_request.pk))
    assert response.status_code == 404


# Addenda: the DSLs and the person who recorded it; the head teacher reads only.


@pytest.mark.parametrize("persona", ["dsl", "deputy_dsl", "teacher"])
def test_an_addendum_can_be_added_by(request, walk, client_for, persona):
    concern = walk.closed()
    user = request.getfixturevalue(persona)
    response = client_for(user).post(url("addendum", concern), {"text": "Later: all well."})
    assert response.status_code == 302
    addendum = Addendum.objects.get(concern=concern)
    assert (addendum.author, addendum.text) == (user, "Later: all well.")


def test_the_same_addendum_form_sent_twice_adds_it_once(walk, client_for, teacher):
    """A second click, or the browser sending the form again: an addendum can never be
    removed, so a duplicate would stay in the child's chronology for good."""
    concern = walk.recorded()
    client = client_for(teacher)
    page = client.get(url("addendum", concern))
    key = page.context["form"]["submission_key"].value()
    assert f'name="submission_key" value="{key}"' in page.text
    sent = {"text": "Later: all well.", "submission_key": key}
    for _ in range(2):
        assert client.post(url("addendum", concern), sent).status_code == 302
    assert Addendum.objects.filter(concern=concern).count() == 1
    assert concern.events.filter(action=Action.ADD_ADDENDUM).count() == 1
    another = client.get(url("addendum", concern)).context["form"]["submission_key"].value()
    assert another != key
    client.post(url("addendum", concern), {**sent, "submission_key": another})
    assert Addendum.objects.filter(concern=concern).count() == 2


def test_the_head_teacher_is_not_offered_the_addendum_page(walk, client_for, head):
    concern = walk.closed()
    response = client_for(head).post(url("addendum", concern), {"text": "Later: all well."})
    assert response.status_code == 403
    assert not Addendum.objects.exists()


def test_a_colleague_cannot_add_an_addendum_to_someone_elses_concern(walk, client_for, school):
    concern = walk.recorded()
    colleague = member(Role.STAFF, school)
    response = client_for(colleague).post(url("addendum", concern), {"text": "x"})
    assert response.status_code == 404
    assert not Addendum.objects.exists()


def test_an_empty_addendum_is_refused(walk, client_for, teacher):
    concern = walk.recorded()
    response = client_for(teacher).post(url("addendum", concern), {"text": "  "})
    assert errors_of(response) == {"text": ["Enter the addendum"]}


def test_an_addendum_pasted_with_a_nul_character_is_added_without_it(walk, client_for, teacher):
    """Text copied from another program can carry a NUL, which no one can see on the page: it
    was refused with "Null characters are not allowed.", a mistake the writer could not find
    to put right. It is dropped, as the record-a-concern pages drop it, and the rest is kept."""
    concern = walk.recorded()
    response = client_for(teacher).post(
        url("addendum", concern), {"text": "Her aunt\x00 collected her at 3:30pm."}
    )
    assert response.status_code == 302
    assert Addendum.objects.get(concern=concern).text == "Her aunt collected her at 3:30pm."


def test_a_teacher_is_told_their_addendum_went_to_the_dsl_and_what_to_do_if_urgent(
    walk, client_for, teacher, dsl
):
    """What a member of staff adds later may be urgent ("she is afraid to go home tonight"):
    they are told their DSL has been told, and to speak to them too if the child may be at
    immediate risk, as after recording the concern. It said only "Your addendum has been
    added", leaving them to wonder whether anyone would read it. A DSL adding one is told
    that only: they act on it themselves."""
    concern = walk.recorded()
    added = client_for(teacher).post(
        url("addendum", concern), {"text": "She is afraid to go home tonight."}, follow=True
    )
    assert notice(added.text) == (
        "Your addendum has been added and your DSL has been told. If the child may be at "
        "immediate risk of significant harm, speak to them now as well, in person or by phone."
    )
    added = client_for(dsl).post(url("addendum", concern), {"text": "Spoke to her."}, follow=True)
    assert notice(added.text) == "Your addendum has been added"


def test_hub_staff_use_their_own_pages(walk, client_for, hub_advisor):
    concern = walk.with_hub()
    assert client_for(hub_advisor).get(url("addendum", concern)).status_code == 403


@pytest.mark.parametrize(
    ("step", "post", "field", "year"),
    [
        ("conversation", held_post, "held_on", "26"),
        ("escalate", escalation_post, "referred_on", "1"),
        ("escalate", escalation_post, "referred_on", "20266"),
    ],
)
def test_a_year_without_4_numbers_is_refused_beside_the_date(
    walk, client_for, dsl, step, post, field, year
):
    """'26' would be stored as the year 26, and shown as '28 November 26', which reads as right."""
    concern = walk.advice_received()
    before = case_state()
    response = client_for(dsl).post(url(step, concern), post(concern, **{f"{field}_2": year}))
    assert response.status_code == 200
    assert errors_of(response)[field] == ["The year must include 4 numbers, for example 2026"]
    assert case_state() == before


@pytest.mark.parametrize(
    ("day", "month", "year"), [("31", "2", "2026"), ("1", "13", "2026"), ("1", "1", "0000")]
)
def test_a_referral_date_that_does_not_exist_is_refused_in_plain_words(
    walk, client_for, dsl, day, month, year
):
    """Not Python's "day is out of range for month" or "year 0 is out of range"."""
    concern = walk.recorded()
    response = client_for(dsl).post(
        url("escalate", concern),
        escalation_post(concern, referred_on_0=day, referred_on_1=month, referred_on_2=year),
    )
    assert errors_of(response)["referred_on"] == ["The date of the referral must be a real date"]


def not_held_post(concern, **overrides):
    data = {
        "held": "no",
        "not_held_reason": "unreachable",
        "attempts": "Phoned twice, letter home",
        "details": "No answer on any number.",
        "expected_version": concern.version,
    }
    return data | overrides


def test_a_conversation_held_after_one_not_held_is_logged_from_its_page(walk, client_for, dsl):
    concern = walk.advice_received()
    client = client_for(dsl)
    assert client.post(url("conversation", concern), not_held_post(concern)).status_code == 302
    concern = fresh(concern)
    assert client.get(url("conversation", concern)).status_code == 200
    response = client.post(url("conversation", concern), held_post(concern), follow=True)
    assert response.redirect_chain == [(url("detail", concern), 302)]
    assert "The parent or carer conversation has been logged" in response.text
    assert [c.held for c in concern.conversations.all()] == [False, True]
    assert fresh(concern).status == S.PARENT_CONVERSATION_LOGGED


def test_after_a_conversation_withheld_for_the_childs_safety_the_page_says_to_escalate(
    walk, client_for, dsl
):
    concern = walk.advice_received()
    client = client_for(dsl)
    sent = not_held_post(concern, not_held_reason="risk", attempts="")
    assert client.post(url("conversation", concern), sent).status_code == 302
    concern = fresh(concern)
    response = client.get(url("conversation", concern), follow=True)
    assert response.redirect_chain == [(url("detail", concern), 302)]
    assert "would place the child at risk" in response.text
    assert "already logged" not in response.text
    events = WorkflowEvent.objects.count()
    refused = client.post(url("conversation", concern), held_post(concern))
    assert refused.status_code == 200
    assert "would place the child at risk" in refused.text
    assert 'value="Mrs Ahmed"' in refused.text  # nothing typed is lost
    assert concern.conversations.count() == 1
    assert WorkflowEvent.objects.count() == events
    assert (fresh(concern).status, fresh(concern).version) == (concern.status, concern.version)


def test_a_conversation_not_held_sent_twice_is_logged_once(walk, client_for, dsl):
    # Once one not held is logged another may follow, so the version and key must stop a
    # second click from logging it twice.
    concern = walk.advice_received()
    client = client_for(dsl)
    page = client.get(url("conversation", concern)).text
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    sent = not_held_post(concern) | {"submission_key": key}
    assert client.post(url("conversation", concern), sent).status_code == 302
    second = client.post(url("conversation", concern), sent, follow=True)
    assert second.redirect_chain == [(url("detail", concern), 302)]
    assert "There is a problem" not in second.text
    assert concern.conversations.count() == 1
