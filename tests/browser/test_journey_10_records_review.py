"""Journey 10: a former pupil is 25, and their child protection records are due for review.
The DSL finds them on Records to review, tries to keep them without saying why, is told
beside the field, then destroys them; the log keeps only the file reference. The head teacher
reads the log. Every page is checked (axe-core, reflow), with and without JavaScript."""

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

    page.get_by_label("Destroy the records").check()
    page.get_by_label("I understand the records cannot be recovered").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(
        page.get_by_text(f"The records with file reference {reference} (1 concern) were destroyed")
    ).to_be_visible()
    expect(page.get_by_text("There are no records to review")).to_be_visible()
    assert not Concern.objects.filter(pupil_id=reference).exists()
    assert RecordsReview.objects.get().file_reference == reference

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
