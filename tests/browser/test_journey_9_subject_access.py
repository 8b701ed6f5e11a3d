"""Journey 9: a parent asks for the records the school holds about their child. The DSL
records the request from the pupil's chronology, extends it within the first month, asks the
parent which years they mean (the time limit stops until they answer), and records the answer
with the reason for what was withheld; the head teacher reads the lists. Every page is checked
(axe-core, reflow), with and without JavaScript, and a mistake on each form is shown beside its
field with what was typed kept."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerns.models import SubjectAccessRequest

from .conftest import look
from .journeys import heading


def fill_date(page, legend, day):
    group = page.get_by_role("group", name=legend)
    for label, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        group.get_by_label(label, exact=True).fill(str(value))


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_dsl_records_extends_and_answers_a_subject_access_request(
    signed_in, walk, dsl, head, pupil, js
):
    walk.recorded()
    today = timezone.localdate()
    page = signed_in(dsl, js=js)
    page.get_by_role("link", name="Pupils", exact=True).first.click()
    page.get_by_role("link", name=f"Chronology for {pupil.full_name}").click()
    page.get_by_role(
        "link", name=f"Record a subject access request about {pupil.given_name}"
    ).click()
    expect(heading(page)).to_have_text(f"Record a subject access request about {pupil.full_name}")
    look(page, "access-request")

    page.get_by_label("Who made the request?").fill("Jane Ahmed, mother")
    fill_date(page, "Date the request was received", today + timedelta(days=1))
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The date the request was received must be today or in the past"
    )
    expect(page.get_by_label("Who made the request?")).to_have_value("Jane Ahmed, mother")
    look(page, "access-request-error")
    fill_date(page, "Date the request was received", today - timedelta(days=2))
    page.get_by_role("button", name="Record the request").click()

    expect(heading(page)).to_have_text("Subject access requests")
    row = page.get_by_role("row").filter(has_text=pupil.full_name)
    expect(row).to_contain_text("Jane Ahmed, mother")
    look(page, "access-requests")
    # The date was mistyped: the DSL corrects it, and the due day follows.
    row.get_by_role("link", name="Correct who asked or when, or add proof of identity").click()
    look(page, "access-request-correct")
    expect(page.get_by_label("Who made the request?")).to_have_value("Jane Ahmed, mother")
    fill_date(page, "Date the request was received", today - timedelta(days=3))
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("is now due to be answered by")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=pupil.full_name)
    received = today - timedelta(days=3)
    expect(row).to_contain_text(f"{received.day} {received:%B %Y}")
    row.get_by_role("link", name="Extend it").click()
    look(page, "access-request-extend")
    fill_date(page, "Date the requester was told", today)
    page.get_by_label("Why does the request need more time?").fill("Many records to review.")
    page.get_by_role("button", name="Extend the request").click()
    row = page.get_by_role("row").filter(has_text=pupil.full_name)
    expect(row).to_contain_text("Many records to review.")

    # The school holds a lot: the DSL asks the parent which years they mean, and the time
    # limit stops until the parent's answer arrives.
    row.get_by_role("link", name="Ask the requester to clarify it").click()
    look(page, "access-request-clarify")
    fill_date(page, "Date the requester was asked", today + timedelta(days=1))
    page.get_by_label("What was the requester asked?").fill("Which school years?")
    page.get_by_role("button", name="Record that they were asked").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The date the requester was asked must be today or in the past"
    )
    expect(page.get_by_label("What was the requester asked?")).to_have_value("Which school years?")
    look(page, "access-request-clarify-error")
    fill_date(page, "Date the requester was asked", today)
    page.get_by_role("button", name="Record that they were asked").click()
    row = page.get_by_role("row").filter(has_text=pupil.full_name)
    expect(row).to_contain_text("Time limit stopped")
    row.get_by_role("link", name="Record that the requester clarified it").click()
    look(page, "access-request-clarified")
    fill_date(page, "Date the requester's clarification arrived", today)
    page.get_by_role("button", name="Record their clarification").click()
    row = page.get_by_role("row").filter(has_text=pupil.full_name)
    expect(row).to_contain_text("Stopped while the requester clarified it")

    row.get_by_role("link", name="Record the answer").click()
    look(page, "access-request-answer")
    fill_date(page, "Date the school answered", today)
    page.get_by_label("The pupil is not able to understand their rights").check()
    page.get_by_label("Disclosed in part: some information was withheld").check()
    page.get_by_role("button", name="Record the answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter why information was withheld")
    expect(page.get_by_label("Disclosed in part: some information was withheld")).to_be_checked()
    expect(page.get_by_label("The pupil is not able to understand their rights")).to_be_checked()
    look(page, "access-request-answer-error")
    page.get_by_label("If anything was withheld, why?").fill("A third party's account.")
    page.get_by_role("button", name="Record the answer").click()
    expect(page.get_by_text("There are no requests to answer")).to_be_visible()
    page.get_by_role("link", name="See the answered requests").click()
    expect(page.get_by_role("row").filter(has_text=pupil.full_name)).to_contain_text(
        "Withheld because: A third party's account."
    )
    look(page, "access-requests-answered")

    request = SubjectAccessRequest.objects.get(pupil=pupil)
    assert (request.answer, request.answered_on, request.basis) == (
        "in_part",
        today,
        "best_interests",
    )

    # The head teacher reads the answered list, without the DSL's links.
    page = signed_in(head, js=js)
    page.get_by_role("link", name="Subject access", exact=True).first.click()
    page.get_by_role("link", name="See the answered requests").click()
    expect(page.get_by_role("row").filter(has_text=pupil.full_name)).to_contain_text(
        "Disclosed in part"
    )
    look(page, "access-requests-head")
