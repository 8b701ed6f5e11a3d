"""Journey 2: a hub advisor finds the school's request in the queue, claims it, and advises
talking with the parent (level 2). With and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from advice.models import AdviceStatus
from concerns.models import ConcernStatus

from .conftest import look
from .journeys import give_advice, heading


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_hub_advisor_claims_the_request_and_advises_talking_with_the_parent(
    signed_in, walk, hub_advisor, js
):
    concern = walk.with_hub(walk.recorded(categories=["radicalisation"]), urgency="amber")

    page = signed_in(hub_advisor, js=js)
    give_advice(page, look, concern.reference, mistakes=True)

    advice_request = walk.request(concern)
    assert advice_request.status == AdviceStatus.ANSWERED
    assert advice_request.claimed_by == hub_advisor
    assert advice_request.recommended_next_step == "talk_to_parent"
    assert advice_request.level_of_need == 2
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ADVICE_RECEIVED


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_reading_the_whole_concern_while_advising_keeps_the_advice_typed(
    signed_in, walk, hub_advisor, js
):
    # The advice page shows only the school's question: an advisor half way through their
    # advice reads the rest of the concern, and comes back to what they had written.
    concern = walk.claimed(walk.recorded(what_happened="Bruise on her left arm."))
    advice = "Talk with her father first; tell us what he says about the bruise."

    page = signed_in(hub_advisor, js=js)
    page.goto(f"/hub/requests/{walk.request(concern).pk}/advice/")
    page.get_by_label("Your advice to the school").fill(advice)
    link = page.get_by_role("link", name=re.compile("^Read the whole concern"))
    with page.context.expect_page(timeout=5000) as opened:
        link.click()
    reading = opened.value
    expect(heading(reading)).to_have_text(f"Advice request {concern.reference}")
    expect(reading.get_by_text("Bruise on her left arm.")).to_be_visible()
    expect(page.get_by_label("Your advice to the school")).to_have_value(advice)
    expect(link).to_have_text("Read the whole concern (opens in new tab)")  # as GOV.UK says


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_advice_refused_as_out_of_date_leads_the_keyboard_to_what_changed(
    signed_in, walk, hub_advisor, dsl, js
):
    # The school adds a correction while the advisor writes: the page refuses the advice,
    # keeps it, and its error summary (focused as the page loads) leads to the correction.
    from workflow.concerns import add_addendum

    from .conftest import press, tab_until

    concern = walk.claimed(walk.recorded())
    advice = "Talk with her father first."
    page = signed_in(hub_advisor, js=js)
    page.goto(f"/hub/requests/{walk.request(concern).pk}/advice/")
    page.get_by_label("Your advice to the school").fill(advice)
    page.get_by_label("Talk with the parent or carer", exact=True).check()
    page.get_by_label("Level 2: early help", exact=True).check()
    add_addendum(concern, by=dsl, text="Correction: it was her uncle, not her father.")
    page.get_by_role("button", name="Send the advice to the school").click()
    look(page, "hub-advise-out-of-date")
    expect(page.get_by_label("Your advice to the school")).to_have_value(advice)

    tab_until(page, lambda now: now["tag"] == "a" and "has changed" in now["text"])
    press(page, "Enter")
    expect(page.locator(":focus")).to_have_text("What has changed since you opened this page")
