"""The head teacher's audit report: every figure against a count made by hand, the period's
edges, the downloads, the governors' version, who may see it, and its cost in queries."""

import csv
import io
import re
import zlib
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import reports.views.audit_report as audit_report_view
from audit.models import AuditEvent
from concerns.importer import import_rows
from concerns.models import Closure
from concerns.roll import details_version
from reports.figures import audit_figures
from reports.periods import Period
from reports.services import PREVENT_STATEMENT, confirm_prevent_policy, set_policy_url
from tests.concerns.test_typed_direction import direction_of
from tests.conftest import reauthenticate
from tests.factories import PupilFactory
from tests.walk import concern_data, escalation_data, held_conversation
from workflow.concerns import (
    close_concern,
    escalate_significant_harm,
    log_parent_conversation,
    record_concern,
    reopen_concern,
)

from .conftest import LONDON
from .scenario import NFA_RATIONALE, NOT_HELD_ATTEMPTS, NOT_HELD_DETAILS, People, build
from .tables import csv_tables, html_tables, without_notes
from .volume import add_concerns

REPORT = reverse("reports:audit")
ADDRESS = "https://school.example/safeguarding-policy"
YEAR_2025 = {
    "start_0": "1",
    "start_1": "9",
    "start_2": "2025",
    "end_0": "31",
    "end_1": "8",
    "end_2": "2026",
}
NAMES = ["Hana Head", "Dee Lead", "Tara Teacher", "Ada Advisor", "Oscar Otherschool"]
PUPIL_NAMES = ["Amelia", "Ahmed", "Bilal", "Begum"]
ZEROS = ["0"] * 12


@pytest.fixture
def year(clock, school, teacher, dsl, head, hub_advisor, other_school_dsl, pupil):
    """The fixed school year of tests/reports/scenario.py; the clock stops at 16 March 2026."""
    people = People(teacher, dsl, head, hub_advisor, other_school_dsl)
    return build(clock, school, people, pupil)


def months(march):
    """The 2025 to 2026 academic year's months, with `march` concerns in March 2026."""
    names = [
        "September 2025",
        "October 2025",
        "November 2025",
        "December 2025",
        "January 2026",
        "February 2026",
        "March 2026",
        "April 2026",
        "May 2026",
        "June 2026",
        "July 2026",
        "August 2026",
    ]
    return [[name, march if name == "March 2026" else "0"] for name in names]


def categories(**counts):
    labels = {
        "Physical abuse": "physical",
        "Emotional abuse": "emotional",
        "Sexual abuse": None,
        "Neglect": "neglect",
        "Child sexual exploitation": None,
        "Child criminal exploitation (including county lines)": None,
        "Radicalisation or extremism (Prevent)": "prevent",
        "Domestic abuse": None,
        "Female genital mutilation": None,
        "Forced marriage or honour-based abuse": None,
        "Child-on-child abuse": None,
        "Online safety": "online",
        "Mental health": "mental",
        "Self-harm": None,
        "Children missing education": None,
        "Private fostering": None,
        "Serious violence": None,
        "Other": None,
    }
    return [[label, counts.get(key, "0") if key else "0"] for label, key in labels.items()]


def full_version(c):
    """Every table of the full version for the scenario, counted by hand."""
    return {
        "step-1-summary": [
            ["Measure", "Value"],
            ["Concerns recorded", "8"],
            # 0.5, 1, 1, 1, 2, 2, 4, 24 hours: the middle two are 1 and 2.
            ["Median time from seen or heard to recorded (hours)", "1.5"],
            # A 2, B 1, C 2, D 3, E 1, I 0.5 working hours: the middle two are 1 and 2.
            ["Median time from recorded to a DSL's first action (working hours)", "1.5"],
            ["Concerns awaiting DSL review for more than one working day (now)", "1"],
        ],
        "step-1-month": [["Month", "Number"], *months("8")],
        "step-1-category": [
            ["Category", "Number"],
            *categories(
                physical="1", emotional="1", neglect="4", prevent="1", online="1", mental="1"
            ),
        ],
        "step-1-year-group": [["Year group", "Number"], ["Year 4", "5"], ["Year 6", "3"]],
        "step-2-summary": [
            ["Measure", "Value"],
            ["Concerns recorded where hub advice was sought", "50% (4 of 8)"],
            ["Advice requests made, withdrawn ones included", "4"],
            ["Advice requests made in the period and still open", "1"],
            ["Advice requests made in the period and since withdrawn by the school", "0"],
        ],
        "step-2-urgency": [
            [
                "Urgency",
                "Target",
                "Answered",
                "Median (working hours)",
                "90th percentile (working hours)",
                "Within target",
            ],
            ["Red", "within 4 working hours", "1", "3.0", "3.0", "100% (1 of 1)"],
            # A 4 and I 16 working hours; only A within 8.
            ["Amber", "within 1 working day", "2", "10.0", "16.0", "50% (1 of 2)"],
            ["Green", "within 3 working days", "0", "none", "none", "none"],
        ],
        "step-3-summary": [
            ["Measure", "Value"],
            ["Conversations held", "1"],
            ["Of those, held before the hub's advice came", "0"],
            ["Conversations not held (with a reason)", "1"],
            ["Not needed because the concern was escalated for significant harm", "1"],
            ["Median time from hub advice to the conversation (working hours)", "3.0"],
        ],
        "step-3-not-held": [
            ["Reason", "Number"],
            ["Talking to the parent or carer would place the child at risk", "0"],
            ["The parent or carer could not be reached", "1"],
            [
                "The young person asked that their parents not be told, and it is appropriate",
                "0",
            ],
            ["Another reason", "0"],
        ],
        "escalations-target": [
            ["Referred to", "Number"],
            ["Children's social care (MASH)", "1"],
            ["Police", "0"],
            ["Police Prevent team (Channel)", "0"],
            ["Local authority designated officer (LADO)", "0"],
            ["Other", "0"],
        ],
        "escalations-outcome": [
            ["Referred to", "Outcome", "Number"],
            ["Children's social care (MASH)", "Section 47 child protection enquiry", "1"],
        ],
        "exceptions-summary": [
            ["Measure", "Value"],
            ["Closures without hub advice", "1"],
            ["Parent conversations not held", "1"],
            ["Advice requests past their due time (now)", "1"],
            ["Concerns awaiting DSL review for more than one working day (now)", "1"],
            [
                "Referrals to children's social care with no outcome recorded a working day "
                "after them (now)",
                "0",
            ],
        ],
        "exceptions-closed": [
            ["Concern", "Closed", "Closed by", "Outcome", "Reason given"],
            [
                c["D"].reference,
                "9 March 2026 at 2:00pm",
                "Dee Lead",
                "No further action",
                NFA_RATIONALE,
            ],
        ],
        "exceptions-not-held": [
            ["Concern", "Logged", "Logged by", "Reason", "Attempts to reach them", "Details"],
            [
                c["B"].reference,
                "4 March 2026 at 11:00am",
                "Dee Lead",
                "The parent or carer could not be reached",
                NOT_HELD_ATTEMPTS,
                NOT_HELD_DETAILS,
            ],
        ],
        "exceptions-overdue": [
            ["Concern", "Urgency", "Requested", "Due", "Overdue by (working hours)"],
            [
                c["E"].reference,
                "Green",
                "10 March 2026 at 10:00am",
                "13 March 2026 at 10:00am",
                "10.0",
            ],
        ],
        "exceptions-awaiting": [
            ["Concern", "Waiting since", "Waiting (working hours)"],
            [c["F"].reference, "11 March 2026 at 10:00am", "26.0"],
        ],
        "access-viewers": [
            [
                "Person",
                "Concern pages",
                "Pupil details",
                "Pupil chronologies",
                "Attachment downloads",
                "Advice requests",
                "Lists of children",
                "Total",
            ],
            ["Dee Lead", "1", "1", "0", "1", "0", "3", "6"],
            ["Tara Teacher", "4", "0", "0", "0", "0", "2", "6"],
            ["Hana Head", "2", "0", "1", "0", "0", "0", "3"],
            ["Ada Advisor", "0", "0", "0", "0", "1", "0", "1"],
        ],
        "access-downloads": [
            ["Person", "Attachment downloads", "Report exports"],
            ["Dee Lead", "1", "0"],
            ["Hana Head", "0", "1"],
        ],
        "access-denied": [
            ["Person", "Attempts", "Latest"],
            ["Oscar Otherschool", "1", "12 March 2026 at 9:00am"],
            ["Tara Teacher", "1", "12 March 2026 at 9:00am"],
        ],
        "access-staff": [["Person", "Views", "Different concerns"], ["Tara Teacher", "2", "1"]],
        "evidence-policy": [
            ["Item", "Detail"],
            ["Published safeguarding policy (step 1)", ADDRESS],
            [
                "Policy covers Prevent, with no separate Prevent policy (step 4)",
                "Confirmed by Hana Head, head teacher, on 1 October 2025",
            ],
            ["Policy address confirmed", ADDRESS],
            ["Statement confirmed", PREVENT_STATEMENT],
        ],
        "evidence-values": [
            ["Value", "Autumn 2025", "Spring 2026", "Summer 2026", "Whole period"],
            ["Democracy", "1", "1", "1", "3"],
            ["The rule of law", "1", "0", "0", "1"],
            ["Individual liberty", "0", "0", "1", "1"],
            [
                "Mutual respect and tolerance of those with different faiths and beliefs",
                "0",
                "1",
                "0",
                "1",
            ],
            ["Activities (any value)", "1", "2", "1", "4"],
        ],
    }


FEW = "fewer than 5"
HIDDEN = "not shown (fewer than 5)"


def governors_version():
    """The governors' version of the same year: small counts hidden, no names."""
    return {
        "step-1-summary": [
            ["Measure", "Value"],
            ["Concerns recorded", "8"],
            ["Median time from seen or heard to recorded (hours)", "1.5"],
            ["Median time from recorded to a DSL's first action (working hours)", "1.5"],
            ["Concerns awaiting DSL review for more than one working day (now)", FEW],
        ],
        "step-1-month": [["Month", "Number"], *months("8")],
        "step-1-category": [
            ["Category", "Number"],
            *categories(
                physical=FEW, emotional=FEW, neglect=FEW, prevent=FEW, online=FEW, mental=FEW
            ),
        ],
        # 8 concerns less Year 4's 5 would give Year 6's 3 away: Year 4 is withheld too.
        "step-1-year-group": [["Year group", "Number"], ["Year 4", "not shown"], ["Year 6", FEW]],
        "step-2-summary": [
            ["Measure", "Value"],
            ["Concerns recorded where hub advice was sought", HIDDEN],
            ["Advice requests made, withdrawn ones included", FEW],
            ["Advice requests made in the period and still open", FEW],
            ["Advice requests made in the period and since withdrawn by the school", "0"],
        ],
        "step-2-urgency": [
            [
                "Urgency",
                "Target",
                "Answered",
                "Median (working hours)",
                "90th percentile (working hours)",
                "Within target",
            ],
            ["Red", "within 4 working hours", FEW, HIDDEN, HIDDEN, HIDDEN],
            ["Amber", "within 1 working day", FEW, HIDDEN, HIDDEN, HIDDEN],
            ["Green", "within 3 working days", "0", "none", "none", "none"],
        ],
        "exceptions-summary": [
            ["Measure", "Value"],
            ["Closures without hub advice", FEW],
            ["Parent conversations not held", FEW],
            ["Advice requests past their due time (now)", FEW],
            ["Concerns awaiting DSL review for more than one working day (now)", FEW],
            [
                "Referrals to children's social care with no outcome recorded a working day "
                "after them (now)",
                "0",
            ],
        ],
        "access-summary": [
            ["Measure", "Number"],
            ["People who viewed children's records", FEW],
            ["Concern pages viewed", "7"],
            ["Pupil details pages viewed", FEW],
            ["Pupil chronologies viewed", FEW],
            ["Attachments downloaded", FEW],
            ["Advice requests viewed", FEW],
            ["Lists of children viewed", "5"],
            ["Reports exported", FEW],
            ["Refused access attempts", FEW],
            ["Staff who viewed concerns they did not record", FEW],
            ["Views of concerns by staff who did not record them", FEW],
        ],
        "evidence-policy": [
            ["Item", "Detail"],
            ["Published safeguarding policy (step 1)", ADDRESS],
            [
                "Policy covers Prevent, with no separate Prevent policy (step 4)",
                "Confirmed by the head teacher on 1 October 2025",
            ],
            ["Policy address confirmed", ADDRESS],
            ["Statement confirmed", PREVENT_STATEMENT],
        ],
        # Curriculum activities, about no child: in full (test_audit_report_governors.py).
        "evidence-values": [
            ["Value", "Autumn 2025", "Spring 2026", "Summer 2026", "Whole period"],
            ["Democracy", "1", "1", "1", "3"],
            ["The rule of law", "1", "0", "0", "1"],
            ["Individual liberty", "0", "0", "1", "1"],
            [
                "Mutual respect and tolerance of those with different faiths and beliefs",
                "0",
                "1",
                "0",
                "1",
            ],
            ["Activities (any value)", "1", "2", "1", "4"],
        ],
    }


# Every figure, counted by hand


def test_the_page_shows_every_figure_as_counted_by_hand(year, client_for, head):
    response = client_for(head).get(REPORT)
    assert response.status_code == 200
    tables = html_tables(response.text)
    for key, rows in full_version(year).items():
        assert tables[key] == rows, key


def test_the_report_names_no_pupil(year, client_for, head):
    text = client_for(head).get(REPORT).text
    for name in PUPIL_NAMES:
        assert name not in text


def test_the_default_period_is_the_academic_year_the_report_is_run_in(year, client_for, head):
    text = client_for(head).get(REPORT).text
    assert "1 September 2025 to 31 August 2026" in text
    assert html_tables(text) == html_tables(client_for(head).get(REPORT, YEAR_2025).text)


def test_a_past_year_keeps_each_concern_in_the_year_group_the_pupil_was_in(
    clock, client_for, head, teacher, dsl, school
):
    pupil = PupilFactory(school=school, year_group="6")
    clock.set(2025, 3, 10, 10, 0)
    record_concern(
        by=teacher,
        pupil=pupil,
        **concern_data(observed_at=datetime(2025, 3, 10, 9, 0, tzinfo=LONDON)),
    )
    # September's roll import moves every pupil up a year.
    clock.set(2025, 9, 3, 9, 0)
    stored = {"line": 2, "upn": pupil.upn, "given_name": pupil.given_name}
    stored |= {"family_name": pupil.family_name, "year_group": "7", "pupil_id": pupil.pk}
    stored |= {"date_of_birth": pupil.date_of_birth.isoformat(), "drawn": details_version(pupil)}
    import_rows({"rows": [stored]}, school=school, by=dsl)
    last_year = YEAR_2025 | {"start_2": "2024", "end_2": "2025"}
    text = client_for(head).get(REPORT, last_year).text
    assert html_tables(text)["step-1-year-group"] == [["Year group", "Number"], ["Year 6", "1"]]
    # ... and says so: the reader must not take it for the year group the pupil is in now.
    assert "year group when the concern was recorded" in text
    assert "year group now" not in text
    assert "year groups now" not in text


def test_the_period_can_be_any_range(year, client_for, head):
    march_week = {
        "start_0": "2",
        "start_1": "3",
        "start_2": "2026",
        "end_0": "4",
        "end_1": "3",
        "end_2": "2026",
    }
    tables = html_tables(client_for(head).get(REPORT, march_week).text)
    # A, I (2 March) and B (3 March) were recorded from 2 to 4 March; C on the 5th is not.
    assert tables["step-1-month"] == [["Month", "Number"], ["March 2026", "3"]]
    assert tables["step-1-summary"][1] == ["Concerns recorded", "3"]
    assert tables["evidence-values"][0] == ["Value", "Spring 2026", "Whole period"]


# The edges of the period


def test_the_last_minute_of_august_and_the_first_of_september_fall_in_different_years(
    clock, client_for, head, teacher, school
):
    pupil = PupilFactory(school=school)
    for moment in [(2026, 8, 31, 23, 59), (2026, 9, 1, 0, 0)]:
        clock.set(*moment)
        record_concern(
            by=teacher,
            pupil=pupil,
            **concern_data(observed_at=datetime(2026, 8, 31, 20, 0, tzinfo=LONDON)),
        )
    # British Summer Time: 23:59 and 00:00 in London are 22:59 and 23:00 UTC on 31 August.
    clock.set(2026, 9, 2, 9, 0)
    client = client_for(head)
    earlier = html_tables(client.get(REPORT, YEAR_2025).text)
    later = html_tables(
        client.get(
            REPORT,
            {
                "start_0": "1",
                "start_1": "9",
                "start_2": "2026",
                "end_0": "31",
                "end_1": "8",
                "end_2": "2027",
            },
        ).text
    )
    assert earlier["step-1-summary"][1] == ["Concerns recorded", "1"]
    assert earlier["step-1-month"][-1] == ["August 2026", "1"]
    assert later["step-1-summary"][1] == ["Concerns recorded", "1"]
    assert later["step-1-month"][1] == ["September 2026", "1"]
    # Run on 2 September 2026 with no dates chosen, the report is the new year's.
    assert html_tables(client.get(REPORT).text)["step-1-month"][1] == ["September 2026", "1"]


# Downloads: the same figures as the page


def pdf_pages(pdf):
    """The number of pages in a PDF, counted in its (compressed) object streams."""
    objects = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            objects.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)) for data in objects)


def _by_key(response_text, sections_map):
    tables = csv_tables(response_text)
    return {key: tables[place] for key, place in sections_map.items() if place in tables}


def _places(html):
    """{table id: (section title, caption)} read from the page itself."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.places, self.section, self.table, self.grab = {}, None, None, None
            self.text = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "h2" and "govuk-heading-l" in (attrs.get("class") or ""):
                self.grab, self.text = "section", []
            elif tag == "table" and attrs.get("id"):
                self.table = attrs["id"]
            elif tag == "caption":
                self.grab, self.text = "caption", []

        def handle_endtag(self, tag):
            if tag == "h2" and self.grab == "section":
                self.section, self.grab = "".join(self.text).strip(), None
            elif tag == "caption" and self.grab == "caption":
                self.places[self.table] = (self.section, "".join(self.text).strip())
                self.grab = None

        def handle_data(self, data):
            if self.grab:
                self.text.append(data)

    reader = Reader()
    reader.feed(html)
    return reader.places


@pytest.mark.parametrize("audience", ["full", "governors"])
def test_the_csv_holds_the_same_figures_as_the_page(year, client_for, head, audience):
    client = reauthenticate(client_for(head))
    query = {"audience": audience} if audience == "governors" else {}
    page = client.get(REPORT, query).text
    download = client.get(REPORT, {**query, "format": "csv"})
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    suffix = "-governors" if audience == "governors" else ""
    assert download["Content-Disposition"] == (
        f'attachment; filename="safeguarding-audit-{year["A"].school.urn}-2025-09-01-to-'
        f'2026-08-31{suffix}.csv"'
    )
    text = download.content.decode("utf-8")
    page_tables = html_tables(page)
    csv_by_key = _by_key(text, _places(page))
    assert set(csv_by_key) == set(page_tables)
    for key, rows in page_tables.items():
        assert without_notes(csv_by_key[key]) == without_notes(rows), key
    expected = full_version(year) if audience == "full" else governors_version()
    for key, rows in expected.items():
        assert without_notes(csv_by_key[key]) == rows, key


@pytest.mark.parametrize("audience", ["full", "governors"])
def test_the_pdf_is_rendered_from_the_pages_html(year, client_for, head, monkeypatch, audience):
    rendered = []
    real = audit_report_view.html_to_pdf

    def keep(html, **kwargs):
        rendered.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(audit_report_view, "html_to_pdf", keep)
    client = reauthenticate(client_for(head))
    query = {"audience": audience} if audience == "governors" else {}
    page = client.get(REPORT, query).text
    download = client.get(REPORT, {**query, "format": "pdf"})
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].endswith('.pdf"')
    # WeasyPrint compresses the PDF's text, and no PDF reader is installed here: check that a
    # real, multi-page PDF came out, and that the HTML it was made from holds the page's figures.
    assert download.content.startswith(b"%PDF-")
    assert download.content.rstrip().endswith(b"%%EOF")
    assert len(download.content) > 20_000
    assert pdf_pages(download.content) > 1
    [html] = rendered
    assert html_tables(html) == html_tables(page)
    expected = full_version(year) if audience == "full" else governors_version()
    for key, rows in expected.items():
        assert html_tables(html)[key] == rows, key
    # The PDF is the report alone: no service header with the reader's name, no menu.
    assert "Signed in as" not in html
    assert "govuk-service-navigation" not in html


def test_every_pdf_page_is_marked_and_names_the_school_and_its_number(year, client_for, head):
    """A page that comes apart from the rest still says how to handle it, whose it is and
    where it belongs."""
    from pypdf import PdfReader

    download = reauthenticate(client_for(head)).get(REPORT, {"format": "pdf"})
    pages = [sheet.extract_text() for sheet in PdfReader(io.BytesIO(download.content)).pages]
    assert len(pages) > 1
    school = year["A"].school.name
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text, number
        assert school in text, number
        assert f"Page {number} of {len(pages)}" in text, number


def test_the_governors_downloads_name_nobody(year, client_for, head, monkeypatch):
    rendered = []
    real = audit_report_view.html_to_pdf
    monkeypatch.setattr(
        audit_report_view,
        "html_to_pdf",
        lambda html, **kw: rendered.append(html) or real(html, **kw),
    )
    client = reauthenticate(client_for(head))
    text = client.get(REPORT, {"audience": "governors", "format": "csv"}).content.decode()
    client.get(REPORT, {"audience": "governors", "format": "pdf"})
    for download in (text, rendered[0]):
        for name in NAMES + PUPIL_NAMES:
            assert name not in download
        for concern in year.values():
            assert concern.reference not in download
        for narrative in (NFA_RATIONALE, NOT_HELD_DETAILS, NOT_HELD_ATTEMPTS):
            assert narrative not in download
        assert "fewer than 5" in download
    # The full version does name the people who looked at records.
    full = client.get(REPORT, {"format": "csv"}).content.decode()
    assert "Tara Teacher" in full
    assert year["D"].reference in full


def test_a_count_of_zero_shows_as_zero_in_the_governors_version(year, client_for, head):
    text = (
        reauthenticate(client_for(head))
        .get(REPORT, {"audience": "governors", "format": "csv"})
        .content
    )
    tables = csv_tables(text.decode())
    by_reason = tables[
        ("Step 3: talking with the parent or carer", "Conversations not held, by reason")
    ]
    assert by_reason[1] == ["Talking to the parent or carer would place the child at risk", "0"]


# (A tab or return typed first is stripped with the rest of the white space around a reason.)
@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_spreadsheet_formula_typed_into_a_reason_is_not_run(client_for, head, dsl, walk, start):
    concern = walk.recorded()
    formula = start + 'HYPERLINK("http://evil.example","no further action needed here")'
    close_concern(concern, by=dsl, outcome="nfa", rationale=formula)
    download = reauthenticate(client_for(head)).get(REPORT, {"format": "csv"})
    cells = [cell for row in csv.reader(io.StringIO(download.content.decode())) for cell in row]
    assert "'" + formula in cells
    assert formula not in cells


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_school_name_that_looks_like_a_formula_is_not_run(client_for, head, school, start):
    """The heading rows go through the same guard as the tables: a name is typed too."""
    school.name = start + 'HYPERLINK("http://evil.example","Greensand")'
    school.save(update_fields=["name"])
    download = reauthenticate(client_for(head)).get(REPORT, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[2] == ["School", "'" + school.name]


def test_the_csv_is_marked_official_sensitive_and_opens_as_utf_8(client_for, head, school):
    """A council's information governance marks such a file OFFICIAL-SENSITIVE on its first
    line; the byte-order mark before it lets a spreadsheet read an accented name."""
    school.name = "École Zoë"
    school.save(update_fields=["name"])
    download = reauthenticate(client_for(head)).get(REPORT, {"format": "csv"})
    assert download.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["OFFICIAL-SENSITIVE"]
    assert ["School", "École Zoë"] in rows


def test_the_csv_says_when_it_was_produced_as_the_page_does(clock, client_for, head):
    """Its '(now)' figures (requests overdue, concerns awaiting review) are as at that moment:
    a copy kept for an inspector, without it, could not say when they were true."""
    clock.set(2026, 3, 16, 12, 0)
    client = reauthenticate(client_for(head))
    assert "Produced on 16 March 2026 at midday." in client.get(REPORT).text
    download = client.get(REPORT, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[:6] == [
        ["OFFICIAL-SENSITIVE"],
        ["Safeguarding audit report"],
        ["School", "Lea Bank Primary School"],
        ["Period", "1 September 2025 to 31 August 2026"],
        ["Version", "Full version, for the school's leaders"],
        ["Produced on", "16 March 2026 at midday"],
    ]


# Every view and download is audited, once


@pytest.mark.parametrize(
    ("query", "action", "detail"),
    [
        ({}, "report.view", {"format": "html", "audience": "full"}),
        ({"audience": "governors"}, "report.view", {"format": "html", "audience": "governors"}),
        ({"format": "csv"}, "report.export", {"format": "csv", "audience": "full"}),
        (
            {"format": "pdf", "audience": "governors"},
            "report.export",
            {"format": "pdf", "audience": "governors"},
        ),
    ],
)
def test_each_view_or_download_writes_one_audit_event(
    clock, client_for, head, school, query, action, detail
):
    clock.set(2026, 3, 16, 12, 0)
    client = reauthenticate(client_for(head))  # writes its own auth.mfa_used row
    client.get(REPORT, query)
    event = AuditEvent.objects.get(object_type="report")
    assert (event.action, event.actor, event.school, event.object_type) == (
        action,
        head,
        school,
        "report",
    )
    assert event.detail == {**detail, "start": "2025-09-01", "end": "2026-08-31"}


def test_a_period_that_ends_before_it_starts_is_refused(client_for, head):
    response = client_for(head).get(REPORT, {**YEAR_2025, "end_2": "2024"})
    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert "The last day must be the same as or after the first day" in response.text
    assert 'value="2024"' in response.text
    assert "Key figures" not in response.text
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start_0": "31", "start_1": "2"}, "Enter a real date"),
        ({"start_0": "", "start_1": "", "start_2": ""}, "Enter the first day of the period"),
        ({"end_2": "26"}, "The year must include 4 numbers"),
        ({"end_2": "1999"}, "with a 4-digit year"),
        ({"start_2": "2019"}, "Choose a period of 5 years or less"),
        # The day after 31 12 9999 does not exist: this was a server error.
        (
            {"start_2": "9999", "start_1": "1", "end_2": "9999", "end_1": "12"},
            "Enter a date in {next_year} or earlier",
        ),
    ],
)
def test_a_bad_period_says_what_is_wrong(client_for, head, clock, change, message):
    # The year is read as the test runs, with the clock stopped: not as the tests are collected,
    # which on 31 December may be the year before.
    response = client_for(head).get(REPORT, {**YEAR_2025, **change})
    assert response.status_code == 200
    assert message.format(next_year=timezone.localdate().year + 1) in response.text
    assert not AuditEvent.objects.exists()


def test_a_bad_period_on_the_governors_version_keeps_to_that_version(client_for, head):
    """Corrected and sent again, the period shows the governors' version still: the full one,
    with pupils' names, is not what the head was preparing for the governors."""
    response = client_for(head).get(REPORT, {**YEAR_2025, "end_2": "2024", "audience": "governors"})
    assert "The last day must be the same as or after the first day" in response.text
    assert '<input type="hidden" name="audience" value="governors">' in response.text
    assert "audience=governors" in response.text[response.text.index("Academic years") :]


def test_each_missing_part_of_a_date_says_which_date(client_for, head):
    """Two dates on one page: "Enter the month" twice would not say which is wrong."""
    response = client_for(head).get(REPORT, {**YEAR_2025, "start_1": "", "end_2": ""})
    summary = response.text[response.text.index("govuk-error-summary") :]
    assert "The first day of the period must include a month" in summary
    assert "The last day of the period must include a year" in summary
    assert "Enter the month" not in response.text


def test_the_controls_are_not_printed(client_for, head):
    text = client_for(head).get(REPORT).text
    controls = text[text.index('<div class="app-no-print">') :]
    assert controls.index('<form method="get"') < controls.index("Step 1: recording concerns")


# Who may see it


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(REPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["teacher", "hub_advisor", "hub_manager", "la_admin"])
def test_staff_and_the_authority_are_refused(client_for, request, persona):
    user = request.getfixturevalue(persona)
    for query in ({}, {"format": "csv"}, {"format": "pdf"}):
        assert client_for(user).get(REPORT, query).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="report.").exists()


@pytest.mark.parametrize("persona", ["head", "dsl", "deputy_dsl"])
def test_the_head_teacher_and_dsls_see_it(client_for, request, persona):
    assert client_for(request.getfixturevalue(persona)).get(REPORT).status_code == 200


def test_another_school_sees_only_its_own_figures(year, client_for, other_school_dsl):
    text = client_for(other_school_dsl).get(REPORT).text
    tables = html_tables(text)
    # No figure of `year`'s in any table: every count is 0 and every median none. (Refused
    # attempts are the other school's own: its DSL tried to open `year`'s concerns.)
    denied = tables.pop("access-denied")
    assert [row[0] for row in denied[1:]] == ["Oscar Otherschool"]
    counts = [cell for rows in tables.values() for row in rows[1:] for cell in row[1:]]
    assert {c for c in counts if re.fullmatch(r"[\d.,]+%?|fewer than 5", c)} == {"0"}
    assert tables["step-1-summary"][1] == ["Concerns recorded", "0"]
    assert tables["access-viewers"] == [tables["access-viewers"][0], ["None in this period."]]
    for concern in year.values():
        assert concern.reference not in text
    assert "Hana Head" not in text


def test_a_confirmation_of_an_earlier_policy_address_is_not_reported_as_covering_this_one(
    clock, client_for, head, dsl, school
):
    clock.set(2025, 10, 1, 10, 0)
    confirm_prevent_policy(school, by=head, expected_url=ADDRESS)
    clock.set(2026, 1, 12, 10, 0)
    new_address = "https://school.example/safeguarding-policy-2026"
    set_policy_url(school, by=dsl, url=new_address, expected_url=ADDRESS)
    clock.set(2026, 3, 16, 10, 0)
    policy = dict(html_tables(client_for(head).get(REPORT).text)["evidence-policy"][1:])
    assert policy["Published safeguarding policy (step 1)"] == new_address
    assert policy["Policy covers Prevent, with no separate Prevent policy (step 4)"] == (
        "Not confirmed for this address: the last confirmation, by Hana Head, head teacher, "
        "on 1 October 2025, was for a different address"
    )
    assert policy["Policy address confirmed"] == ADDRESS
    # Once the head confirms the new address, the report says so.
    confirm_prevent_policy(school, by=head, expected_url=new_address)
    policy = dict(html_tables(client_for(head).get(REPORT).text)["evidence-policy"][1:])
    assert policy["Policy covers Prevent, with no separate Prevent policy (step 4)"] == (
        "Confirmed by Hana Head, head teacher, on 16 March 2026"
    )


def test_the_report_is_not_cached(client_for, head):
    response = client_for(head).get(REPORT)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# A long list of exceptions


def test_a_long_list_of_exceptions_shows_the_oldest_and_the_csv_has_them_all(
    monkeypatch, clock, client_for, head, school, teacher, dsl, hub_advisor, walk
):
    monkeypatch.setattr(audit_report_view, "LISTED", 2)
    monkeypatch.setattr(audit_report_view, "LISTED_IN_PDF", 1)
    rendered = []
    real = audit_report_view.html_to_pdf

    def keep(html, **kwargs):
        rendered.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(audit_report_view, "html_to_pdf", keep)
    clock.set(2026, 3, 2, 9, 0)
    add_concerns(clock, school, teacher, dsl, hub_advisor, 15)  # 3 closed without advice
    for _ in range(3):
        concern = walk.advice_received()
        log_parent_conversation(
            concern,
            by=dsl,
            held=False,
            not_held_reason="unreachable",
            attempts="Two calls.",
            details=f"No answer about {concern.reference}.",
        )
    clock.set(2026, 7, 20, 12, 0)
    closed = [
        closure.concern.reference
        for closure in Closure.objects.filter(concern__school=school, without_hub_advice=True)
        .select_related("concern")
        .order_by("closed_at", "pk")
    ]
    assert len(closed) == 3
    client = reauthenticate(client_for(head))

    page = client.get(REPORT).text

    tables = html_tables(page)
    assert [row[0] for row in tables["exceptions-closed"][1:]] == closed[:2]
    assert ["Closures without hub advice", "3"] in tables["exceptions-summary"]
    assert ["Parent conversations not held", "3"] in tables["exceptions-summary"]
    assert len(tables["exceptions-not-held"]) == 1 + 2
    assert ["Advice requests past their due time (now)", "3"] in tables["exceptions-summary"]
    assert len(tables["exceptions-overdue"]) == 1 + 2
    # Closed without advice, conversations not held, overdue, awaiting review, and referrals
    # to children's social care still without an outcome: 3 or more of each.
    assert page.count("The full list is in the CSV spreadsheet.") == 5
    assert "The first 2 of 3, oldest first." in page
    download = csv_tables(client.get(REPORT, {"format": "csv"}).content.decode("utf-8"))
    in_csv = without_notes(download[("Exceptions", "Closed without hub advice")])
    assert [row[0] for row in in_csv[1:]] == closed
    assert (
        len(without_notes(download[("Exceptions", "Advice requests past their due time (now)")]))
        == 4
    )
    assert len(without_notes(download[("Exceptions", "Parent conversations not held")])) == 4
    undecided = (
        "Referrals to children's social care with no outcome recorded a working day after them "
        "(now)"
    )
    assert len(without_notes(download[("Exceptions", undecided)])) > 3  # all, not the first 2
    assert "The full list is in the CSV spreadsheet." not in str(download)
    # The PDF lists as many as it can draw within a request's time, and says where the rest are.
    assert client.get(REPORT, {"format": "pdf"})["Content-Type"] == "application/pdf"
    [pdf_html] = rendered
    pdf_tables = html_tables(pdf_html)
    assert [row[0] for row in pdf_tables["exceptions-closed"][1:]] == closed[:1]
    assert len(pdf_tables["exceptions-not-held"]) == 1 + 1
    assert len(pdf_tables["exceptions-overdue"]) == 1 + 1
    assert pdf_html.count("The full list is in the CSV spreadsheet.") == 5
    assert "The first 1 of 3, oldest first." in pdf_html


# Its cost


def test_the_report_makes_the_same_number_of_queries_for_10_and_500_concerns(
    clock, client_for, head, school, teacher, dsl, hub_advisor
):
    client = client_for(head)
    clock.set(2026, 3, 2, 9, 0)
    add_concerns(clock, school, teacher, dsl, hub_advisor, 10)
    clock.set(2026, 7, 20, 12, 0)
    client.get(REPORT)
    with CaptureQueriesContext(connection) as ten:
        assert "Concerns recorded" in client.get(REPORT).text
    assert html_tables(client.get(REPORT).text)["step-1-summary"][1] == ["Concerns recorded", "10"]
    add_concerns(clock, school, teacher, dsl, hub_advisor, 490)
    clock.set(2026, 7, 20, 12, 0)
    with CaptureQueriesContext(connection) as five_hundred:
        text = client.get(REPORT).text
    assert html_tables(text)["step-1-summary"][1] == ["Concerns recorded", "500"]
    assert len(five_hundred.captured_queries) == len(ten.captured_queries)


@pytest.fixture
def term_time(clock):
    """The clock stopped at 10:00 on Monday 2 March 2026, before the people are made. Tests
    that walk concerns through the steps and then read the figures of the academic year they
    are in walked them in one year and read the next when run across midnight on 31 August."""
    clock.set(2026, 3, 2, 10, 0)
    return clock


def test_each_closure_without_hub_advice_is_counted_and_listed_with_its_reason(
    term_time, walk, client_for, dsl, head
):
    """Reopened on new information and closed again without asking the hub: a second decision
    without advice, with its own reason. The figure counts closures, as the list shows them."""
    concern = walk.recorded()
    reasons = [
        "Mum explained the bruise: a fall at the park, seen by the PE teacher.",
        "The new note was about another child; nothing further for this one.",
    ]
    close_concern(concern, by=dsl, outcome="nfa", rationale=reasons[0])
    reopen_concern(concern, by=dsl, reason="A new note from the class teacher.")
    close_concern(concern, by=dsl, outcome="nfa", rationale=reasons[1])
    tables = html_tables(reauthenticate(client_for(head)).get(REPORT).text)
    assert ["Closures without hub advice", "2"] in tables["exceptions-summary"]
    assert [row[0] for row in tables["exceptions-closed"][1:]] == [concern.reference] * 2
    assert [row[-1] for row in tables["exceptions-closed"][1:]] == reasons


def test_a_conversation_held_before_the_advice_is_no_time_from_advice_to_conversation(
    term_time, walk, dsl, school
):
    """Counted as 0 hours it would pull the median down, as if the school had talked to the
    parent the moment the advice came."""
    before, after = walk.advice_received(), walk.advice_received()
    advised_at = before.advice_requests.get().advised_at
    for concern, held_at in [
        (before, advised_at - timedelta(hours=2)),
        (after, timezone.now()),  # just after its advice, given a moment ago
    ]:
        log_parent_conversation(concern, by=dsl, **held_conversation(held_at=held_at))
    today = timezone.localdate()
    figures = audit_figures(school, Period.academic_year(today), now=timezone.now())
    assert figures.conversations_held == 2
    assert figures.advice_to_conversation.n == 1


def _not_reached(concern, dsl, reason="unreachable"):
    log_parent_conversation(
        concern,
        by=dsl,
        held=False,
        not_held_reason=reason,
        attempts="Two calls.",
        details="No answer.",
    )
    concern.refresh_from_db()


def test_a_concerns_step_3_counts_by_its_latest_conversation(
    term_time, walk, dsl, school, client_for, head
):
    """Not reached at first, then talked with: step 3 was held, and is neither counted nor
    listed as not held. Not reached, then declined: one not held, for the latest reason."""
    talked = walk.advice_received()
    _not_reached(talked, dsl)
    log_parent_conversation(talked, by=dsl, **held_conversation())
    declined = walk.advice_received()
    _not_reached(declined, dsl)
    _not_reached(declined, dsl, reason="other")
    today = timezone.localdate()
    figures = audit_figures(school, Period.academic_year(today), now=timezone.now())
    assert figures.conversations_held == 1
    assert dict(figures.not_held_by_reason) == {
        "risk": 0,
        "unreachable": 0,
        "child_asked": 0,
        "other": 1,
    }
    assert figures.not_held_count == 1
    assert [row[1] for row in figures.not_held] == [declined.reference]
    page = reauthenticate(client_for(head)).get(REPORT).text
    assert html_tables(page)["step-3-summary"][1] == ["Conversations held", "1"]
    assert "followed by a later one on the same concern" in page


def test_a_conversation_not_held_in_an_earlier_episode_still_counts(term_time, walk, dsl, school):
    """Closed after the parent could not be reached, then reopened on new information and
    talked with: the first episode's step 3 was not held, and stays so."""
    concern = walk.advice_received()
    _not_reached(concern, dsl)
    close_concern(concern, by=dsl, outcome="monitoring", rationale="Breakfast club in place.")
    concern.refresh_from_db()
    term_time.moment += timedelta(hours=1)  # episodes are told apart by when they reopen
    reopen_concern(concern, by=dsl, reason="New disclosure")
    concern = walk.advice_received(concern)
    log_parent_conversation(concern, by=dsl, **held_conversation())
    today = timezone.localdate()
    figures = audit_figures(school, Period.academic_year(today), now=timezone.now())
    assert figures.conversations_held == 1
    assert figures.not_held_count == 1


def test_reasons_typed_in_any_language_are_shown_in_their_own_direction(year, client_for, head):
    """A rationale or the details of a conversation not held may be typed in Arabic or Urdu:
    each table cell of typed words runs in the direction of its own first letters."""
    page = client_for(head).get(REPORT).text
    for narrative in (NFA_RATIONALE, NOT_HELD_DETAILS, NOT_HELD_ATTEMPTS):
        assert direction_of(page, narrative) == "auto", narrative


def _step_3(client):
    """Step 3's key figures and the exceptions' count of conversations not held, as the page
    and the CSV show them (the PDF is the page's HTML)."""
    page = html_tables(client.get(REPORT).text)
    download = csv_tables(client.get(REPORT, {"format": "csv"}).content.decode("utf-8"))
    step_3 = "Step 3: talking with the parent or carer"
    in_csv = download[(step_3, "Key figures: step 3, talking with the parent or carer")]
    exceptions = download[("Exceptions", "Key figures: exceptions")]
    return page["step-3-summary"], in_csv, page["exceptions-summary"], exceptions


def test_held_then_not_held_after_follow_up_advice_counts_once_as_not_held(
    term_time, walk, dsl, school, client_for, head
):
    """Talked with, then asked the hub again, then the parent could not be reached for the
    follow-up talk: one concern, one step 3, counted as its latest, not held; not also as
    held."""
    concern = walk.conversation_logged()
    concern = walk.advice_received(concern)
    _not_reached(concern, dsl)
    figures = audit_figures(school, Period.academic_year(timezone.localdate()), now=timezone.now())
    assert figures.conversations_held == 0
    assert dict(figures.not_held_by_reason)["unreachable"] == 1
    assert figures.not_held_count == 1
    assert [row[1] for row in figures.not_held] == [concern.reference]
    summary, in_csv, exceptions, exceptions_csv = _step_3(reauthenticate(client_for(head)))
    for rows in (summary, in_csv):
        assert ["Conversations held", "0"] in rows
        assert ["Conversations not held (with a reason)", "1"] in rows
    for rows in (exceptions, exceptions_csv):
        assert ["Parent conversations not held", "1"] in rows


def test_two_conversations_held_count_once_by_the_latest(
    term_time, walk, dsl, school, client_for, head
):
    """Talked with the morning the advice came (before it), then again after follow-up advice:
    one conversation held, after the advice, with its one time from advice to conversation."""
    concern = walk.advice_received()
    advised_at = concern.advice_requests.get().advised_at
    log_parent_conversation(
        concern, by=dsl, **held_conversation(held_at=advised_at - timedelta(hours=2))
    )
    concern = walk.advice_received(concern)
    log_parent_conversation(concern, by=dsl, **held_conversation(held_at=timezone.now()))
    figures = audit_figures(school, Period.academic_year(timezone.localdate()), now=timezone.now())
    assert figures.conversations_held == 1
    assert figures.held_before_advice == 0
    assert figures.advice_to_conversation.n == 1
    summary, in_csv, _, _ = _step_3(reauthenticate(client_for(head)))
    for rows in (summary, in_csv):
        assert ["Conversations held", "1"] in rows
        assert ["Of those, held before the hub's advice came", "0"] in rows


def test_an_escalation_after_a_reopening_is_step_3_not_needed_for_that_episode(
    term_time, walk, dsl, school, client_for, head
):
    """Talked with and closed; reopened on a disclosure and escalated at once: the talk ended
    the first episode, and did not make the second one's step 3 unnecessary."""
    concern = walk.conversation_logged()
    close_concern(concern, by=dsl, outcome="monitoring", rationale="Breakfast club in place.")
    term_time.moment += timedelta(hours=1)  # episodes are told apart by when they reopen
    reopen_concern(concern, by=dsl, reason="A disclosure of being hit at home.")
    escalate_significant_harm(concern, by=dsl, **escalation_data())
    figures = audit_figures(school, Period.academic_year(timezone.localdate()), now=timezone.now())
    assert figures.conversations_held == 1
    assert figures.not_needed_escalated == 1
    summary, in_csv, _, _ = _step_3(reauthenticate(client_for(head)))
    for rows in (summary, in_csv):
        assert ["Not needed because the concern was escalated for significant harm", "1"] in rows


def test_an_escalation_in_each_of_two_episodes_makes_each_ones_step_3_unnecessary(
    term_time, walk, dsl, school, client_for, head
):
    """Escalated at once and closed; reopened on a new disclosure and escalated at once again:
    each episode's step 3 was not needed, as each episode counts its conversation once (held
    in both, it would be two conversations held). Two referrals in one episode (children's
    social care, then the police) still make one."""
    concern = walk.escalated()
    escalate_significant_harm(concern, by=dsl, **escalation_data(referred_to="police"))
    close_concern(concern, by=dsl, outcome="monitoring", rationale="Police and CSC leading.")
    term_time.moment += timedelta(hours=1)  # episodes are told apart by when they reopen
    reopen_concern(concern, by=dsl, reason="A second disclosure of being hit at home.")
    escalate_significant_harm(concern, by=dsl, **escalation_data())
    figures = audit_figures(school, Period.academic_year(timezone.localdate()), now=timezone.now())
    assert figures.escalations == 3
    assert figures.not_needed_escalated == 2
    summary, in_csv, _, _ = _step_3(reauthenticate(client_for(head)))
    for rows in (summary, in_csv):
        assert ["Not needed because the concern was escalated for significant harm", "2"] in rows


def test_a_talk_after_a_reopening_is_timed_from_that_episodes_advice(clock, walk, dsl, school):
    """Reopened, the parent was talked with before the hub's new advice came: held before the
    advice, not timed from the advice that answered the concern before it was closed."""
    clock.set(2026, 3, 2, 10, 0)
    concern = walk.advice_received()
    clock.set(2026, 3, 2, 15, 0)
    log_parent_conversation(concern, by=dsl, **held_conversation())
    close_concern(concern, by=dsl, outcome="monitoring", rationale="Breakfast club in place.")
    clock.set(2026, 3, 4, 9, 0)
    reopen_concern(concern, by=dsl, reason="A new note from the class teacher.")
    clock.set(2026, 3, 5, 10, 0)
    concern = walk.advice_received(concern)
    talked_at = clock.set(2026, 3, 4, 14, 0)
    clock.set(2026, 3, 5, 11, 0)
    log_parent_conversation(concern, by=dsl, **held_conversation(held_at=talked_at))
    figures = audit_figures(school, Period.academic_year(date(2026, 3, 5)), now=timezone.now())
    assert figures.conversations_held == 2
    assert figures.held_before_advice == 1
    assert figures.advice_to_conversation.values == (4.5,)  # 10:00 to 15:00, less 30 minutes
