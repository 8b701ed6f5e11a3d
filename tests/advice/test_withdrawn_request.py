"""A withdrawn request shares its concern as it stood when the school withdrew it
(docs/adr/008): what the school adds afterwards stays off the hub's page, and the school's
own pages still show everything."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from concerns.attachments import store_attachment
from concerns.roll import update_pupil
from safeguarding.templatetags.presenters import uk_datetime
from tests.walk import escalation_data, held_conversation
from workflow.advice import withdraw_advice_request
from workflow.concerns import (
    add_addendum,
    escalate_significant_harm,
    log_parent_conversation,
    record_escalation_outcome,
)

BEFORE = "Her aunt confirmed the account name."
AFTER = "Mum rang: Amelia has moved in with her aunt."
CONVERSATION = "Breakfast and routines."  # held_conversation()'s words
ESCALATION = "MASH-123"  # escalation_data()'s reference
OUTCOME = "Section 47 child protection enquiry"
NOT_SHARED = "anything the school has added to it since is not shared with the hub"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page_of(advice_request):
    return reverse("advice:detail", args=[advice_request.pk])


def hub_page(client_for, hub_advisor, advice_request):
    response = client_for(hub_advisor).get(page_of(advice_request))
    assert response.status_code == 200
    return response.content.decode()


def withdrawn(walk, concern):
    """The concern's open request, withdrawn by the school's DSL."""
    return withdraw_advice_request(walk.request(concern), by=walk.dsl, reason="Sent too soon.")


def school_page(client_for, user, concern):
    return client_for(user).get(reverse("concerns:detail", args=[concern.pk])).content.decode()


def test_an_addendum_made_after_withdrawal_is_not_on_the_hubs_page(walk, client_for, hub_advisor):
    concern = walk.with_hub()
    add_addendum(concern, by=walk.dsl, text=BEFORE)
    advice_request = withdrawn(walk, concern)
    add_addendum(concern, by=walk.dsl, text=AFTER)

    page = hub_page(client_for, hub_advisor, advice_request)

    assert BEFORE in page
    assert AFTER not in page


def test_the_page_says_when_the_school_withdrew_and_that_later_additions_are_not_shared(
    walk, client_for, hub_advisor
):
    concern = walk.with_hub()
    advice_request = withdrawn(walk, concern)
    add_addendum(concern, by=walk.dsl, text=AFTER)

    page = hub_page(client_for, hub_advisor, advice_request)

    assert (
        f"The school withdrew this request on {uk_datetime(advice_request.withdrawn_at)}." in page
    )
    assert NOT_SHARED in page
    assert "No addenda when the request was withdrawn." in page


def test_a_parent_conversation_logged_after_withdrawal_is_not_on_the_hubs_page(
    walk, client_for, hub_advisor
):
    concern = walk.advice_received()
    walk.with_hub(concern, question="Should we wait for the conversation?")
    advice_request = withdrawn(walk, concern)
    log_parent_conversation(concern, by=walk.dsl, **held_conversation())

    page = hub_page(client_for, hub_advisor, advice_request)

    assert CONVERSATION not in page
    assert "Talking with the parent or carer" not in page
    assert "Parent conversation logged" not in page  # nor the status it moved the concern to


def test_a_parent_conversation_logged_before_withdrawal_is_still_on_the_hubs_page(
    walk, client_for, hub_advisor
):
    concern = walk.conversation_logged()
    walk.with_hub(concern, question="Mum has not followed up. What now?")
    advice_request = withdrawn(walk, concern)
    add_addendum(concern, by=walk.dsl, text=AFTER)

    page = hub_page(client_for, hub_advisor, advice_request)

    assert CONVERSATION in page
    assert "Talking with the parent or carer" in page
    assert AFTER not in page  # the line falls between them


def test_an_escalation_made_after_withdrawal_is_not_on_the_hubs_page(walk, client_for, hub_advisor):
    concern = walk.with_hub()
    advice_request = withdrawn(walk, concern)
    escalate_significant_harm(concern, by=walk.dsl, **escalation_data())

    page = hub_page(client_for, hub_advisor, advice_request)

    assert ESCALATION not in page
    assert "Escalations for significant harm</h3>" not in page
    assert "Escalated</strong>" not in page  # the concern's status now
    assert "Where the concern was when the school withdrew this request" in page
    assert "Recorded</strong>" in page  # where the withdrawal left it


def test_an_escalation_made_before_withdrawal_is_shown_without_an_outcome_learnt_after(
    walk, client_for, hub_advisor
):
    concern = walk.with_hub()
    escalation = escalate_significant_harm(concern, by=walk.dsl, **escalation_data())
    advice_request = withdrawn(walk, concern)
    record_escalation_outcome(escalation, by=walk.dsl, outcome="section_47")

    page = hub_page(client_for, hub_advisor, advice_request)

    assert ESCALATION in page
    assert OUTCOME not in page


def test_the_dsl_and_head_still_see_everything_the_hub_is_not_shown(
    walk, client_for, head, hub_advisor
):
    concern = walk.advice_received()
    walk.with_hub(concern)
    advice_request = withdrawn(walk, concern)
    add_addendum(concern, by=walk.dsl, text=AFTER)
    log_parent_conversation(concern, by=walk.dsl, **held_conversation())
    escalation = escalate_significant_harm(concern, by=walk.dsl, **escalation_data())
    record_escalation_outcome(escalation, by=walk.dsl, outcome="section_47")

    hub = hub_page(client_for, hub_advisor, advice_request)
    for user in (walk.dsl, head):
        page = school_page(client_for, user, concern)
        for text in (AFTER, CONVERSATION, ESCALATION, OUTCOME):
            assert text in page, (user, text)
            assert text not in hub, text


def test_a_new_request_after_withdrawal_shares_the_concern_as_it_now_stands(
    walk, client_for, hub_advisor
):
    concern = walk.with_hub()
    first = withdrawn(walk, concern)
    add_addendum(concern, by=walk.dsl, text=AFTER)
    walk.with_hub(concern, question="Things have changed: what now?")
    again = walk.request(concern)

    page = hub_page(client_for, hub_advisor, again)

    assert AFTER in page
    assert NOT_SHARED not in page
    assert "Where the concern is now" in page
    assert "Sent too soon." in page  # the withdrawn request, among the earlier ones
    assert AFTER not in hub_page(client_for, hub_advisor, first)


def test_a_file_attached_after_withdrawal_is_neither_shown_nor_given_to_the_hub(
    walk, client_for, hub_advisor
):
    # Files hang on the concern itself, not on its addenda, conversations or escalations, and
    # the hub is given none: the download refuses its role before looking anything up, so
    # a file that exists and one that does not are refused alike (and both audited).
    concern = walk.with_hub()
    advice_request = withdrawn(walk, concern)
    upload = SimpleUploadedFile("after.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    attachment = store_attachment(concern, by=walk.dsl, upload=upload)
    client = client_for(hub_advisor)

    assert "after.pdf" not in hub_page(client_for, hub_advisor, advice_request)
    exists = client.get(reverse("concerns:attachment_download", args=[concern.pk, attachment.pk]))
    missing = client.get(reverse("concerns:attachment_download", args=[concern.pk, 999_999]))
    assert exists.status_code == missing.status_code != 200
    assert AuditEvent.objects.filter(action="access.denied", actor=hub_advisor).count() == 2


def test_the_pupils_details_corrected_after_withdrawal_are_not_on_the_hubs_page(
    walk, client_for, hub_advisor
):
    # A child's name changes (a new family, a placement away from someone they fear): the new
    # name, born-on date and year group are the school's to share by asking again, not news
    # the hub reads on a request the school withdrew.
    concern = walk.with_hub()
    pupil = concern.pupil
    before = pupil.full_name
    advice_request = withdrawn(walk, concern)
    update_pupil(
        pupil,
        by=walk.dsl,
        given_name="Rosalind",
        family_name="Okonkwo-Hart",
        date_of_birth=date(2014, 2, 3),
        year_group="7",
    )

    page = hub_page(client_for, hub_advisor, advice_request)

    assert before in page
    assert "Okonkwo-Hart" not in page
    assert "Born 3 February 2014" not in page
    assert "Year 7" not in page
    assert "Okonkwo-Hart" in school_page(client_for, walk.dsl, concern)


def test_an_open_request_shows_the_pupils_details_as_they_are_now(walk, client_for, hub_advisor):
    concern = walk.with_hub()
    update_pupil(concern.pupil, by=walk.dsl, family_name="Okonkwo-Hart")

    assert "Okonkwo-Hart" in hub_page(client_for, hub_advisor, walk.request(concern))
