"""Every list and detail page costs the same few queries with 1 row as with 50.

The budget is 12 queries for the page's own work: its reads, and the audit row it writes.
Being signed in costs every request the same statements besides (reading the session, the
user, their roles and their second factor; the session is saved once a minute), so each page
is measured against a page that does nothing but that, in the same test. Transaction control (BEGIN,
COMMIT, savepoints) is not a query. Each page is fetched once before it is counted, so what a
session does only on its first request is not charged to the page.

Reports and dashboards (the head teacher's audit report, the hub overview) are not lists:
they aggregate in the database with a fixed number of queries whatever the volume, which
tests/reports asserts, and `make bench` times.
"""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone

import safeguarding.urls as project_urls
from concerns.models import ConcernStatus, FileTransfer, RecordsReview, SubjectAccessRequest
from concerns.recording import start_draft
from reports.services import add_values_evidence, confirm_prevent_policy, edit_values_evidence
from schools.models import Membership, Role
from tests.factories import PupilFactory, SchoolFactory, member
from tests.searching import search
from tests.walk import concern_data
from workflow.advice import withdraw_advice_request
from workflow.concerns import add_addendum, record_concern

BUDGET = 12
SIGNED_IN = "/budget/signed-in/"
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
S = ConcernStatus
STATUSES = [S.RECORDED, S.WITH_HUB, S.ESCALATED, S.ADVICE_RECEIVED, S.CLOSED]


def _signed_in(request):
    return HttpResponse("")


@pytest.fixture
def own_queries(settings):
    """The queries a GET of a page makes beyond those of any signed-in request."""
    settings.ROOT_URLCONF = type(
        "BudgetUrls",
        (),
        {"urlpatterns": [path(SIGNED_IN[1:], _signed_in), *project_urls.urlpatterns]},
    )

    def statements(client, url):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        return [q["sql"] for q in captured if not TRANSACTION_CONTROL.match(q["sql"])]

    def count(client, url):
        return len(statements(client, url)) - len(statements(client, SIGNED_IN))

    return count


# Each page: who opens it, its address, and how to give it one more row.


def _inbox(c, n):
    c.walk.to(STATUSES[n % len(STATUSES)])


def _mine(c, n):
    c.walk.recorded(location=f"Room {n}")


def _concern(c, n):
    # The page fetches only the kinds of record its history holds (a concern just recorded
    # needs none), so it starts with one of each kind it will hold at 50 rows.
    if n == 0:
        c.concern = c.walk.closed()  # hub advice, a parent conversation, a closure
    add_addendum(c.concern, by=c.teacher, text=f"Note {n}.")


def _chronology(c, n):
    c.walk.to(STATUSES[n % len(STATUSES)])


def _pupils(c, n):
    PupilFactory(school=c.school)


def _leavers(c, n):
    today = timezone.localdate()
    FileTransfer.objects.create(
        pupil=PupilFactory(school=c.school),
        school=c.school,
        left_on=today,
        starts_on=today,
        due_on=today + timedelta(days=7),
        new_school="Wardown Vale High School",
        recorded_by=c.dsl,
        sent_on=today if n % 2 else None,
    )


def _access_requests(c, n):
    today = timezone.localdate()
    SubjectAccessRequest.objects.create(
        pupil=PupilFactory(school=c.school),
        school=c.school,
        requester="Jane Smith, mother",
        received_on=today,
        due_on=today + timedelta(days=30),
        recorded_by=c.dsl,
        extension_reason="Many records." if n % 2 else "",
    )


def _records_due(c, n):
    former = PupilFactory(school=c.school, date_of_birth=date(1990, 1, 1) + timedelta(days=n))
    record_concern(by=c.dsl, pupil=former, **concern_data())


def _records_reviewed(c, n):
    kept = n % 2 == 0
    RecordsReview.objects.create(
        school=c.school,
        pupil=PupilFactory(school=c.school) if kept else None,
        file_reference=1000 + n,
        decision="keep" if kept else "destroy",
        reason="A claim is pending." if kept else "",
        review_again_on=date(2030, 1, 1) if kept else None,
        concerns=n,
        decided_by=c.dsl,
    )


def _queue(c, n):
    c.walk.with_hub()


def _request(c, n):
    # The rows are the concern's addenda. The page asks for a kind of record only when the
    # concern has one (most have none), so the first row is an addendum too.
    if n == 0:
        c.request = c.walk.request(c.walk.with_hub())
    add_addendum(c.request.concern, by=c.dsl, text=f"Note {n}.")


def _withdrawn_request(c, n):
    # A withdrawn request shares the concern as it stood then (docs/adr/008): one addendum
    # from before it, and the rows are addenda since, which the page must neither show nor
    # pay for.
    if n == 0:
        concern = c.walk.with_hub()
        add_addendum(concern, by=c.dsl, text="Before.")
        c.request = withdraw_advice_request(c.walk.request(concern), by=c.dsl, reason="Resolved.")
    add_addendum(c.request.concern, by=c.dsl, text=f"Since {n}.")


def _values(c, n):
    c.entry = add_values_evidence(
        c.school,
        by=c.dsl,
        activity_date=date(2026, 3, 2),
        title=f"Activity {n}",
        description="Each class voted by secret ballot.",
        year_groups=["5", "6"],
        values=["democracy"],
    )


def _revisions(c, n):
    if n == 0:
        return _values(c, n)
    c.entry = edit_values_evidence(
        c.entry,
        by=c.dsl,
        expected_version=c.entry.version,
        activity_date=date(2026, 3, 2),
        title=f"School council elections, take {n}",
        description="Each class voted by secret ballot.",
        year_groups=["5", "6"],
        values=["democracy"],
    )


def _confirmations(c, n):
    confirm_prevent_policy(c.school, by=c.head, expected_url=c.school.safeguarding_policy_url)


def _drafts(c, n):
    start_draft(Membership.objects.get(user=c.teacher), PupilFactory(school=c.school))


def _search(c, n):
    PupilFactory(school=c.school, family_name="Searchable")


def _lockouts(c, n):
    person = member(Role.STAFF, c.school, email=f"locked{n}@example.org")
    AccessAttempt.objects.create(
        username=person.email,
        user_agent="test",
        ip_address="127.0.0.1",
        http_accept="*/*",
        path_info="/account/login/",
        attempt_time=timezone.now() - timedelta(minutes=n % 10),
        get_data="",
        post_data="",
        failures_since_start=5,
    )


def _people(c, n):
    member(Role.STAFF, c.school, email=f"budget.person{n}@example.org")


def _schools(c, n):
    member(Role.STAFF, SchoolFactory(local_authority=c.school.local_authority))


PAGES = {
    "people:school": ("la_admin", lambda c: reverse("people:school", args=[c.school.pk]), _people),
    "people:schools": ("la_admin", lambda c: reverse("people:schools"), _schools),
    "concerns:inbox": ("dsl", lambda c: reverse("concerns:inbox"), _inbox),
    "concerns:mine": ("teacher", lambda c: reverse("concerns:mine"), _mine),
    "concerns:detail": ("dsl", lambda c: reverse("concerns:detail", args=[c.concern.pk]), _concern),
    "concerns:pupil_chronology": (
        "dsl",
        lambda c: reverse("concerns:pupil_chronology", args=[c.pupil.pk]),
        _chronology,
    ),
    "concerns:pupil_file": (
        "dsl",
        lambda c: reverse("concerns:pupil_file", args=[c.pupil.pk]),
        _chronology,
    ),
    "concerns:pupils": ("dsl", lambda c: reverse("concerns:pupils"), _pupils),
    "concerns:leavers": ("dsl", lambda c: reverse("concerns:leavers"), _leavers),
    "concerns:access_requests": (
        "dsl",
        lambda c: reverse("concerns:access_requests"),
        _access_requests,
    ),
    "concerns:records_reviews": (
        "dsl",
        lambda c: reverse("concerns:records_reviews"),
        _records_due,
    ),
    "concerns:records_reviews (done)": (
        "dsl",
        lambda c: reverse("concerns:records_reviews") + "?done=yes",
        _records_reviewed,
    ),
    "concerns:record_pupil": (
        "teacher",
        # The results of a search: sent by POST, shown at an address holding a token for it.
        lambda c: search(c.client, reverse("concerns:record_pupil"), "Searchable"),
        _search,
    ),
    "home": ("teacher", lambda c: reverse("home"), _drafts),
    "advice:queue": ("hub_advisor", lambda c: reverse("advice:queue"), _queue),
    "advice:detail": (
        "hub_advisor",
        lambda c: reverse("advice:detail", args=[c.request.pk]),
        _request,
    ),
    "advice:detail (withdrawn)": (
        "hub_advisor",
        lambda c: reverse("advice:detail", args=[c.request.pk]),
        _withdrawn_request,
    ),
    "reports:values": ("dsl", lambda c: reverse("reports:values"), _values),
    "reports:values_detail": (
        "dsl",
        lambda c: reverse("reports:values_detail", args=[c.entry.pk]),
        _revisions,
    ),
    "reports:policy": ("head", lambda c: reverse("reports:policy"), _confirmations),
    "lockouts": ("la_admin", lambda c: reverse("lockouts"), _lockouts),
}


@pytest.fixture
def cast(walk, school, teacher, dsl, head, hub_advisor, la_admin, pupil):
    return SimpleNamespace(
        walk=walk,
        school=school,
        teacher=teacher,
        dsl=dsl,
        head=head,
        hub_advisor=hub_advisor,
        la_admin=la_admin,
        pupil=pupil,
    )


@pytest.mark.parametrize("name", PAGES)
def test_a_page_makes_at_most_12_queries_and_as_many_for_50_rows_as_for_1(
    name, cast, client_for, own_queries
):
    persona, url, add = PAGES[name]
    client = cast.client = client_for(getattr(cast, persona))
    add(cast, 0)
    at_one = own_queries(client, url(cast))
    for n in range(1, 50):
        add(cast, n)
    at_fifty = own_queries(client, url(cast))
    assert (at_one, at_fifty) == (at_fifty, at_one)
    assert at_fifty <= BUDGET, f"{name} makes {at_fifty} queries of its own"


def test_being_signed_in_costs_four_statements(client_for, dsl, own_queries):
    # The fixed cost the budget leaves out: session, user, roles, second factor. The session is
    # written when its idle expiry would move by a minute, not on every page.
    client = client_for(dsl)
    client.get(SIGNED_IN)
    with CaptureQueriesContext(connection) as captured:
        client.get(SIGNED_IN)
    statements = [q["sql"] for q in captured if not TRANSACTION_CONTROL.match(q["sql"])]
    assert len(statements) == 4, statements
