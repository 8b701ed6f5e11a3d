"""Journey 3: after the hub's advice, the DSL logs the conversation with the parent and closes
the concern; the pupil's chronology shows every step, in order. With and without JavaScript."""

import pytest
from playwright.sync_api import expect

from concerns.models import ConcernStatus

from .conftest import look
from .journeys import heading, log_conversation_and_close, open_concern_from_inbox

STEPS_IN_ORDER = [
    "Concern recorded",
    "Hub advice requested",
    "Advice request claimed by the hub",
    "Hub advice given",
    "Parent conversation logged",
    "Concern closed",
]


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_dsl_logs_the_parent_conversation_closes_and_reads_the_chronology(
    signed_in, walk, dsl, pupil, js
):
    concern = walk.advice_received(walk.recorded(categories=["radicalisation"]))

    page = signed_in(dsl, js=js)
    open_concern_from_inbox(page, look, concern.reference)
    log_conversation_and_close(page, look, mistakes=True)

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    conversation = concern.conversations.get()
    assert (conversation.held, conversation.with_name) == (True, "Mrs Ahmed")

    page.get_by_role("link", name=f"Every concern about {pupil.full_name}").click()
    expect(heading(page)).to_have_text(f"Chronology for {pupil.full_name}")
    look(page, "chronology")
    section = page.get_by_role("region", name=concern.reference)
    history = section.locator("ol.govuk-list > li > .govuk-heading-s").all_inner_texts()
    assert history == STEPS_IN_ORDER
