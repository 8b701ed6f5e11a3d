"""The DSL's pages for a subject access request: recorded from the pupil's chronology, listed
soonest due first until answered, extended within the first month, answered with the reason
for anything withheld; each form keeps what was typed and says what is wrong beside the
field. The head teacher reads the lists."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import SubjectAccessRequest
from tests.factories import PupilFactory
from tests.notices import notice
from workflow.subject_access import (
    ask_to_clarify,
    correct_request,
    due_on,
    extend_request,
    record_answer,
    record_request,
    request_version,
)

LIST = reverse("concerns:access_requests")
ANSWERED = LIST + "?answered=yes"


def day(name, moment):
    return {f"{name}_0": moment.day, f"{name}_1": moment.month, f"{name}_2": moment.year}


def today():
    return timezone.localdate()


def new(pupil):
    return reverse("concerns:access_request_new", args=[pupil.pk])


def extend(request):
    return reverse("concerns:access_request_extend", args=[request.pk])


def answer(request):
    return reverse("concerns:access_request_answer", args=[request.pk])


def clarify(request):
    return reverse("concerns:access_request_clarify", args=[request.pk])


def clarified(request):
    return reverse("concerns:access_request_clarified", args=[request.pk])


def ask(pupil, dsl, days_ago=2, requester="Jane Ahmed, mother"):
    return record_request(
        pupil, by=dsl, requester=requester, received_on=today() - timedelta(days=days_ago)
    )


def test_a_dsl_records_a_request_from_the_chronology_then_extends_and_answers_it(
    walk, pupil, dsl, client_for
):
    walk.recorded()
    client = client_for(dsl)
    chronology = reverse("concerns:pupil_chronology", args=[pupil.pk])
    assert f'href="{new(pupil)}"' in client.get(chronology).content.decode()

    received = today() - timedelta(days=3)
    response = client.post(
        new(pupil),
        {"requester": "Jane Ahmed, mother", **day("received_on", received)},
        follow=True,
    )
    assert response.redirect_chain == [(LIST, 302)]
    request = SubjectAccessRequest.objects.get()
    page = response.content.decode()
    due = due_on(received)
    assert f"is due to be answered by {due.day} {due:%B %Y}" in page
    assert "Jane Ahmed, mother" in page
    assert f'href="{answer(request)}"' in page
    assert f'href="{extend(request)}"' in page

    response = client.post(
        extend(request), {**day("told_on", today()), "reason": "Many records."}, follow=True
    )
    request.refresh_from_db()
    assert request.due_on == due_on(received, 3)
    page = response.content.decode()
    told = today()
    extended = f"Extended, the requester told on {told.day} {told:%B %Y}: "
    assert extended + '<span dir="auto">Many records.</span>' in page
    assert f'href="{extend(request)}"' not in page  # once only

    response = client.post(
        answer(request),
        {
            **day("answered_on", today()),
            "basis": "agreed",
            "answer": "in_part",
            "withheld_reason": "A third party's account.",
        },
        follow=True,
    )
    assert response.redirect_chain == [(LIST, 302)]
    assert "There are no requests to answer" in response.content.decode()
    page = client.get(ANSWERED).content.decode()
    assert "Disclosed in part: some information was withheld" in page
    assert 'Withheld because: <span dir="auto">A third party&#x27;s account.</span>' in page
    assert "and agreed to the requester acting for them" in page
    assert AuditEvent.objects.get(action="pupil.access_request.answer").detail["basis"] == "agreed"
    actions = list(
        AuditEvent.objects.filter(action__startswith="pupil.access_request.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert [a for a in actions if not a.endswith(".view")] == [
        "pupil.access_request.record",
        "pupil.access_request.extend",
        "pupil.access_request.answer",
    ]


def test_a_mistake_is_shown_beside_its_field_and_what_was_typed_is_kept(pupil, dsl, client_for):
    tomorrow = today() + timedelta(days=1)
    response = client_for(dsl).post(
        new(pupil), {"requester": "Jane Ahmed, mother", **day("received_on", tomorrow)}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["received_on"] == [
        "The date the request was received must be today or in the past"
    ]
    assert form["requester"].value() == "Jane Ahmed, mother"
    assert not SubjectAccessRequest.objects.exists()


def test_withholding_without_a_reason_is_refused_beside_the_reason(walk, pupil, dsl, client_for):
    walk.recorded()
    request = ask(pupil, dsl)
    response = client_for(dsl).post(
        answer(request), {**day("answered_on", today()), "basis": "pupil", "answer": "withheld"}
    )
    assert response.status_code == 200
    assert "withheld_reason" in response.context["form"].errors
    assert response.context["form"]["answer"].value() == "withheld"
    request.refresh_from_db()
    assert request.answered_on is None


def test_the_list_is_soonest_due_first_and_flags_the_overdue(pupil, school, dsl, client_for):
    late = ask(pupil, dsl, days_ago=40, requester="Late Asker")
    soon = ask(PupilFactory(school=school), dsl, days_ago=20, requester="Soon Asker")
    later = ask(PupilFactory(school=school), dsl, days_ago=1, requester="Later Asker")
    page = client_for(dsl).get(LIST).content.decode()
    positions = [page.index(r.requester) for r in (late, soon, later)]
    assert positions == sorted(positions)
    assert page.count("Overdue") == 1
    assert page.index("Overdue") < page.index("Soon Asker")
    # Each may still be extended: the requester may have been told in time (the form asks).
    assert f'href="{extend(late)}"' in page
    assert f'href="{extend(soon)}"' in page


def link_names(page):
    """Each link's address and the name a screen reader gives it (its text, hidden or not)."""
    main = page.split("<main")[1].split("</main>")[0]
    return [
        (href, " ".join(re.sub(r"<[^>]+>", "", text).split()))
        for href, text in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', main, re.S)
    ]


def test_two_requests_about_one_pupil_have_links_told_apart(pupil, dsl, client_for):
    """Both parents ask for the same child's records: in the list of links a screen reader
    offers, each request's links say whose request they are for and when it arrived, so the
    DSL does not answer or extend the wrong one (WCAG 2.4.4: the row's header is the pupil,
    the same for both)."""
    mother = ask(pupil, dsl, days_ago=3, requester="Jane Ahmed, mother")
    father = ask(pupil, dsl, days_ago=2, requester="Omar Ahmed, father")
    links = link_names(client_for(dsl).get(LIST).content.decode())
    for step in (answer, extend, clarify):
        names = {name for href, name in links if href in (step(mother), step(father))}
        assert len(names) == 2, names
    assert any(href == answer(father) and "Omar Ahmed, father" in name for href, name in links)


def test_the_answered_list_is_latest_first_and_flags_late_answers(clock, pupil, dsl, client_for):
    clock.set(2026, 11, 20, 10, 0)
    first = record_request(pupil, by=dsl, requester="First", received_on=date(2026, 9, 1))
    second = record_request(pupil, by=dsl, requester="Second", received_on=date(2026, 10, 1))
    record_answer(
        first, basis="pupil", by=dsl, answered_on=date(2026, 10, 20), answer="none_held"
    )  # late
    record_answer(second, basis="pupil", by=dsl, answered_on=date(2026, 10, 30), answer="none_held")
    page = client_for(dsl).get(ANSWERED).content.decode()
    assert page.index("Second") < page.index("First")
    assert page.count(">Late<") == 1
    assert page.index(">Late<") > page.index("First")


def test_the_lists_page_50_at_a_time(pupil, school, dsl, client_for):
    for n in range(51):
        ask(PupilFactory(school=school), dsl, days_ago=n % 20)
    client = client_for(dsl)
    first = client.get(LIST).context["page"]
    second = client.get(LIST, {"after": first.next_cursor}).context["page"]
    assert (len(first.rows), len(second.rows)) == (50, 1)
    assert not {r.pk for r in first.rows} & {r.pk for r in second.rows}


def test_the_head_teacher_reads_the_lists_without_the_steps(pupil, dsl, head, client_for):
    request = ask(pupil, dsl)
    client = client_for(head)
    page = client.get(LIST).content.decode()
    assert "Jane Ahmed, mother" in page
    assert f'href="{answer(request)}"' not in page
    assert f'href="{extend(request)}"' not in page
    for url in (new(pupil), extend(request), answer(request)):
        assert client.get(url).status_code == 403
    event = AuditEvent.objects.filter(action="pupil.access_requests.view").latest("pk")
    assert (event.actor, event.object_type) == (head, "school")


@pytest.mark.parametrize("persona", ["teacher", "hub_advisor"])
def test_staff_and_hub_do_not_see_requests(request, pupil, dsl, client_for, persona):
    access_request = ask(pupil, dsl)
    client = client_for(request.getfixturevalue(persona))
    for url in (LIST, new(pupil), answer(access_request)):
        assert client.get(url).status_code == 403


def test_another_schools_dsl_gets_a_404_audited(pupil, dsl, other_school_dsl, client_for):
    access_request = ask(pupil, dsl)
    client = client_for(other_school_dsl)
    for url in (answer(access_request), extend(access_request)):
        assert client.get(url).status_code == 404
    assert client.post(answer(access_request), {"answer": "disclosed"}).status_code == 404
    denied = AuditEvent.objects.filter(action="access.denied", object_type="subjectaccessrequest")
    assert denied.count() == 3
    assert "Jane Ahmed" not in client.get(LIST).content.decode()
    access_request.refresh_from_db()
    assert access_request.answered_on is None


def test_an_answered_request_goes_back_to_the_list_and_says_so(pupil, dsl, client_for):
    access_request = ask(pupil, dsl)
    record_answer(access_request, basis="pupil", by=dsl, answered_on=today(), answer="none_held")
    client = client_for(dsl)
    for url in (answer(access_request), extend(access_request)):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(LIST, 302)]
        assert f"The request about {pupil.full_name} is already answered" in (notice(response.text))


def test_an_extension_told_too_late_is_refused_beside_the_date(pupil, dsl, client_for):
    access_request = ask(pupil, dsl, days_ago=40)
    response = client_for(dsl).post(
        extend(access_request), {**day("told_on", today()), "reason": "Many records."}
    )
    assert response.status_code == 200
    last = due_on(access_request.received_on)
    assert response.context["form"].errors["told_on"] == [
        f"The requester had to be told by {last.day} {last:%B %Y}, within a month of "
        "receiving the request: after that it cannot be extended"
    ]
    assert response.context["form"]["reason"].value() == "Many records."
    access_request.refresh_from_db()
    assert access_request.extension_reason == ""


def test_an_extended_request_is_not_extended_again(clock, pupil, dsl, client_for):
    access_request = ask(pupil, dsl)
    extend_request(access_request, by=dsl, told_on=today(), reason="Many records.")
    client = client_for(dsl)
    assert f'href="{extend(access_request)}"' not in client.get(LIST).content.decode()
    response = client.get(extend(access_request), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert f"The request about {pupil.full_name} is already extended" in notice(response.text)


def test_a_request_due_today_is_flagged(clock, pupil, dsl, client_for):
    clock.set(2026, 10, 8, 10, 0)
    record_request(pupil, by=dsl, requester="A parent", received_on=date(2026, 9, 8))
    page = client_for(dsl).get(LIST).content.decode()
    assert '<strong class="govuk-tag govuk-tag--yellow">Due today</strong>' in page
    assert "Overdue" not in page


def test_a_late_answer_is_flagged_late_not_overdue(clock, pupil, dsl, client_for):
    clock.set(2026, 11, 20, 10, 0)
    sar = record_request(pupil, by=dsl, requester="A parent", received_on=date(2026, 9, 1))
    record_answer(sar, basis="pupil", by=dsl, answered_on=date(2026, 10, 20), answer="none_held")
    page = client_for(dsl).get(ANSWERED).content.decode()
    assert ">Late<" in page
    assert "Overdue" not in page


def test_the_head_teacher_is_not_offered_a_request_on_the_chronology(pupil, head, client_for):
    page = client_for(head).get(reverse("concerns:pupil_chronology", args=[pupil.pk]))
    assert new(pupil) not in page.content.decode()


def test_an_error_page_title_starts_error(pupil, dsl, client_for):
    page = client_for(dsl).post(new(pupil), {"requester": ""})
    assert "<title>Error: " in page.content.decode()


def test_the_step_pages_lead_to_the_whole_file(pupil, dsl, client_for):
    access_request = ask(pupil, dsl)
    link = f'href="{reverse("concerns:pupil_file", args=[pupil.pk])}"'
    client = client_for(dsl)
    for url in (new(pupil), answer(access_request)):
        assert link in client.get(url).content.decode()


def test_a_dsl_asks_the_requester_to_clarify_and_the_time_limit_stops_until_they_answer(
    clock, pupil, dsl, client_for
):
    # Received Tuesday 8 September 2026, due Thursday 8 October.
    clock.set(2026, 9, 10, 10, 0)
    request = record_request(
        pupil, by=dsl, requester="Jane Ahmed, mother", received_on=date(2026, 9, 8)
    )
    client = client_for(dsl)
    assert f'href="{clarify(request)}"' in client.get(LIST).text
    response = client.post(
        clarify(request),
        {**day("asked_on", date(2026, 9, 10)), "question": "Which school years?"},
        follow=True,
    )
    assert response.redirect_chain == [(LIST, 302)]
    page = response.text
    assert "stands still from 10 September 2026 until the requester answers" in page
    assert "Time limit stopped" in page
    assert "The requester was asked to clarify on 10 September 2026" in page
    assert f'href="{clarify(request)}"' not in page  # once only
    assert f'href="{clarified(request)}"' in page
    assert f'href="{answer(request)}"' in page  # the school may still answer meanwhile
    step = client.get(answer(request)).text
    assert "The time limit is stopped until the requester answers" in step
    assert 'On 10 September 2026: <span dir="auto">Which school years?</span>' in step

    clock.set(2026, 10, 20, 10, 0)  # past the first due day, still waiting: not overdue
    client = client_for(dsl)  # signed in again, weeks later
    assert "Overdue" not in client.get(LIST).text
    response = client.post(clarified(request), day("clarified_on", date(2026, 9, 24)), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    page = response.text
    # 10 to 24 September, 15 days stood still: due Friday 23 October.
    assert "is now due to be answered by 23 October 2026" in page
    assert "from 10 September 2026 to 24 September 2026" in page
    assert "Time limit stopped" not in page
    assert f'href="{clarified(request)}"' not in page
    assert f'href="{clarify(request)}"' not in page  # once per request
    response = client.get(clarified(request), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert f"The request about {pupil.full_name} is already clarified" in notice(response.text)
    response = client.get(clarify(request), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "has already been clarified by the requester (once per request)" in response.text


def test_asking_to_clarify_after_the_due_day_is_refused_beside_the_date(
    clock, pupil, dsl, client_for
):
    clock.set(2026, 10, 20, 10, 0)
    request = record_request(pupil, by=dsl, requester="A parent", received_on=date(2026, 9, 8))
    # Overdue now, but a DSL who asked in time and records it late is offered the step.
    assert f'href="{clarify(request)}"' in client_for(dsl).get(LIST).text
    response = client_for(dsl).post(
        clarify(request), {**day("asked_on", date(2026, 10, 9)), "question": "Which years?"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["asked_on"] == [
        "The date the requester was asked must be on or before 8 October 2026, when the answer "
        "was due: a time limit that has run out cannot stand still"
    ]
    assert response.context["form"]["question"].value() == "Which years?"
    request.refresh_from_db()
    assert request.clarification_asked_on is None


def test_the_requesters_answer_is_recorded_only_after_they_were_asked(pupil, dsl, client_for):
    request = ask(pupil, dsl)
    client = client_for(dsl)
    assert f'href="{clarified(request)}"' not in client.get(LIST).text
    response = client.get(clarified(request), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "is not waiting for the requester to clarify it" in response.text
    ask_to_clarify(request, by=dsl, asked_on=today(), question="Which years?")
    response = client.get(clarify(request), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "is already waiting for the requester to clarify it" in response.text


def test_the_head_teacher_sees_a_stopped_time_limit_without_the_steps(pupil, dsl, head, client_for):
    request = ask(pupil, dsl)
    ask_to_clarify(request, by=dsl, asked_on=today(), question="Which years?")
    page = client_for(head).get(LIST).text
    assert "Time limit stopped" in page
    assert clarified(request) not in page
    assert clarify(request) not in page


def test_asked_in_time_and_recorded_late_the_request_is_not_overdue(clock, pupil, dsl, client_for):
    clock.set(2026, 10, 20, 10, 0)
    request = record_request(pupil, by=dsl, requester="A parent", received_on=date(2026, 9, 8))
    client = client_for(dsl)
    response = client.post(
        clarify(request), {**day("asked_on", date(2026, 10, 1)), "question": "Which years?"}
    )
    assert response.status_code == 302
    assert "Overdue" not in client.get(LIST).text
    # Clarified on 2 October: 2 days, due Monday 12 October, past by now: the page says so.
    response = client.post(clarified(request), day("clarified_on", date(2026, 10, 2)), follow=True)
    assert "was due to be answered by 12 October 2026, and is overdue" in response.text
    assert "Overdue" in response.text


def test_a_request_waiting_on_its_old_due_day_is_not_due_today(clock, pupil, dsl, client_for):
    clock.set(2026, 10, 8, 10, 0)  # received 8 September: due today, but for the wait
    request = record_request(pupil, by=dsl, requester="A parent", received_on=date(2026, 9, 8))
    ask_to_clarify(request, by=dsl, asked_on=date(2026, 9, 10), question="Which years?")
    page = client_for(dsl).get(LIST).text
    assert "Time limit stopped" in page
    assert "Due today" not in page


def test_an_answer_given_while_waiting_says_why_it_is_not_late(clock, pupil, dsl, client_for):
    clock.set(2026, 10, 8, 10, 0)
    request = record_request(pupil, by=dsl, requester="A parent", received_on=date(2026, 9, 8))
    ask_to_clarify(request, by=dsl, asked_on=date(2026, 10, 8), question="Which years?")
    clock.set(2026, 11, 2, 10, 0)
    record_answer(request, basis="pupil", by=dsl, answered_on=date(2026, 11, 2), answer="none_held")
    page = client_for(dsl).get(ANSWERED).text
    assert "Answered while waiting for the requester to clarify it (asked on 8 October 2026)" in (
        page
    )
    assert ">Late<" not in page


def test_a_pupil_who_did_not_agree_has_nothing_disclosed_to_the_requester(
    walk, pupil, dsl, client_for
):
    walk.recorded()
    request = ask(pupil, dsl)
    client = client_for(dsl)
    data = {**day("answered_on", today()), "basis": "not_agreed", "answer": "disclosed"}
    response = client.post(answer(request), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "did not agree to the requester acting for them" in form.errors["answer"][0]
    assert form["basis"].value() == "not_agreed"
    request.refresh_from_db()
    assert request.answered_on is None
    reason = "Amelia, 14, does not want her father to see them."
    response = client.post(
        answer(request), data | {"answer": "withheld", "withheld_reason": reason}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.answer, request.basis) == ("withheld", "not_agreed")


def test_the_answer_says_whose_request_it_was(pupil, dsl, client_for):
    request = ask(pupil, dsl)
    response = client_for(dsl).post(
        answer(request), {**day("answered_on", today()), "answer": "none_held"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["basis"] == [
        "Select whether the pupil made the request, or whether they agreed to the requester "
        "acting for them"
    ]
    assert 'id="basis"' in response.text or 'name="basis"' in response.text


def test_a_request_recorded_with_its_proof_of_identity_is_due_a_month_from_the_proof(
    pupil, dsl, client_for
):
    client = client_for(dsl)
    form = client.get(new(pupil)).text
    assert "Date proof of the requester's identity arrived (if you asked for it)" in form
    received, proof = today() - timedelta(days=9), today() - timedelta(days=2)
    response = client.post(
        new(pupil),
        {
            "requester": "Jane Ahmed, mother",
            **day("received_on", received),
            **day("identity_confirmed_on", proof),
        },
        follow=True,
    )
    due = due_on(proof)
    assert f"is due to be answered by {due.day} {due:%B %Y}" in response.text
    assert f"Proof of identity arrived on {proof.day} {proof:%B %Y}" in response.text
    stored = SubjectAccessRequest.objects.get()
    assert (stored.received_on, stored.identity_confirmed_on, stored.due_on) == (
        received,
        proof,
        due,
    )


def test_a_request_waiting_for_proof_of_identity_is_not_said_to_be_due_by_a_day(
    pupil, dsl, client_for
):
    """Until the proof the school asked for arrives the time limit has not started: the
    message after recording the request, or correcting it, says so, as the list does, not a
    due day that is not one."""
    client = client_for(dsl)
    asked = {
        "requester": "Jane Ahmed, mother",
        **day("received_on", today() - timedelta(days=3)),
        **day("identity_requested_on", today() - timedelta(days=2)),
    }
    said = notice(client.post(new(pupil), asked, follow=True).text)
    assert "due to be answered by" not in said
    assert (
        "The request about Amelia Ahmed is recorded. The time limit starts when proof of "
        "identity arrives: add the day it arrives by correcting the request"
    ) in said
    request = SubjectAccessRequest.objects.get()
    correction = reverse("concerns:access_request_correct", args=[request.pk])
    mum = {**asked, "requester": "Jane Ahmed, mum", "drawn": request_version(request)}
    said = notice(client.post(correction, mum, follow=True).text)
    assert "due to be answered by" not in said
    assert (
        "The time limit for the request about Amelia Ahmed starts when proof of identity arrives"
    ) in said


def test_proof_of_identity_before_the_request_is_refused_beside_it_keeping_what_was_typed(
    pupil, dsl, client_for
):
    received = today() - timedelta(days=2)
    response = client_for(dsl).post(
        new(pupil),
        {
            "requester": "Jane Ahmed, mother",
            **day("received_on", received),
            **day("identity_confirmed_on", received - timedelta(days=1)),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["identity_confirmed_on"] == [
        f"The date proof of identity arrived must be on or after {received.day} "
        f"{received:%B %Y}, when the request was received"
    ]
    assert 'href="#id_identity_confirmed_on_0"' in response.text  # the summary leads to it
    assert form["requester"].value() == "Jane Ahmed, mother"
    assert not SubjectAccessRequest.objects.exists()


def test_a_request_waiting_for_proof_of_identity_is_not_overdue_until_it_arrives(
    clock, pupil, dsl, client_for
):
    """Article 12A(3)(b): where the school asked for proof of who the requester is, the time
    limit starts when it arrives. A month after receipt with no proof, the school is not late."""
    clock.set(2026, 10, 20, 10, 0)
    request = record_request(
        pupil,
        by=dsl,
        requester="A parent",
        received_on=date(2026, 9, 8),
        identity_requested_on=date(2026, 9, 9),
    )
    client = client_for(dsl)
    page = client.get(LIST).text
    assert "Time limit not started" in page
    assert "It starts when proof of identity arrives" in page
    assert "Overdue" not in page
    # The proof arrived on 1 October: due Monday 2 November, still in time.
    correct_request(
        request,
        by=dsl,
        drawn=request_version(request),
        requester="A parent",
        received_on=date(2026, 9, 8),
        identity_requested_on=date(2026, 9, 9),
        identity_confirmed_on=date(2026, 10, 1),
    )
    page = client.get(LIST).text
    assert "Time limit not started" not in page
    assert "2 November 2026" in page
    assert "Overdue" not in page


def test_an_answer_given_before_the_proof_arrived_is_not_late(clock, pupil, dsl, client_for):
    clock.set(2026, 11, 2, 10, 0)
    request = record_request(
        pupil,
        by=dsl,
        requester="A parent",
        received_on=date(2026, 9, 8),
        identity_requested_on=date(2026, 9, 9),
    )
    record_answer(request, basis="pupil", by=dsl, answered_on=date(2026, 11, 2), answer="none_held")
    page = client_for(dsl).get(ANSWERED).text
    assert "Answered before proof of identity arrived (asked for on 9 September 2026)" in page
    assert ">Late<" not in page
    assert AuditEvent.objects.get(action="pupil.access_request.answer").detail["late"] is False


def test_no_request_pages_title_names_the_pupil_which_browser_history_keeps(pupil, dsl, client_for):
    # SECURITY.md: no page's title names a child. Each page is told apart by the pupil's number,
    # as the chronology's is; the heading still says whose it is.
    client = client_for(dsl)
    access_request = ask(pupil, dsl)
    urls = [new(pupil), extend(access_request), clarify(access_request), answer(access_request)]
    urls.append(reverse("concerns:access_request_correct", args=[access_request.pk]))
    pages = [client.get(url) for url in urls]
    extend_request(access_request, by=dsl, told_on=today(), reason="Many records.")
    ask_to_clarify(access_request, by=dsl, asked_on=today(), question="Which years?")
    urls = [clarified(access_request)]
    for name in ("correct_extension", "correct_clarification"):
        urls.append(reverse(f"concerns:access_request_{name}", args=[access_request.pk]))
    pages += [client.get(url) for url in urls]
    for page in pages:
        assert page.status_code == 200
        title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
        assert pupil.given_name not in title
        assert pupil.family_name not in title
        assert f"pupil {pupil.pk}" in title
        assert pupil.full_name in page.text


def test_a_request_sent_twice_says_it_was_recorded_not_that_nothing_was_saved(
    walk, pupil, dsl, deputy_dsl, client_for
):
    """A second click on Record the request (or the back button and Send again) arrives once
    the first has recorded it: the DSL is told it is recorded and when it is due. A colleague
    recording the same request is still told it is recorded already and nothing was saved."""
    walk.recorded()
    received = today() - timedelta(days=3)
    data = {"requester": "Jane Ahmed, mother", **day("received_on", received)}
    due = due_on(received)
    for _ in range(2):
        response = client_for(dsl).post(new(pupil), data, follow=True)
        assert response.redirect_chain == [(LIST, 302)]
        assert f"is due to be answered by {due.day} {due:%B %Y}" in response.text
        assert "Nothing was saved" not in response.text
    assert SubjectAccessRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="pupil.access_request.record").count() == 1

    response = client_for(deputy_dsl).post(new(pupil), data)
    assert response.status_code == 200
    assert "is already recorded. Nothing was saved." in response.text
    assert SubjectAccessRequest.objects.count() == 1


def test_an_answer_sent_twice_says_it_was_recorded_and_a_colleagues_is_told_it_is_answered(
    walk, pupil, dsl, deputy_dsl, client_for
):
    walk.recorded()
    access_request = ask(pupil, dsl)
    data = {**day("answered_on", today()), "basis": "pupil", "answer": "disclosed"}
    for _ in range(2):
        response = client_for(dsl).post(answer(access_request), data, follow=True)
        assert response.redirect_chain == [(LIST, 302)]
        assert "The answer to the request about Amelia Ahmed has been recorded" in notice(
            response.text
        )
        assert "is already answered" not in response.text
    assert AuditEvent.objects.filter(action="pupil.access_request.answer").count() == 1

    response = client_for(deputy_dsl).post(answer(access_request), data, follow=True)
    assert "The request about Amelia Ahmed is already answered." in notice(response.text)
    assert "has been recorded" not in response.text


def test_an_extension_sent_twice_says_it_is_extended_and_a_colleagues_is_told_it_is_already(
    pupil, dsl, deputy_dsl, client_for
):
    access_request = ask(pupil, dsl)
    data = {**day("told_on", today()), "reason": "Many records. "}
    for _ in range(2):
        response = client_for(dsl).post(extend(access_request), data, follow=True)
        assert response.redirect_chain == [(LIST, 302)]
        assert "The request about Amelia Ahmed is now due to be answered by" in notice(
            response.text
        )
        assert "is already extended" not in response.text
    assert AuditEvent.objects.filter(action="pupil.access_request.extend").count() == 1

    response = client_for(deputy_dsl).post(extend(access_request), data, follow=True)
    assert "The request about Amelia Ahmed is already extended." in notice(response.text)
    assert "now due to be answered" not in response.text
    other = {**day("told_on", today()), "reason": "Other people are named."}
    response = client_for(dsl).post(extend(access_request), other, follow=True)
    assert "The request about Amelia Ahmed is already extended." in notice(response.text)
    assert SubjectAccessRequest.objects.get().extension_reason == "Many records."


def test_asking_to_clarify_sent_twice_says_the_time_limit_stands_still_once(
    pupil, dsl, deputy_dsl, client_for
):
    access_request = ask(pupil, dsl)
    asked = today()
    data = {**day("asked_on", asked), "question": "Which years?"}
    for _ in range(2):
        response = client_for(dsl).post(clarify(access_request), data, follow=True)
        assert response.redirect_chain == [(LIST, 302)]
        assert (
            f"The time limit for the request about Amelia Ahmed stands still from "
            f"{asked.day} {asked:%B %Y} until the requester answers"
        ) in notice(response.text)
        assert "is already waiting" not in response.text
    assert AuditEvent.objects.filter(action="pupil.access_request.clarify").count() == 1

    response = client_for(deputy_dsl).post(clarify(access_request), data, follow=True)
    assert "is already waiting for the requester to clarify it." in response.text
    assert "stands still from" not in response.text
    response = client_for(dsl).post(
        clarify(access_request), {**data, "question": "Which concerns?"}, follow=True
    )
    assert "is already waiting for the requester to clarify it." in response.text
    assert SubjectAccessRequest.objects.get().clarification_asked == "Which years?"
