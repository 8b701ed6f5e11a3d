"""Journey 8: a pupil with concerns leaves. The DSL records it from the pupil's chronology,
opens the whole child protection file to print it, then records that it was sent and that the
new school received it, correcting a mistyped school name on the way; the leavers' list shows
the file until then. A term later the pupil
comes back, and the DSL records that from the chronology. Every page is checked (axe-core,
reflow), with and without JavaScript, and a mistake on the first form is shown beside its
field."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerns.models import FileTransfer

from .conftest import look
from .journeys import heading


def fill_date(page, legend, day):
    group = page.get_by_role("group", name=legend)
    for label, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        group.get_by_label(label, exact=True).fill(str(value))


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_dsl_records_a_leaver_and_their_file_until_receipt(signed_in, walk, dsl, pupil, js):
    walk.recorded()
    today = timezone.localdate()
    page = signed_in(dsl, js=js)
    page.get_by_role("link", name="Pupils", exact=True).first.click()
    page.get_by_role("link", name=f"Chronology for {pupil.full_name}").click()
    page.get_by_role("link", name=f"Record that {pupil.given_name} has left the school").click()
    expect(heading(page)).to_have_text(f"Record that {pupil.full_name} has left")
    look(page, "leaving")

    page.get_by_label("Name of the new school or college").fill("Wardown Vale High School")
    fill_date(page, "Date the pupil left", today + timedelta(days=1))
    fill_date(page, "First day at the new school", today + timedelta(days=2))
    page.get_by_role("button", name="Record that they left").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The date the pupil left must be today or in the past"
    )
    look(page, "leaving-error")
    fill_date(page, "Date the pupil left", today - timedelta(days=1))
    page.get_by_role("button", name="Record that they left").click()

    expect(heading(page)).to_have_text("Leavers' child protection files")
    row = page.get_by_role("row").filter(has_text=pupil.full_name)
    expect(row).to_contain_text("Wardown Vale High School")
    look(page, "leavers")
    # The new school's name was mistyped: corrected from the chronology.
    row.get_by_role("link", name=pupil.full_name, exact=True).click()
    page.get_by_role("link", name="Change the details of the leaving").click()
    expect(heading(page)).to_have_text(f"Change the details of {pupil.full_name}'s leaving")
    look(page, "leaving-change")
    page.get_by_label("Name of the new school or college").fill("Wardown Park High School")
    page.get_by_role("button", name="Save the changes").click()
    expect(
        page.get_by_text(f"The details of {pupil.full_name}'s leaving have been saved")
    ).to_be_visible()
    page.get_by_role("link", name="Leavers' files").first.click()
    row = page.get_by_role("row").filter(has_text=pupil.full_name)
    expect(row).to_contain_text("Wardown Park High School")
    row.get_by_role("link", name="Record that the file was sent").click()
    look(page, "file-sent")
    # The whole file, to print or save as a PDF and send: the page's controls do not print.
    page.get_by_role("link", name=f"Open {pupil.given_name}'s whole child protection file").click()
    expect(heading(page)).to_have_text(f"Child protection file for {pupil.full_name}")
    expect(page.get_by_role("main").get_by_role("heading", level=2)).to_have_count(1)
    look(page, "file")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Back to the chronology")).to_be_hidden()
    expect(page.get_by_text("Print it from your browser")).to_be_hidden()
    expect(page.get_by_text("I didn't have breakfast.")).to_be_visible()
    # The service's own addresses mean nothing on paper at the new school.
    after = page.eval_on_selector_all(
        "main a.govuk-link", "links => links.map(a => getComputedStyle(a, '::after').content)"
    )
    assert after
    assert set(after) <= {"none", "normal"}, after
    page.emulate_media(media="screen")
    page.go_back()
    fill_date(page, "Date the file was sent", today)
    page.get_by_label("A secure electronic transfer").check()
    page.get_by_role("button", name="Record that it was sent").click()

    row = page.get_by_role("row").filter(has_text=pupil.full_name)
    row.get_by_role("link", name="record that it was received").click()
    look(page, "file-received")
    fill_date(page, "Date the new school received the file", today)
    page.get_by_label("Who at the new school confirmed receipt?").fill("Sam Patel, DSL")
    page.get_by_role("button", name="Record that it was received").click()
    expect(page.get_by_text("There are no files to send or to confirm")).to_be_visible()

    transfer = FileTransfer.objects.get(pupil=pupil)
    assert (transfer.sent_how, transfer.received_by, transfer.new_school) == (
        "electronic",
        "Sam Patel, DSL",
        "Wardown Park High School",
    )

    # The pupil comes back: the roll no longer marks them as left.
    page.get_by_role("link", name="Pupils", exact=True).first.click()
    expect(page.get_by_role("row").filter(has_text=pupil.family_name)).to_contain_text("Left")
    page.get_by_role("link", name=f"Chronology for {pupil.full_name}").click()
    page.get_by_role("link", name=f"Record that {pupil.given_name} has come back").click()
    expect(heading(page)).to_have_text(f"Record that {pupil.full_name} has come back")
    look(page, "returned")
    fill_date(page, "Date the pupil came back", today)
    page.get_by_role("button", name="Record that they came back").click()
    expect(page.get_by_text(f"{pupil.full_name} is recorded as back at the school")).to_be_visible()
    expect(
        page.get_by_role("link", name=f"Record that {pupil.given_name} has left the school")
    ).to_be_visible()
    transfer.refresh_from_db()
    assert transfer.returned_on == today
    page.get_by_role("link", name="Pupils", exact=True).first.click()
    expect(page.get_by_role("row").filter(has_text=pupil.family_name)).not_to_contain_text("Left")
