"""The DSL's page to correct a subject access request recorded wrongly: offered from the list
until the request is answered, drawn with the details as recorded, saying where the due day
moved, or that nothing changed; a colleague's correction meanwhile is shown, not undone."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import SubjectAccessRequest
from tests.notices import notice
from workflow.subject_access import (
    ask_to_clarify,
    correct_extension,
    correct_request,
    due_on,
    extend_request,
    record_answer,
    record_clarification,
    record_request,
)

LIST = reverse("concerns:access_requests")


def day(name, moment):
    return {f"{name}_0": moment.day, f"{name}_1": moment.month, f"{name}_2": moment.year}


def today():
    return timezone.localdate()


def correction(request):
    return reverse("concerns:access_request_correct", args=[request.pk])


def ask(pupil, dsl, days_ago=2):
    return record_request(
        pupil,
        by=dsl,
        requester="Jane Ahmed, mother",
        received_on=today() - timedelta(days=days_ago),
    )


def drawn_on(page):
    return re.search(r'name="drawn" value="(\w+)"', page).group(1)


def test_a_dsl_corrects_the_date_received_from_the_list_and_sees_the_new_due_day(
    pupil, dsl, client_for
):
    request = ask(pupil, dsl)
    client = client_for(dsl)
    assert f'href="{correction(request)}"' in client.get(LIST).text
    form = client.get(correction(request)).text
    assert 'value="Jane Ahmed, mother"' in form  # the details as recorded, to correct
    received = request.received_on
    assert f'value="{received.day}"' in form
    corrected = today() - timedelta(days=5)
    response = client.post(
        correction(request),
        {
            "requester": "Jane Ahmed, mother",
            **day("received_on", corrected),
            "drawn": drawn_on(form),
        },
        follow=True,
    )
    assert response.redirect_chain == [(LIST, 302)]
    due = due_on(corrected)
    assert f"is now due to be answered by {due.day} {due:%B %Y}" in response.text
    stored = SubjectAccessRequest.objects.get()
    assert (stored.received_on, stored.due_on) == (corrected, due)
    event = AuditEvent.objects.filter(action="pupil.access_request.view").latest("pk")
    assert (event.actor, event.object_id) == (dsl, str(pupil.pk))  # the page showed the pupil


def test_a_correction_that_changes_nothing_says_so(pupil, dsl, client_for):
    request = ask(pupil, dsl)
    client = client_for(dsl)
    form = client.get(correction(request)).text
    response = client.post(
        correction(request),
        {
            "requester": request.requester,
            **day("received_on", request.received_on),
            "drawn": drawn_on(form),
        },
        follow=True,
    )
    assert "Nothing was changed: the request about" in response.text
    assert ">Important</h2>" in response.text
    assert not AuditEvent.objects.filter(action="pupil.access_request.correct").exists()


def test_a_date_in_the_future_is_refused_beside_it_and_what_was_typed_is_kept(
    pupil, dsl, client_for
):
    request = ask(pupil, dsl)
    client = client_for(dsl)
    form = client.get(correction(request)).text
    tomorrow = today() + timedelta(days=1)
    response = client.post(
        correction(request),
        {"requester": "Jane Ahmed, aunt", **day("received_on", tomorrow), "drawn": drawn_on(form)},
    )
    page = response.text
    assert response.status_code == 200
    assert "The date the request was received must be today or in the past" in page
    assert 'href="#id_received_on_0"' in page  # the error summary links to the field
    assert 'value="Jane Ahmed, aunt"' in page
    assert SubjectAccessRequest.objects.get().requester == "Jane Ahmed, mother"


def test_a_correction_drawn_before_a_colleagues_is_refused_and_shows_theirs(
    pupil, dsl, deputy_dsl, client_for
):
    request = ask(pupil, dsl)
    client = client_for(dsl)
    drawn = drawn_on(client.get(correction(request)).text)
    correct_request(
        request,
        by=deputy_dsl,
        drawn=drawn,
        requester="Jane Ahmed, grandmother",
        received_on=request.received_on,
    )
    mine = {"requester": "Jane Ahmed, aunt", **day("received_on", request.received_on)}
    response = client.post(correction(request), mine | {"drawn": drawn})
    page = response.text
    assert response.status_code == 200
    assert "Someone has corrected this request since this page was opened" in page
    assert "Jane Ahmed, grandmother</dd>" in page  # the colleague's correction, shown
    assert 'value="Jane Ahmed, aunt"' in page  # and what was typed, kept
    assert SubjectAccessRequest.objects.get().requester == "Jane Ahmed, grandmother"
    response = client.post(correction(request), mine | {"drawn": drawn_on(page)})
    assert response.status_code == 302
    assert SubjectAccessRequest.objects.get().requester == "Jane Ahmed, aunt"


def test_a_correction_sent_twice_says_nothing_changed_not_that_a_colleague_did(
    pupil, dsl, client_for
):
    """Without JavaScript a double click sends the form twice: the second finds the request
    already as it says, and tells the DSL so, rather than blaming a colleague."""
    request = ask(pupil, dsl)
    client = client_for(dsl)
    sent = {
        "requester": "Jane Ahmed, grandmother",
        **day("received_on", request.received_on),
        "drawn": drawn_on(client.get(correction(request)).text),
    }
    assert client.post(correction(request), sent).status_code == 302
    response = client.post(correction(request), sent, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "Nothing was changed" in response.text
    assert "Someone has corrected" not in response.text
    assert AuditEvent.objects.filter(action="pupil.access_request.correct").count() == 1


def test_an_answered_request_is_not_offered_for_correction(pupil, dsl, client_for):
    request = ask(pupil, dsl)
    record_answer(request, basis="pupil", by=dsl, answered_on=today(), answer="none_held")
    client = client_for(dsl)
    assert f'href="{correction(request)}"' not in client.get(LIST + "?answered=yes").text
    response = client.get(correction(request), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert f"The request about {pupil.full_name} is already answered" in notice(response.text)


def test_the_head_teacher_is_not_offered_a_correction(pupil, dsl, head, client_for):
    request = ask(pupil, dsl)
    client = client_for(head)
    assert f'href="{correction(request)}"' not in client.get(LIST).text
    assert client.get(correction(request)).status_code == 403


def test_proof_of_identity_arriving_later_is_added_from_the_list_and_moves_the_due_day(
    pupil, dsl, client_for
):
    request = ask(pupil, dsl, days_ago=6)
    client = client_for(dsl)
    assert "Correct who asked or when, or add proof of identity" in client.get(LIST).text
    form = client.get(correction(request)).text
    proof = today() - timedelta(days=1)
    response = client.post(
        correction(request),
        {
            "requester": request.requester,
            **day("received_on", request.received_on),
            **day("identity_confirmed_on", proof),
            "drawn": drawn_on(form),
        },
        follow=True,
    )
    due = due_on(proof)
    assert f"is now due to be answered by {due.day} {due:%B %Y}" in response.text
    assert f"Proof of identity arrived on {proof.day} {proof:%B %Y}" in response.text
    stored = SubjectAccessRequest.objects.get()
    assert (stored.identity_confirmed_on, stored.due_on) == (proof, due)
    page = client.get(correction(request)).text
    assert "Proof of identity arrived" in page
    assert f'value="{proof.day}"' in page


def test_a_dsl_corrects_the_day_the_clarification_arrived_from_the_list(pupil, dsl, client_for):
    request = ask(pupil, dsl, days_ago=6)
    ask_to_clarify(request, by=dsl, asked_on=today() - timedelta(days=5), question="Which years?")
    arrived = today() - timedelta(days=1)
    record_clarification(request, by=dsl, clarified_on=arrived)
    page = reverse("concerns:access_request_correct_clarification", args=[request.pk])
    client = client_for(dsl)
    assert f'href="{page}"' in client.get(LIST).text
    form = client.get(page).text
    assert "Which years?</textarea>" in form  # drawn as recorded
    assert f'value="{arrived.day}"' in form
    mistyped = today() - timedelta(days=3)
    response = client.post(
        page,
        {
            **day("asked_on", today() - timedelta(days=5)),
            "question": "Which years?",
            **day("clarified_on", mistyped),
            "drawn": drawn_on(form),
        },
        follow=True,
    )
    due = due_on(request.received_on, paused=3)
    assert response.redirect_chain == [(LIST, 302)]
    assert f"is now due to be answered by {due.day} {due:%B %Y}" in response.text
    assert SubjectAccessRequest.objects.get().clarified_on == mistyped


def test_a_clarification_correction_refused_is_shown_beside_the_date(pupil, dsl, client_for):
    request = ask(pupil, dsl, days_ago=6)
    ask_to_clarify(request, by=dsl, asked_on=today() - timedelta(days=5), question="Which years?")
    page = reverse("concerns:access_request_correct_clarification", args=[request.pk])
    client = client_for(dsl)
    form = client.get(page).text
    response = client.post(
        page,
        {
            **day("asked_on", today() - timedelta(days=5)),
            "question": "Which years, please?",
            **day("clarified_on", today() - timedelta(days=6)),
            "drawn": drawn_on(form),
        },
    )
    assert response.status_code == 200
    assert "The date the requester&#x27;s clarification arrived must be on or after" in (
        response.text
    )
    assert 'href="#id_clarified_on_0"' in response.text
    assert "Which years, please?</textarea>" in response.text  # what was typed, kept
    assert SubjectAccessRequest.objects.get().clarified_on is None


def test_a_dsl_corrects_the_extension_and_a_colleagues_meanwhile_is_shown(
    pupil, dsl, deputy_dsl, client_for
):
    request = extend_request(ask(pupil, dsl), by=dsl, told_on=today(), reason="Many records.")
    page = reverse("concerns:access_request_correct_extension", args=[request.pk])
    client = client_for(dsl)
    assert f'href="{page}"' in client.get(LIST).text
    assert "Extend it<" not in client.get(LIST).text
    drawn = drawn_on(client.get(page).text)
    correct_extension(request, by=deputy_dsl, drawn=drawn, told_on=today(), reason="Others to ask.")
    mine = {**day("told_on", today() - timedelta(days=1)), "reason": "Many records, truly."}
    response = client.post(page, mine | {"drawn": drawn})
    assert "Someone has corrected the extension since this page was opened" in response.text
    assert "Others to ask.</span></dd>" in response.text
    assert SubjectAccessRequest.objects.get().extension_reason == "Others to ask."
    response = client.post(page, mine | {"drawn": drawn_on(response.text)})
    assert response.status_code == 302
    stored = SubjectAccessRequest.objects.get()
    assert (stored.extended_on, stored.extension_reason) == (
        today() - timedelta(days=1),
        "Many records, truly.",
    )


def test_a_step_not_taken_is_not_offered_for_correction(pupil, dsl, client_for):
    request = ask(pupil, dsl)
    client = client_for(dsl)
    listed = client.get(LIST).text
    for name in ("access_request_correct_extension", "access_request_correct_clarification"):
        page = reverse(f"concerns:{name}", args=[request.pk])
        assert f'href="{page}"' not in listed
        response = client.get(page, follow=True)
        assert response.redirect_chain == [(LIST, 302)]


def test_the_day_proof_of_identity_was_asked_for_is_shown_until_it_arrives(pupil, dsl, client_for):
    asked_for = today() - timedelta(days=1)
    client = client_for(dsl)
    response = client.post(
        reverse("concerns:access_request_new", args=[pupil.pk]),
        {
            "requester": "Jane Ahmed, mother",
            **day("received_on", today() - timedelta(days=2)),
            **day("identity_requested_on", asked_for),
        },
    )
    assert response.status_code == 302
    assert SubjectAccessRequest.objects.get().identity_requested_on == asked_for
    listed = client.get(LIST).text
    assert f"Proof of identity asked for on {asked_for.day} {asked_for:%B %Y}: not yet" in listed


def test_an_extension_recorded_by_mistake_is_taken_back_from_its_page(pupil, dsl, client_for):
    request = extend_request(ask(pupil, dsl), by=dsl, told_on=today(), reason="Many records.")
    page = reverse("concerns:access_request_correct_extension", args=[request.pk])
    client = client_for(dsl)
    drawn = drawn_on(client.get(page).text)
    response = client.post(page, {"reason": "", "drawn": drawn})
    assert response.status_code == 200
    assert "Enter the date the requester was told" in response.text
    assert 'href="#id_told_on_0"' in response.text
    assert "Enter why the request needs more time" in response.text  # both at once
    response = client.post(page, {"withdrawn": "on", "reason": "", "drawn": drawn}, follow=True)
    due = due_on(request.received_on)
    assert f"is now due to be answered by {due.day} {due:%B %Y}" in response.text
    stored = SubjectAccessRequest.objects.get()
    assert (stored.extension_reason, stored.due_on) == ("", due)
    assert f'href="{reverse("concerns:access_request_extend", args=[request.pk])}"' in (
        response.text
    )
