"""Journey 10: a former pupil is 25, and their child protection records are due for review.
The DSL finds them on Records to review, tries to keep them without saying why, is told
beside the field, then keeps them while a court case runs. The case ends: from the log of
records reviewed the DSL reviews them again and destroys them; the log keeps only the file
reference. The head teacher reads the log. Every page is checked (axe-core, reflow), with
and without JavaScript."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerns.models import Concern, RecordsReview
from schools.models import Pupil

from .conftest import look
from .journeys import heading


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_dsl_reviews_a_former_pupils_records_and_destroys_them(
    signed_in, walk, dsl, head, pupil, js
):
    Pupil.objects.filter(pk=pupil.pk).update(
        date_of_birth=timezone.localdate() - timedelta(days=26 * 366)
    )
    walk.closed()
    reference = pupil.pk
    page = signed_in(dsl, js=js)
    page.get_by_role("link", name="Records to review", exact=True).first.click()
    expect(heading(page)).to_have_text("Records to review")
    row = page.get_by_role("row").filter(has_text=pupil.full_name)
    look(page, "records-to-review")
    row.get_by_role("link", name="Review the records").click()
    expect(heading(page)).to_have_text(f"Review the records about {pupil.full_name}")
    look(page, "records-review")

    page.get_by_label("Keep the records for longer").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter why the records are kept for longer")
    expect(page.get_by_label("Keep the records for longer")).to_be_checked()
    look(page, "records-review-error")

    page.get_by_label("Why are they kept for longer?").fill("A court case is running.")
    again = timezone.localdate() + timedelta(days=3 * 365)
    dates = page.get_by_role("group", name="When should they be reviewed again?")
    for label, value in (("Day", again.day), ("Month", again.month), ("Year", again.year)):
        dates.get_by_label(label).fill(str(value))
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(f"The records about {pupil.full_name} are kept")).to_be_visible()
    expect(page.get_by_text("There are no records to review")).to_be_visible()

    # The court case is over: the records go now, not in three years.
    page.get_by_role("link", name="See the records reviewed").click()
    row = page.get_by_role("row").filter(has_text="A court case is running.")
    row.get_by_role("link", name="Review again").click()
    expect(heading(page)).to_have_text(f"Review the records about {pupil.full_name} again")
    expect(page.get_by_text("A court case is running.")).to_be_visible()
    look(page, "records-review-again")
    page.get_by_label("Destroy the records").check()
    page.get_by_label("I understand the records cannot be recovered").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(
        page.get_by_text(f"The records with file reference {reference} (1 concern) were destroyed")
    ).to_be_visible()
    expect(page.get_by_text("There are no records to review")).to_be_visible()
    assert not Concern.objects.filter(pupil_id=reference).exists()
    assert list(RecordsReview.objects.order_by("pk").values_list("decision", "file_reference")) == [
        ("keep", reference),
        ("destroy", reference),
    ]

    page.get_by_role("link", name="See the records reviewed").click()
    row = page.get_by_role("row").filter(has_text="Destroyed")
    expect(row).to_contain_text(str(reference))
    expect(page.get_by_text(pupil.full_name)).to_have_count(0)
    look(page, "records-reviewed")

    # The head teacher reads the log, without the DSL's links.
    page = signed_in(head, js=js)
    page.get_by_role("link", name="Records to review", exact=True).first.click()
    page.get_by_role("link", name="See the records reviewed").click()
    expect(page.get_by_role("row").filter(has_text="Destroyed")).to_contain_text(str(reference))
