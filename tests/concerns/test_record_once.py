"""Exactly once: a double click, the back button, or two tabs send one concern, and every
repeat shows the same confirmation."""

import time
from functools import partial

import pytest
from django.test import Client
from django.urls import reverse

from concerns.models import Concern, ConcernDraft
from tests.concurrency import at_once, simultaneous_writers
from tests.factories import signed_in
from workflow import concerns as workflow_concerns
from workflow.models import Notification, WorkflowEvent

from .journey import answers, check_url, done_url, fill, question_url, record, start


def test_sending_twice_records_one_concern_and_shows_the_same_confirmation(
    client_for, teacher, pupil, dsl
):
    client = client_for(teacher)
    draft = record(client, pupil)
    again = client.post(check_url(draft))
    assert again.status_code == 302
    assert again["Location"] == done_url(draft)
    assert Concern.objects.count() == 1
    assert WorkflowEvent.objects.count() == 1
    assert Notification.objects.filter(kind="concern_recorded").count() == 1


def test_back_button_after_sending_goes_to_the_confirmation_not_a_new_concern(
    client_for, teacher, pupil
):
    client = client_for(teacher)
    draft = record(client, pupil)
    assert client.get(check_url(draft))["Location"] == done_url(draft)
    # A question page from the browser's history, answered again.
    # The same answer again: nothing to add, so nothing is offered.
    response = client.post(question_url(draft, "where"), {"location": "Playground"})
    assert response["Location"] == done_url(draft)
    response = client.post(question_url(draft, "risk"), {"immediate_risk": "no"})
    assert response["Location"] == done_url(draft)
    assert Concern.objects.get().location == "Playground"
    confirmation = client.get(done_url(draft), follow=True)
    assert "This concern has already been sent to your DSL." in confirmation.text


def test_words_typed_after_sending_are_offered_as_an_addendum_not_lost(client_for, teacher, pupil):
    client = client_for(teacher)
    draft = record(client, pupil)
    concern = Concern.objects.get()
    more = "She also said her stepdad locks her in her room at night."
    response = client.post(
        question_url(draft, "what-happened"), {"what_happened": more, "action": "continue"}
    )
    addendum_url = reverse("concerns:addendum", args=[concern.pk])
    assert response["Location"] == addendum_url
    page = client.get(addendum_url)
    assert more in page.context["form"]["text"].value()
    assert "This concern had already been sent" in page.text
    assert Concern.objects.get().what_happened == concern.what_happened  # never edited
    sent = {"text": page.context["form"]["text"].value()}
    sent["submission_key"] = page.context["form"]["submission_key"].value()
    assert client.post(addendum_url, sent).status_code == 302
    assert more in concern.addenda.get().text


@pytest.mark.parametrize(
    ("slug", "posted", "offered"),
    [
        (
            "risk",
            {"immediate_risk": "yes"},
            "Do you think the child is at immediate risk of significant harm?\nYes",
        ),
        ("where", {"location": "The school minibus"}, "Where did it happen?\nThe school minibus"),
        (
            "when",
            {"observed_on_0": "1", "observed_on_1": "12", "observed_on_2": "2025"}
            | {"observed_time": "9:15am"},
            "When did you see or hear it?\n\nDate\n1 12 2025\n\nTime\n9:15am",
        ),
        (
            "categories",
            {"categories": ["neglect", "radicalisation"]},
            "What is the concern about?\nNeglect\nRadicalisation or extremism (Prevent)",
        ),
    ],
)
def test_an_answer_changed_after_sending_is_offered_as_an_addendum_not_lost(
    client_for, teacher, pupil, slug, posted, offered
):
    """The back button to a question, after sending, and an answer chosen or typed again: a
    child now thought at immediate risk, another place, another category. It was dropped with
    'This concern has already been sent', where words typed in a box were kept."""
    client = client_for(teacher)
    draft = record(client, pupil)
    concern = Concern.objects.get()
    response = client.post(question_url(draft, slug), {**posted, "action": "continue"})
    addendum_url = reverse("concerns:addendum", args=[concern.pk])
    assert response["Location"] == addendum_url
    page = client.get(addendum_url)
    assert page.context["form"]["text"].value() == offered
    assert "This concern had already been sent" in page.text
    assert Concern.objects.get().immediate_risk is False  # never edited


def test_two_tabs_sending_the_same_draft_record_it_once(client_for, teacher, pupil):
    first_tab, second_tab = client_for(teacher), client_for(teacher)
    draft = start(first_tab, pupil)
    fill(first_tab, draft, answers())
    first = first_tab.post(check_url(draft))
    second = second_tab.post(check_url(draft))
    assert first["Location"] == second["Location"] == done_url(draft)
    assert Concern.objects.count() == 1
    reference = Concern.objects.get().reference
    assert reference in first_tab.get(done_url(draft)).text
    assert reference in second_tab.get(done_url(draft)).text


@pytest.mark.django_db(transaction=True)
@simultaneous_writers
def test_two_simultaneous_sends_record_one_concern(teacher, pupil, dsl, monkeypatch):
    setup = Client()
    signed_in(setup, teacher)
    draft = start(setup, pupil)
    fill(setup, draft, answers())
    real_history, real_record = workflow_concerns.history, workflow_concerns._record_concern
    entered = []

    def slow_history(*args, **kwargs):
        # Hold the first transaction open, so the second send is sure to arrive meanwhile.
        time.sleep(0.5)
        return real_history(*args, **kwargs)

    def counted_record(**kwargs):
        entered.append(1)
        return real_record(**kwargs)

    monkeypatch.setattr(workflow_concerns, "history", slow_history)
    monkeypatch.setattr(workflow_concerns, "_record_concern", counted_record)
    tabs = [Client(), Client()]
    for tab in tabs:
        signed_in(tab, teacher)
    responses = []

    def send(tab):
        responses.append(tab.post(check_url(draft)))

    assert at_once(*(partial(send, tab) for tab in tabs)) == []

    assert len(entered) == 2, "both sends must have tried to record at the same time"
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {done_url(draft)}
    assert Concern.objects.count() == 1
    assert WorkflowEvent.objects.count() == 1
    assert Notification.objects.filter(kind="concern_recorded").count() == 1
    assert not ConcernDraft.objects.exists()


def test_words_saved_as_the_concern_is_sent_from_another_tab_are_offered_as_an_addendum(
    client_for, teacher, pupil, monkeypatch
):
    """The page read the draft, then the other tab sent it (recording the concern and deleting
    the draft) before this page's answers were saved."""
    from concerns.recording import Journey, discard_draft
    from concerns.views import record as views

    client = client_for(teacher)
    draft = start(client, pupil)
    fill(client, draft, answers())
    read = views.draft_or_concern

    def read_then_sent(membership, pk):
        found = read(membership, pk)
        review = Journey(found).review(membership)
        workflow_concerns.record_concern(
            by=teacher, pupil=review.pupil, submission_key=found.pk, **review.kwargs
        )
        discard_draft(found)
        return found

    monkeypatch.setattr(views, "draft_or_concern", read_then_sent)
    more = "She also said her stepdad locks her in her room at night."
    response = client.post(
        question_url(draft, "what-happened"), {"what_happened": more, "action": "continue"}
    )
    concern = Concern.objects.get()
    assert response["Location"] == reverse("concerns:addendum", args=[concern.pk])
    monkeypatch.undo()
    assert more in client.get(response["Location"]).context["form"]["text"].value()
