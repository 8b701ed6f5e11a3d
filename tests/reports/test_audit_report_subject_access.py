"""The audit report's count of how the period's subject access requests went, against values
worked out by hand, on the page and in the CSV."""

from datetime import UTC, date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests.conftest import reauthenticate
from tests.factories import PupilFactory
from workflow.subject_access import (
    ask_to_clarify,
    extend_request,
    record_answer,
    record_clarification,
    record_request,
)

from .tables import csv_tables, html_tables

REPORT = reverse("reports:audit")


@pytest.fixture
def requests(clock, school, dsl, other_school, other_school_dsl):
    """As at Monday 16 March 2026, the academic year from 1 September 2025. Each case:
    (received, due by hand, answered, answer).
    In time: A1 answered before its day, A2 on its day. Late: B1, which withheld part.
    Not answered: C1 (received on the year's first day) and C2 due Tuesday 10 March:
    overdue; D due today and X extended in its first month: still in time.
    Asked to clarify: W on 20 February, no answer yet: the time limit stands still, so it is
    not overdue; K on 10 February, clarified 24 February, 15 days counting both: due Tuesday
    17 March, still in time; L on 20 February, then answered by the school on 10 March while still
    waiting: on time.
    Not counted: E received the day before the year began; F is another school's."""
    cases = {
        "A1": (date(2026, 2, 2), date(2026, 3, 2), date(2026, 2, 27), "disclosed"),
        "A2": (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 2), "disclosed"),
        "B1": (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 3), "in_part"),
        "C1": (date(2025, 9, 1), date(2025, 10, 1), None, None),
        "C2": (date(2026, 2, 10), date(2026, 3, 10), None, None),
        "D": (date(2026, 2, 16), date(2026, 3, 16), None, None),
        "X": (date(2026, 3, 5), date(2026, 4, 7), None, None),  # 5 April is Easter Sunday
        "E": (date(2025, 8, 31), date(2025, 9, 30), date(2025, 9, 20), "disclosed"),
        "F": (date(2026, 2, 2), date(2026, 3, 2), None, None),
        "W": (date(2026, 2, 2), date(2026, 3, 2), None, None),
        "K": (date(2026, 2, 2), date(2026, 3, 2), None, None),
        "L": (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 10), "disclosed"),
    }
    clarified = {
        "W": (date(2026, 2, 20), None),
        "K": (date(2026, 2, 10), date(2026, 2, 24)),
        "L": (date(2026, 2, 20), None),
    }
    clock.set(2026, 3, 16, 10, 0)
    for name, (received, due, answered, answer) in cases.items():
        place, lead = (other_school, other_school_dsl) if name == "F" else (school, dsl)
        pupil = PupilFactory(school=place, given_name=name, date_of_birth=date(2015, 1, 1))
        request = record_request(pupil, by=lead, requester="A parent", received_on=received)
        assert request.due_on == due, name
        if name == "X":
            extend_request(request, by=lead, told_on=received, reason="Many records.")
        if name in clarified:
            asked_on, answer_on = clarified[name]
            ask_to_clarify(request, by=lead, asked_on=asked_on, question="Which years?")
            if answer_on:
                request = record_clarification(request, by=lead, clarified_on=answer_on)
                assert request.due_on == date(2026, 3, 17)
        if answered:
            reason = "Serious harm test." if answer == "in_part" else ""
            record_answer(
                request,
                basis="pupil",
                by=lead,
                answered_on=answered,
                answer=answer,
                withheld_reason=reason,
            )


EXPECTED = [
    ["Measure", "Value"],
    ["Requests received for a pupil's records", "10"],
    ["Answered by the day due", "3"],  # A1, A2, L
    ["Answered late", "1"],  # B1
    ["Not yet answered, and overdue", "2"],  # C1, C2
    ["Not yet answered, still in time", "3"],  # D, X, K
    [
        "Not yet answered, waiting for the requester to clarify it or to prove who they are",
        "1",
    ],  # W
    ["Extended to three months, with the reason given", "1"],  # X
    ["Clarified by the requester, the time limit stopped meanwhile", "1"],  # K
    ["Answers that withheld some or all of the records", "1"],  # B1
]


def test_the_report_counts_how_each_request_went(requests, client_for, head):
    client = reauthenticate(client_for(head))
    assert html_tables(client.get(REPORT).text)["subject-access-summary"] == EXPECTED
    download = client.get(REPORT, {"format": "csv"}).content.decode("utf-8")
    assert (
        csv_tables(download)[("Subject access requests", "Key figures: subject access requests")]
        == EXPECTED
    )


def test_the_governors_version_hides_counts_under_5(requests, client_for, head):
    text = client_for(head).get(f"{REPORT}?audience=governors").text
    assert [value for _, value in html_tables(text)["subject-access-summary"][1:]] == [
        "10",
        *["fewer than 5"] * 8,
    ]


def _request(school, dsl, received, answered=None, answer=None, extend=False):
    pupil = PupilFactory(school=school, date_of_birth=date(2015, 1, 1))
    request = record_request(pupil, by=dsl, requester="A parent", received_on=received)
    if extend:
        extend_request(request, by=dsl, told_on=received, reason="Many records.")
    if answered:
        reason = "Serious harm." if answer in ("in_part", "withheld") else ""
        record_answer(
            request,
            basis="pupil",
            by=dsl,
            answered_on=answered,
            answer=answer,
            withheld_reason=reason,
        )
    return request


def _summary(client, **query):
    return dict(html_tables(client.get(REPORT, query).text)["subject-access-summary"][1:])


def test_the_report_counts_by_londons_today_extensions_and_every_withholding_answer(
    clock, school, dsl, head, client_for
):
    clock.set(2026, 5, 10, 10, 0)
    _request(school, dsl, date(2026, 5, 1))  # due Monday 1 June, not answered
    _request(school, dsl, date(2026, 5, 5), extend=True)  # extended, not answered
    clock.set(2026, 5, 20, 10, 0)
    for answer in ("withheld", "in_part", "withheld", "in_part", "withheld"):
        _request(school, dsl, date(2026, 5, 12), date(2026, 5, 15), answer, extend=True)
    _request(school, dsl, date(2026, 5, 20))  # due 22 June: in time
    # 00:30 on Tuesday 2 June in London is still 1 June in UTC: the request due on 1 June is
    # overdue by London's day, as the school counts it.
    clock.moment = clock.set(2026, 6, 2, 0, 30).astimezone(UTC)
    rows = _summary(reauthenticate(client_for(head)))
    assert rows["Not yet answered, and overdue"] == "1"
    assert rows["Not yet answered, still in time"] == "2"
    assert rows["Extended to three months, with the reason given"] == "6"
    assert rows["Answers that withheld some or all of the records"] == "5"


def test_a_request_waiting_for_proof_of_identity_is_neither_overdue_nor_late(
    clock, school, dsl, head, client_for
):
    """Its time limit has not started (article 12A(3)(b)): the head teacher is not told the
    school is late with it, and an answer given meanwhile was in time."""
    clock.set(2026, 3, 16, 10, 0)
    for answered in (None, date(2026, 3, 10)):
        pupil = PupilFactory(school=school, date_of_birth=date(2015, 1, 1))
        request = record_request(
            pupil,
            by=dsl,
            requester="A parent",
            received_on=date(2026, 2, 2),
            identity_requested_on=date(2026, 2, 3),
        )
        if answered:
            record_answer(request, basis="pupil", by=dsl, answered_on=answered, answer="disclosed")
    _request(school, dsl, date(2026, 2, 2))  # no proof asked for: overdue since 2 March
    rows = _summary(reauthenticate(client_for(head)))
    assert rows["Not yet answered, and overdue"] == "1"
    assert (
        rows["Not yet answered, waiting for the requester to clarify it or to prove who they are"]
        == "1"
    )
    assert rows["Answered by the day due"] == "1"
    assert rows["Answered late"] == "0"


def test_a_request_received_on_the_years_last_day_counts(clock, school, dsl, head, client_for):
    clock.set(2026, 8, 31, 10, 0)
    _request(school, dsl, date(2026, 8, 31))
    rows = _summary(reauthenticate(client_for(head)), year="2025")
    assert rows["Requests received for a pupil's records"] == "1"


def test_the_governors_version_cannot_work_out_a_hidden_count_from_the_total(
    clock, school, dsl, head, client_for
):
    # Six requests: five answered in time and one late. Showing "6" and "5" would give the
    # late one away, and so would "6" beside a withheld 5 (5 or more) and a hidden 1; a total
    # under 5 is hidden itself.
    clock.set(2026, 3, 16, 10, 0)
    for _ in range(5):
        _request(school, dsl, date(2026, 2, 2), date(2026, 2, 27), "disclosed")
    _request(school, dsl, date(2026, 2, 2), date(2026, 3, 3), "disclosed")
    rows = _summary(client_for(head), audience="governors")
    assert rows["Requests received for a pupil's records"] == "not shown"
    assert rows["Answered late"] == "fewer than 5"
    assert rows["Answered by the day due"] == "not shown"


def test_the_governors_version_hides_a_small_total(clock, school, dsl, head, client_for):
    clock.set(2026, 3, 16, 10, 0)
    _request(school, dsl, date(2026, 2, 2))
    rows = _summary(client_for(head), audience="governors")
    assert rows["Requests received for a pupil's records"] == "fewer than 5"


def test_a_refused_look_at_the_schools_request_is_in_its_report(
    client_for, school, pupil, dsl, head, other_school_dsl
):
    request = record_request(
        pupil,
        by=dsl,
        requester="Jane Ahmed, mother",
        received_on=timezone.localdate() - timedelta(days=2),
    )
    url = reverse("concerns:access_request_answer", args=[request.pk])
    assert client_for(other_school_dsl).get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action="access.denied", object_type="subjectaccessrequest", object_id=str(request.pk)
    ).exists()
    denied = html_tables(client_for(head).get(REPORT).text)["access-denied"]
    assert [row[0] for row in denied[1:]] == [other_school_dsl.full_name]


@pytest.mark.parametrize(
    ("url", "column"),
    [
        (lambda pupil, request: reverse("concerns:access_requests"), "Lists of children"),
        (lambda pupil, request: reverse("concerns:leavers"), "Lists of children"),
        (
            lambda pupil, request: reverse("concerns:access_request_answer", args=[request.pk]),
            "Pupil details",
        ),
        (
            lambda pupil, request: reverse("concerns:pupil_file", args=[pupil.pk]),
            "Pupil chronologies",
        ),
    ],
)
def test_the_report_counts_each_new_page_that_shows_a_child(
    school, pupil, dsl, head, client_for, url, column
):
    request = record_request(pupil, by=dsl, requester="A parent", received_on=timezone.localdate())
    assert client_for(dsl).get(url(pupil, request)).status_code == 200
    viewers = html_tables(client_for(head).get(REPORT).text)["access-viewers"]
    index = viewers[0].index(column)
    assert [row[index] for row in viewers[1:] if row[0] == dsl.full_name] == ["1"]
