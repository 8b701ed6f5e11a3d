"""Journey 5: the head teacher opens the audit report for a period, sees the school's concerns
counted, and downloads the CSV and the PDF, confirming the second factor again first."""

import csv
import io
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AuditEvent
from concerns.models import ConcernStatus

from .conftest import fresh_code, look
from .journeys import heading


def fill_date(page, group, day):
    dates = page.get_by_role("group", name=group)
    dates.get_by_label("Day").fill(str(day.day))
    dates.get_by_label("Month").fill(str(day.month))
    dates.get_by_label("Year").fill(str(day.year))


def row(page, table_id, label):
    return page.locator(
        f"#{table_id} tr", has=page.get_by_role("rowheader", name=label, exact=True)
    )


def test_head_teacher_reads_the_report_and_downloads_csv_and_pdf(signed_in, walk, head):
    walk.closed()  # through the hub and a parent conversation
    walk.escalated(walk.recorded(immediate_risk=True, categories=["physical_abuse"]))
    walk.recorded(categories=["radicalisation"])  # not yet reviewed

    page = signed_in(head)
    look(page, "start-head")
    page.get_by_role("link", name="Audit report").first.click()
    expect(heading(page)).to_have_text("Safeguarding audit report")
    look(page, "report-default")

    today = timezone.localdate()
    fill_date(page, "From", today - timedelta(days=30))
    fill_date(page, "To", today)
    page.get_by_role("button", name="Show the report").click()
    look(page, "report")
    expect(row(page, "step-1-summary", "Concerns recorded").locator("td")).to_have_text("3")
    expect(
        row(page, "escalations-target", "Children's social care (MASH)").locator("td")
    ).to_have_text("1")

    # The first download asks for the second factor again. The head signed in with this
    # period's code a moment ago, and a code works once: fresh_code waits for the next one.
    page.get_by_role("link", name="CSV spreadsheet, for the school's leaders").click()
    expect(heading(page)).to_have_text("Confirm it is you")
    look(page, "reauthenticate")
    page.get_by_label("Confirm it is you").fill(fresh_code(head))
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Confirm").click()
    download = csv_download.value
    assert download.suggested_filename.startswith(f"safeguarding-audit-{walk.pupil.school.urn}-")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert rows[:2] == [["OFFICIAL-SENSITIVE"], ["Safeguarding audit report"]]
    assert ["Concerns recorded", "3"] in rows
    assert ["Children's social care (MASH)", "1"] in rows

    # The download leaves the browser on the confirmation page; Back returns to the report,
    # and for the next few minutes a download needs no new code.
    page.go_back()
    expect(heading(page)).to_have_text("Safeguarding audit report")
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF, for the school's leaders").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename.endswith(".pdf")
    assert pdf.path().read_bytes().startswith(b"%PDF-")

    exports = AuditEvent.objects.filter(action="report.export", actor=head)
    assert sorted(e.detail["format"] for e in exports) == ["csv", "pdf"]
    assert walk.pupil.concerns.filter(status=ConcernStatus.CLOSED).count() == 1
