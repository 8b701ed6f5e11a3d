"""Advice requests the school withdrew, in the head teacher's report: a row of their own, so
the requests made add up to those still open, those answered and those withdrawn; and in the
governors' version, hidden when small without letting the others give a hidden count away."""

from itertools import product

import pytest
from django.urls import reverse

from tests.conftest import reauthenticate
from tests.factories import PupilFactory
from tests.walk import Walker, given_advice
from workflow.advice import claim_advice_request, give_advice, withdraw_advice_request

from .tables import csv_tables, html_tables, without_notes

REPORT = reverse("reports:audit")
MADE = "Advice requests made, withdrawn ones included"
OPEN = "Advice requests made in the period and still open"
WITHDRAWN = "Advice requests made in the period and since withdrawn by the school"
STEP_2 = "Step 2: advice from the Early Help Hub"
SUMMARY = (STEP_2, "Key figures: step 2, advice from the Early Help Hub")
URGENCY = (STEP_2, "Time from request to advice, by urgency")


def withdrawn(walk, concern=None, *, claimed=False):
    concern = (walk.claimed if claimed else walk.with_hub)(concern)
    withdraw_advice_request(walk.request(concern), by=walk.dsl, reason="Sent by mistake.")
    return concern


def requests(walk, *, still_open=0, answered=0, withdrawn_ones=0):
    for _ in range(still_open):
        walk.with_hub()
    for _ in range(answered):
        walk.advice_received()
    for _ in range(withdrawn_ones):
        withdrawn(walk)


def answered_column(rows):
    return {row[0]: row[2] for row in without_notes(rows)[1:]}


def test_the_requests_made_add_up_to_open_answered_and_withdrawn(
    clock, walk, other_school, other_school_dsl, hub_advisor, client_for, head
):
    clock.set(2025, 7, 14, 10, 0)  # the academic year before: not in the report
    withdrawn(walk)
    clock.set(2026, 3, 2, 10, 0)
    walk.with_hub()
    walk.claimed()  # claimed by the hub: still open
    walk.advice_received()
    red = walk.with_hub(urgency="red")
    claim_advice_request(walk.request(red), by=hub_advisor)
    give_advice(walk.request(red), by=hub_advisor, **given_advice())
    withdrawn(walk)
    # Withdrawn once the hub had claimed it, then asked again about the same concern and
    # answered: two requests, one withdrawn and one answered.
    walk.advice_received(withdrawn(walk, claimed=True))
    # Another school's withdrawn request is not this school's.
    elsewhere = PupilFactory(school=other_school)
    withdrawn(Walker(other_school_dsl, other_school_dsl, hub_advisor, elsewhere))
    clock.set(2026, 3, 16, 12, 0)
    client = reauthenticate(client_for(head))

    page = html_tables(client.get(REPORT).text)
    download = csv_tables(client.get(REPORT, {"format": "csv"}).content.decode("utf-8"))

    for summary, urgency in (
        (page["step-2-summary"], page["step-2-urgency"]),
        (download[SUMMARY], download[URGENCY]),
    ):
        figures = dict(summary[1:])
        assert (figures[MADE], figures[OPEN], figures[WITHDRAWN]) == ("7", "2", "2")
        answered = answered_column(urgency)
        assert answered == {"Red": "1", "Amber": "2", "Green": "0"}
        assert int(figures[MADE]) == int(figures[OPEN]) + int(figures[WITHDRAWN]) + sum(
            int(n) for n in answered.values()
        )


FEWER, WITHHELD = "fewer than 5", "not shown"


def possible(total, texts):
    """Each count's possible values, given the texts shown and that they add up to `total`:
    "fewer than 5" is 1 to 4, "not shown" 5 or more."""
    ranges = [
        range(1, 5) if text == FEWER else range(5, total + 1) if text == WITHHELD else [int(text)]
        for text in texts
    ]
    found = [set() for _ in texts]
    for values in product(*ranges):
        if sum(values) == total:
            for seen, value in zip(found, values, strict=True):
                seen.add(value)
    return found


@pytest.mark.parametrize(
    ("still_open", "withdrawn_ones"),
    [
        # 12 made, 5 open and 6 answered would leave the 1 withdrawn.
        (5, 1),
        # 12 made, 5 withdrawn and 6 answered would give back the 1 still open, which the
        # report hid before it showed the withdrawn ones.
        (1, 5),
    ],
)
def test_the_governors_cannot_work_out_a_hidden_count_of_requests(
    clock, walk, client_for, head, still_open, withdrawn_ones
):
    clock.set(2026, 3, 2, 10, 0)
    requests(walk, still_open=still_open, answered=6, withdrawn_ones=withdrawn_ones)
    clock.set(2026, 3, 16, 12, 0)
    client = reauthenticate(client_for(head))
    governors = {"audience": "governors"}

    page = html_tables(client.get(REPORT, governors).text)
    download = client.get(REPORT, {**governors, "format": "csv"}).content.decode("utf-8")
    in_csv = csv_tables(download)

    for summary, urgency in (
        (page["step-2-summary"], page["step-2-urgency"]),
        (in_csv[SUMMARY], in_csv[URGENCY]),
    ):
        figures = dict(summary[1:])
        assert figures[MADE] == "12"
        small = OPEN if still_open < 5 else WITHDRAWN
        assert figures[small] == FEWER
        texts = [figures[OPEN], figures[WITHDRAWN], *answered_column(urgency).values()]
        for values, text in zip(possible(12, texts), texts, strict=True):
            if text in (FEWER, WITHHELD):
                assert len(values) > 1, texts
        # A count withheld is not given back by its share within target ("... of 6").
        for row in without_notes(urgency)[1:]:
            if row[2] == WITHHELD:
                assert row[5] == WITHHELD


def test_the_governors_see_a_withdrawn_count_of_5_or_more_when_it_gives_nothing_away(
    clock, walk, client_for, head
):
    clock.set(2026, 3, 2, 10, 0)
    requests(walk, still_open=5, answered=6, withdrawn_ones=7)
    clock.set(2026, 3, 16, 12, 0)
    page = html_tables(client_for(head).get(REPORT, {"audience": "governors"}).text)
    figures = dict(page["step-2-summary"][1:])
    assert (figures[MADE], figures[OPEN], figures[WITHDRAWN]) == ("18", "5", "7")
    assert answered_column(page["step-2-urgency"])["Amber"] == "6"
