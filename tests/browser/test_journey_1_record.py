"""Journey 1: a teacher records a Prevent concern through to check-your-answers and the
confirmation; the school's DSL finds it in the inbox and asks the Early Help Hub for amber
advice. With and without JavaScript; every page checked at desktop and phone widths."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from advice.models import AdviceRequest
from concerns.models import Concern, ConcernDraft, ConcernStatus

from .conftest import look
from .journeys import (
    continue_,
    observed,
    open_concern_from_inbox,
    record_concern,
    request_advice,
)


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_teacher_records_a_prevent_concern_and_the_dsl_asks_the_hub(
    signed_in, teacher, dsl, pupil, js
):
    page = signed_in(teacher, js=js)
    reference = record_concern(page, look, pupil=pupil, mistakes=True)

    concern = Concern.objects.get()
    assert concern.reference == reference
    assert concern.recorded_by == teacher
    assert [c.category for c in concern.categories.all()] == ["radicalisation"]

    page = signed_in(dsl, js=js)
    open_concern_from_inbox(page, look, reference)
    request_advice(page, look, urgency="Amber", mistakes=True)

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.WITH_HUB
    assert AdviceRequest.objects.get(concern=concern).urgency == "amber"


def test_a_two_digit_year_sends_the_teacher_to_the_year_box(signed_in, teacher, pupil):
    """GOV.UK's date input: the error summary's link goes to the box at fault, which alone is
    marked. A year typed '26' is put right in the year box, not the day box."""
    draft = ConcernDraft.objects.create(author=teacher, school=pupil.school, pupil=pupil)
    page = signed_in(teacher)
    page.goto(reverse("concerns:record_question", args=[draft.pk, "when"]))
    moment = observed()
    for label, value in {**moment, "Year": moment["Year"][2:]}.items():
        page.get_by_label(label, exact=True).fill(value)
    continue_(page)
    look(page, "record-when-year-error")

    link = page.locator(".govuk-error-summary a")
    expect(link).to_have_text(["The year must include 4 numbers, for example 2026"])
    expect(page.locator(".govuk-input--error")).to_have_count(1)
    link.click()
    expect(page.get_by_label("Year", exact=True)).to_be_focused()


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_an_account_sent_after_its_draft_was_deleted_is_shown_back(signed_in, teacher, pupil, js):
    draft = ConcernDraft.objects.create(author=teacher, school=pupil.school, pupil=pupil)
    page = signed_in(teacher, js=js)
    page.goto(reverse("concerns:record_question", args=[draft.pk, "what-happened"]))
    account = "She said her uncle took her phone.\nThen he locked the door."
    page.get_by_label("What happened?").fill(account)
    ConcernDraft.objects.filter(pk=draft.pk).delete()  # in another tab
    continue_(page)
    look(page, "record-gone")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This unfinished concern no longer exists"
    )
    for line in account.splitlines():
        expect(page.locator(".govuk-summary-list__value")).to_contain_text(line)
