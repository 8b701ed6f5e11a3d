"""The hub manager's overview: who may see it, figures checked against values worked out by
hand on a small fixed data set, and a CSV that carries the same figures as the page."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from reports.hub_overview import _timeliness, hub_overview, nearest_rank
from schools.models import Role
from schools.services import add_member, end_membership
from tests.conftest import reauthenticate
from tests.factories import member
from tests.hubcases import HubCases

URL = reverse("reports:hub_overview")
# Friday 27 February 2026, 5:30pm. February is GMT, so London time is UTC.
NOW = datetime(2026, 2, 27, 17, 30, tzinfo=UTC)


def moment(day, hour, minute=0, month=2, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def cases(db):
    return HubCases()


@pytest.fixture
def fixed(cases, school, other_school, other_la_school, hub_advisor, hub_manager, other_la_advisor):
    """Twelve requests of one authority and two of another, at fixed times.

    Working hours to advice, by hand (Monday to Friday, 9am to 5pm):
      1 red    Fri 20 Feb 3pm -> Mon 23 11am   2h + 2h        =  4 (on target, over a weekend)
      2 red    Mon 23 10am    -> Mon 23 noon                  =  2
      3 red    Tue 24 4pm     -> Wed 25 2pm    1h + 5h        =  6 (late)
      4 amber  Fri 20 4pm     -> Mon 23 4pm    1h + 7h        =  8 (on target, over a weekend)
      5 amber  Thu 19 9am     -> Mon 23 9am    8h + 8h + 0h   = 16 (late)
      6 green  Fri 6 Feb noon -> Tue 10 noon   5h + 8h + 3h   = 16
      7 green  Mon 15 Dec 10am -> Fri 19 Dec 10am 7h+24h+1h   = 32 (late; 74 days ago)
      8 green  Mon 3 Nov 2025 -> Tue 4 Nov: more than 90 days ago, counted nowhere
    Open: 9 red claimed by the manager, due Fri 27 2pm (overdue); 10 amber claimed by the
    advisor, due Mon 2 Mar 3pm; 11 green unclaimed, due Wed 25 5pm (overdue). 12 withdrawn.
    """
    answered = [
        (school, "red", ["neglect"], moment(20, 15), moment(23, 11)),
        (other_school, "red", ["radicalisation"], moment(23, 10), moment(23, 12)),
        (school, "red", ["neglect"], moment(24, 16), moment(25, 14)),
        (school, "amber", ["online_safety"], moment(20, 16), moment(23, 16)),
        (other_school, "amber", ["radicalisation", "online_safety"], moment(19, 9), moment(23, 9)),
        (school, "green", ["neglect"], moment(6, 12), moment(10, 12)),
        (
            school,
            "green",
            ["self_harm"],
            moment(15, 10, month=12, year=2025),
            moment(19, 10, month=12, year=2025),
        ),
        (
            school,
            "green",
            ["neglect"],
            moment(3, 10, month=11, year=2025),
            moment(4, 10, month=11, year=2025),
        ),
    ]
    for place, urgency, categories, asked, advised in answered:
        made = cases.request(place, urgency, when=asked, categories=categories)
        cases.answered(made, hub_advisor, when=advised)
    overdue_red = cases.request(school, "red", when=moment(27, 10), categories=["radicalisation"])
    cases.claimed(overdue_red, hub_manager, when=moment(27, 11))
    amber = cases.request(other_school, "amber", when=moment(27, 15))
    cases.claimed(amber, hub_advisor, when=moment(27, 16))
    cases.request(other_school, "green", when=moment(23, 9))
    cases.withdrawn(cases.request(school, "green", when=moment(25, 10)))
    # Another authority's work never counts here.
    cases.request(other_la_school, "red", when=moment(27, 9), categories=["radicalisation"])
    cases.answered(
        cases.request(other_la_school, "red", when=moment(23, 10)),
        other_la_advisor,
        when=moment(23, 16),
    )


def figures(hub_manager, start=date(2026, 2, 1), end=date(2026, 2, 27)):
    return hub_overview(hub_manager.memberships.get(), now=NOW, start=start, end=end)


def test_open_requests_by_urgency_and_overdue_now(fixed, hub_manager):
    assert figures(hub_manager).open_work.rows == [
        ["Red", 0, 1, 1, 1],
        ["Amber", 0, 1, 1, 0],
        ["Green", 1, 0, 1, 1],
        ["All urgencies", 1, 2, 3, 2],
    ]


def test_time_to_advice_in_working_hours_over_30_and_90_days(fixed, hub_manager):
    last_30, last_90 = figures(hub_manager).advice
    assert last_30.rows == [
        ["Red", "within 4 working hours", 3, "4.0", "6.0", "67% (2 of 3)"],
        ["Amber", "within 1 working day", 2, "12.0", "16.0", "50% (1 of 2)"],
        ["Green", "within 3 working days", 1, "16.0", "16.0", "100% (1 of 1)"],
        ["All urgencies", "each request's own", 6, "7.0", "16.0", "67% (4 of 6)"],
    ]
    assert last_90.rows == [
        ["Red", "within 4 working hours", 3, "4.0", "6.0", "67% (2 of 3)"],
        ["Amber", "within 1 working day", 2, "12.0", "16.0", "50% (1 of 2)"],
        ["Green", "within 3 working days", 2, "24.0", "32.0", "50% (1 of 2)"],
        ["All urgencies", "each request's own", 7, "8.0", "32.0", "57% (4 of 7)"],
    ]


@pytest.mark.parametrize(
    ("on_time", "late", "within_target"),
    [
        # 199 of 200 within target is not every one: 99.5% does not round to 100%.
        (199, 1, "more than 99% (199 of 200)"),
        # 1 of 300 is not none: 0.3% does not round to 0%.
        (1, 299, "less than 1% (1 of 300)"),
        (200, 0, "100% (200 of 200)"),
        (0, 300, "0% (0 of 300)"),
        # No advice given: no share to show, as the times beside it.
        (0, 0, "n/a"),
    ],
)
def test_within_target_reads_100_or_0_percent_only_when_it_is_all_or_none(
    on_time, late, within_target
):
    # (working hours to advice, target hours) for each request answered.
    answered = [(3.0, 4)] * on_time + [(5.0, 4)] * late
    row = _timeliness("Red", "within 4 working hours", answered)
    assert row[2] == on_time + late
    assert row[-1] == within_target


def test_volumes_by_school_and_category_for_the_chosen_days(fixed, hub_manager):
    overview = figures(hub_manager)
    assert overview.by_school.rows == [
        ["Chiltern Rise Academy", 4],
        ["Lea Bank Primary School", 6],
        ["All schools", 10],
    ]
    by_category = dict(overview.by_category.rows)
    assert by_category.pop("Neglect") == 6
    assert by_category.pop("Radicalisation or extremism (Prevent)") == 3
    assert by_category.pop("Online safety") == 2
    assert set(by_category.values()) == {0}  # self-harm's request came before these days
    # The last day is counted whole: only requests of the 27th.
    only_27th = figures(hub_manager, start=date(2026, 2, 27), end=date(2026, 2, 27))
    assert only_27th.by_school.rows[-1] == ["All schools", 2]


def test_each_advisors_open_claims(fixed, hub_manager, school):
    newcomer = member(Role.HUB_ADVISOR, school.local_authority, full_name="Nia Newcomer")
    assert figures(hub_manager).claims.rows == [
        ["Ada Advisor", 1, 0],
        ["Max Manager", 1, 1],
        [newcomer.full_name, 0, 0],
    ]


def test_a_claim_held_by_someone_who_has_left_the_hub_counts_as_unclaimed(
    fixed, hub_manager, hub_advisor
):
    # Ada's hub role is ended with the amber request claimed: the queue offers it to anyone as
    # "Nobody yet (Ada Advisor has left the hub)", so the overview does not count it claimed.
    hub_advisor.memberships.update(is_active=False)
    overview = figures(hub_manager)
    assert overview.open_work.rows == [
        ["Red", 0, 1, 1, 1],
        ["Amber", 1, 0, 1, 0],
        ["Green", 1, 0, 1, 1],
        ["All urgencies", 2, 1, 3, 2],
    ]
    assert overview.claims.rows == [
        ["Ada Advisor (claimed before leaving the hub)", 1, 0],
        ["Max Manager", 1, 1],
    ]
    assert "count as unclaimed" in overview.claims.note
    # Switched off by the service's operators, the same.
    hub_advisor.memberships.update(is_active=True)
    hub_advisor.is_active = False
    hub_advisor.save(update_fields=["is_active"])
    assert figures(hub_manager).open_work.rows[1] == ["Amber", 1, 0, 1, 0]


def test_a_claim_from_before_an_advisor_left_and_came_back_counts_as_unclaimed(
    fixed, hub_manager, hub_advisor, authority, la_admin
):
    end_membership(hub_advisor.memberships.get(), by=la_admin)
    add_member(
        authority, by=la_admin, email=hub_advisor.email, role=Role.HUB_ADVISOR, full_name="A"
    )
    overview = figures(hub_manager)
    assert overview.open_work.rows[1] == ["Amber", 1, 0, 1, 0]
    assert overview.claims.rows == [
        ["Ada Advisor", 0, 0],
        ["Ada Advisor (claimed before leaving the hub)", 1, 0],
        ["Max Manager", 1, 1],
    ]


def test_the_chosen_days_run_from_midnight_to_midnight_london_time_in_summer(
    cases, school, hub_manager
):
    # June is BST: London midnight is 11pm UTC the evening before.
    for when in (
        datetime(2026, 5, 31, 22, 59, 59, tzinfo=UTC),  # 11:59:59pm on 31 May: before
        datetime(2026, 5, 31, 23, 0, tzinfo=UTC),  # midnight starting 1 June: counted
        datetime(2026, 6, 30, 22, 59, 59, tzinfo=UTC),  # 11:59:59pm on 30 June: counted
        datetime(2026, 6, 30, 23, 0, tzinfo=UTC),  # midnight starting 1 July: after
    ):
        cases.request(school, "green", when=when)
    overview = hub_overview(
        hub_manager.memberships.get(),
        now=datetime(2026, 7, 2, 9, 0, tzinfo=UTC),
        start=date(2026, 6, 1),
        end=date(2026, 6, 30),
    )
    assert overview.by_school.rows[-1] == ["All schools", 2]


def test_a_request_due_this_minute_is_not_yet_overdue_and_advice_90_days_ago_is_out(
    cases, school, hub_advisor, hub_manager
):
    asked = datetime(2026, 7, 2, 8, 0, tzinfo=UTC)  # Thursday, 9am BST
    now = cases.request(school, "red", when=asked).due_at  # the minute it falls due
    cases.claimed(cases.request(school, "red", when=asked), hub_advisor)
    on_the_edge = cases.request(school, "red", when=now - timedelta(days=91))
    cases.answered(on_the_edge, hub_advisor, when=now - timedelta(days=90))
    just_inside = cases.request(school, "red", when=now - timedelta(days=91))
    cases.answered(just_inside, hub_advisor, when=now - timedelta(days=90) + timedelta(seconds=1))
    overview = hub_overview(
        hub_manager.memberships.get(), now=now, start=date(2026, 6, 1), end=date(2026, 7, 2)
    )
    assert overview.open_work.rows[0] == ["Red", 1, 1, 2, 0]
    assert overview.claims.rows == [["Ada Advisor", 1, 0], ["Max Manager", 0, 0]]
    last_30, last_90 = overview.advice
    assert last_90.rows[0][2] == 1
    assert last_30.rows[0][2] == 0


def test_the_90th_percentile_is_the_nearest_rank():
    assert nearest_rank(list(range(1, 11)), 0.9) == 9
    assert nearest_rank([5], 0.9) == 5
    assert nearest_rank([], 0.9) is None


# The page and the download


class Tables(HTMLParser):
    """The page's tables as [caption], headers, rows and the [note] printed under a table, if
    any: the shape of the CSV's sections."""

    def __init__(self):
        super().__init__()
        self.tables, self.cell, self.row = [], None, None
        self.after_table = self.in_note = False

    def handle_starttag(self, tag, attrs):
        note = tag == "p" and self.after_table and "govuk-body-s" in dict(attrs).get("class", "")
        self.after_table = False
        if note:
            self.cell, self.in_note = "", True
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.row = []
        elif tag in {"th", "td", "caption"}:
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag == "table":
            self.after_table = True
        elif tag == "p" and self.in_note:
            self.tables[-1].append([" ".join(self.cell.split())])
            self.cell, self.in_note = None, False
        elif tag == "caption":
            self.tables[-1].append([self.cell.strip()])
            self.cell = None
        elif tag in {"th", "td"}:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr":
            self.tables[-1].append(self.row)


def page_tables(response):
    parser = Tables()
    parser.feed(response.content.decode())
    return parser.tables


def csv_tables(response):
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sections, current = [], None
    # After the marking, the title, the time, the days covered and what their volumes count.
    for row in rows[7:]:
        if not row:
            current = None
        elif current is None:
            current = [row]
            sections.append(current)
        else:
            current.append(row)
    return sections


def test_the_csv_carries_the_figures_on_the_page(fixed, hub_manager, client_for):
    client = reauthenticate(client_for(hub_manager))
    period = "start_0=1&start_1=2&start_2=2026&end_0=27&end_1=2&end_2=2026"
    page = client.get(f"{URL}?{period}")
    download = client.get(f"{URL}?{period}&format=csv")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="hub-overview-LUT-')
    assert len(page_tables(page)) == 6
    # Each table's note too: without them the download's categories add up to more than its
    # requests, and an advisor who has left the hub is named with claims counted unclaimed.
    assert [table[-1] for table in page_tables(page) if len(table[-1]) == 1] == [
        [table.note] for table in page.context["overview"].tables if table.note
    ]
    assert csv_tables(download) == page_tables(page)
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[3:6] == [
        ["Requests received from", "01/02/2026"],
        ["Requests received to", "27/02/2026"],
        ["Every request a school sent in these days, including any it later withdrew."],
    ]


def test_the_csv_is_marked_official_sensitive_on_its_first_line(hub_manager, client_for):
    download = reauthenticate(client_for(hub_manager)).get(f"{URL}?format=csv")
    assert download.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["OFFICIAL-SENSITIVE"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_name_that_looks_like_a_formula_is_not_run(hub_manager, client_for, authority, start):
    name = start + 'HYPERLINK("http://evil.example","Ada")'
    member(Role.HUB_ADVISOR, authority, full_name=name)
    download = reauthenticate(client_for(hub_manager)).get(f"{URL}?format=csv")
    cells = [cell for row in csv.reader(io.StringIO(download.content.decode())) for cell in row]
    assert "'" + name in cells
    assert name not in cells


def test_viewing_and_downloading_are_each_audited(fixed, hub_manager, client_for, authority):
    client = reauthenticate(client_for(hub_manager))
    client.get(URL)
    client.get(f"{URL}?format=csv")
    events = AuditEvent.objects.filter(action__startswith="report.").order_by("pk")
    assert [(e.action, e.actor, e.local_authority, e.object_id) for e in events] == [
        ("report.view", hub_manager, authority, "hub_overview"),
        ("report.export", hub_manager, authority, "hub_overview"),
    ]


def test_the_default_days_are_the_last_90(hub_manager, client_for, clock):
    response = client_for(hub_manager).get(URL)
    # The volumes count what schools sent, withdrawn requests too, and say so.
    assert "including any it later withdrew" in response.text
    overview = response.context["overview"]
    today = timezone.localdate()
    assert overview.end == today
    assert (today - overview.start).days == 90


def test_days_the_wrong_way_round_are_refused_beside_the_last_day(hub_manager, client_for, clock):
    response = client_for(hub_manager).get(
        f"{URL}?start_0=27&start_1=2&start_2=2026&end_0=1&end_1=2&end_2=2026"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end"] == [
        "The last day must be the same as or after the first day"
    ]
    assert "<title>Error: " in response.content.decode()
    assert (timezone.localdate() - response.context["overview"].start).days == 90


@pytest.mark.parametrize(
    ("query", "message"),
    [
        # The day after 31 12 9999 does not exist: this was a server error.
        ("start_0=1&start_1=1&start_2=2026&end_0=31&end_1=12&end_2=9999", "or earlier"),
        ("start_0=1&start_1=1&start_2=2019&end_0=1&end_1=2&end_2=2026", "5 years or less"),
    ],
)
def test_a_period_too_far_ahead_or_too_long_is_refused_beside_the_last_day(
    hub_manager, client_for, clock, query, message
):
    response = client_for(hub_manager).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert message in response.context["form"].errors["end"][0]
    assert (timezone.localdate() - response.context["overview"].start).days == 90


# Who may see it


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "persona", ["teacher", "dsl", "deputy_dsl", "head", "hub_advisor", "la_admin"]
)
def test_everyone_but_a_hub_manager_is_refused(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 403
    assert client_for(request.getfixturevalue(persona)).get(f"{URL}?format=csv").status_code == 403


def test_another_authoritys_manager_sees_only_their_own_hub(
    fixed, client_for, other_authority, hub_manager
):
    other_manager = member(Role.HUB_MANAGER, other_authority)
    theirs = client_for(other_manager).get(URL).context["overview"]
    ours = client_for(hub_manager).get(URL).context["overview"]
    assert theirs.open_work.rows[-1][3] == 1
    assert ours.open_work.rows[-1][3] == 3
    assert [row[0] for row in theirs.by_school.rows] == [
        "Greensand Ridge Primary School",
        "All schools",
    ]


def test_the_same_number_of_queries_for_1_and_50_requests(
    cases, school, other_school, hub_manager, hub_advisor, client_for
):
    client = client_for(hub_manager)
    client.get(URL)  # the first page after sign-in also moves the session's idle expiry on

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    cases.answered(cases.request(school, "red"), hub_advisor)
    at_one = queries()
    for n in range(49):
        made = cases.request([school, other_school][n % 2], ["red", "amber", "green"][n % 3])
        if n % 3 == 0:
            cases.answered(made, hub_advisor)
        elif n % 3 == 1:
            cases.claimed(made, hub_manager)
    assert queries() == at_one


@pytest.mark.parametrize(
    ("utc_hour", "as_at"), [(0, "25/10/2026 01:30 BST"), (1, "25/10/2026 01:30 GMT")]
)
def test_a_csv_made_in_the_hour_the_clocks_go_back_says_which_time_it_was(
    hub_manager, client_for, clock, utc_hour, as_at
):
    # The clock set first: a second factor confirmed at an earlier time is no longer recent
    # when the clock is then moved on to 25 October, as it was for a run before that day.
    clock.moment = datetime(2026, 10, 25, utc_hour, 30, tzinfo=UTC)
    client = reauthenticate(client_for(hub_manager))
    rows = list(csv.reader(io.StringIO(client.get(f"{URL}?format=csv").content.decode())))
    assert ["As at", as_at] in rows
