"""A pupil's child protection file, printed or saved as a PDF to send to a new school: every
page names the pupil and is numbered, so that a page which comes apart from the rest is known
for what it is and whose it is. On screen the page says it once, in its heading."""

from io import BytesIO

from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.walk import concern_data
from workflow.concerns import record_concern

from .conftest import look


def test_every_printed_page_of_the_file_names_the_pupil_and_is_numbered(
    signed_in, teacher, dsl, pupil
):
    for n in range(10):
        account = f"Account {n}: " + "She said she was hungry and cold at home. " * 40
        record_concern(by=teacher, pupil=pupil, **concern_data(what_happened=account))
    # An address pasted in: one unbroken line longer than the page is wide.
    pasted = "https://example.org/" + "a" * 300
    record_concern(by=teacher, pupil=pupil, **concern_data(what_happened=pasted))
    page = signed_in(dsl)
    page.goto(reverse("concerns:pupil_file", args=[pupil.pk]))
    look(page, "file-long")
    running_head = f"Child protection file for {pupil.full_name}, born"
    expect(page.get_by_text(running_head)).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.get_by_text(running_head)).to_be_visible()
    # The long line wraps within the page: the file is no wider than the page's text.
    widths = page.evaluate(
        "[document.querySelector('.app-print-frame').getBoundingClientRect().width,"
        " document.querySelector('main').getBoundingClientRect().width]"
    )
    assert widths[0] <= widths[1], widths

    pages = [sheet.extract_text() for sheet in PdfReader(BytesIO(page.pdf())).pages]

    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert running_head in text, number
        assert f"Page {number} of {len(pages)}" in text
        assert "OFFICIAL-SENSITIVE" in text, number


def test_every_printed_page_of_the_chronology_names_the_pupil_and_school(
    signed_in, teacher, dsl, pupil, school
):
    """The chronology prints too (from the browser's own menu): a loose page of it is as much
    a child's record as a page of the file."""
    for n in range(4):
        account = f"Account {n}: " + "She said she was hungry and cold at home. " * 40
        record_concern(by=teacher, pupil=pupil, **concern_data(what_happened=account))
    page = signed_in(dsl)
    page.goto(reverse("concerns:pupil_chronology", args=[pupil.pk]))
    page.emulate_media(media="print")

    pages = [sheet.extract_text() for sheet in PdfReader(BytesIO(page.pdf())).pages]

    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Chronology for {pupil.full_name}, born" in text, number
        assert school.name in text, number
        assert "OFFICIAL-SENSITIVE" in text, number
        assert f"Page {number} of {len(pages)}" in text, number


def _printed(page):
    """Each printed page's text, its lines joined: a long running head wraps on paper."""
    page.emulate_media(media="print")
    sheets = PdfReader(BytesIO(page.pdf())).pages
    return [" ".join(sheet.extract_text().split()) for sheet in sheets]


def _column_widths(page):
    """How wide the page's (two-thirds) column is, and the page's text, as they print."""
    return page.evaluate(
        "[document.querySelector('.govuk-grid-column-two-thirds').getBoundingClientRect().width,"
        " document.querySelector('main').getBoundingClientRect().width]"
    )


LONG = "She said she was hungry and cold at home, and that nobody was there at night. " * 60


def test_every_printed_page_of_a_concern_names_the_pupil_and_school(
    signed_in, walk, dsl, pupil, school
):
    """A DSL prints one concern for a meeting or a strategy discussion: a page of it that
    comes apart from the first is still known for whose it is."""
    concern = walk.recorded(what_happened=LONG, child_words=LONG)
    page = signed_in(dsl)
    page.goto(reverse("concerns:detail", args=[concern.pk]))
    running_head = f"Concern {concern.reference} about {pupil.full_name}, born"
    expect(page.get_by_text(running_head)).to_be_hidden()

    pages = _printed(page)

    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert running_head in text, number
        assert school.name in text, number
        assert "OFFICIAL-SENSITIVE" in text, number
        assert f"Page {number} of {len(pages)}" in text, number
    # On paper the account runs the full width of the sheet, not in two thirds of it.
    column, text = _column_widths(page)
    assert column >= text - 1, (column, text)


def test_every_printed_page_of_an_advice_request_names_the_child_and_school(
    signed_in, walk, hub_advisor, pupil, school
):
    """The hub advisor prints a request to take to a multi-agency meeting: every page says
    whose it is and which school asked; the buttons are not printed."""
    concern = walk.with_hub(walk.recorded(what_happened=LONG, child_words=LONG))
    advice_request = walk.request(concern)
    page = signed_in(hub_advisor)
    page.goto(reverse("advice:detail", args=[advice_request.pk]))
    running_head = f"Advice request {concern.reference} about {pupil.full_name}, born"
    expect(page.get_by_text(running_head)).to_be_hidden()

    pages = _printed(page)

    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert running_head in text, number
        assert school.name in text, number
        assert "OFFICIAL-SENSITIVE" in text, number
    assert "Claim this request" not in "".join(pages)
    column, text = _column_widths(page)
    assert column >= text - 1, (column, text)
