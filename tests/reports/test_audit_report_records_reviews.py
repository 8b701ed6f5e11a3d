"""The audit report's count of the period's reviews of records at a pupil's 25th birthday, and
of the records due for review now, against values worked out by hand, on the page and in the
CSV."""

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import reauthenticate
from tests.factories import PupilFactory
from tests.walk import closing, concern_data
from workflow.concerns import close_concern, record_concern
from workflow.retention import destroy_records, keep_records

from .tables import csv_tables, html_tables

REPORT = reverse("reports:audit")


def former(school, lead, name, born):
    """A pupil born on `born`, with one closed concern."""
    pupil = PupilFactory(school=school, given_name=name, date_of_birth=born)
    concern = record_concern(by=lead, pupil=pupil, **concern_data())
    close_concern(concern, by=lead, **closing(outcome="nfa"))
    return pupil


@pytest.fixture
def reviews(clock, school, dsl, other_school, other_school_dsl):
    """The academic year from 1 September 2025, as at Monday 16 March 2026.
    Reviewed in it: K1, K2 (twice) and K3 kept, D1 and K3 destroyed. Before it (31 August
    2025): K0 kept, until 1 March 2026, so due again now. Another school's: O destroyed, P due.
    Due now and not reviewed: N1, N2, K0 and K2; Y turns 25 tomorrow; K1 is kept past today."""
    clock.set(2025, 8, 31, 12, 0)
    k0 = former(school, dsl, "K0", date(1990, 5, 1))
    keep_records(k0, by=dsl, reason="A claim.", review_again_on=date(2026, 3, 1))
    clock.set(2025, 10, 1, 12, 0)
    k1 = former(school, dsl, "K1", date(1995, 1, 1))
    keep_records(k1, by=dsl, reason="A claim.", review_again_on=date(2027, 1, 1))
    k2 = former(school, dsl, "K2", date(1995, 1, 2))
    first = keep_records(k2, by=dsl, reason="An inquiry.", review_again_on=date(2026, 1, 1))
    destroy_records(former(school, dsl, "D1", date(1996, 1, 1)), by=dsl, confirmed=True)
    destroy_records(
        former(other_school, other_school_dsl, "O", date(1996, 1, 1)),
        by=other_school_dsl,
        confirmed=True,
    )
    former(other_school, other_school_dsl, "P", date(1990, 1, 1))
    former(school, dsl, "N1", date(2001, 3, 16))  # 25 today
    former(school, dsl, "N2", date(1980, 1, 1))
    former(school, dsl, "Y", date(2001, 3, 17))
    k3 = former(school, dsl, "K3", date(1995, 1, 3))
    kept = keep_records(k3, by=dsl, reason="A claim.", review_again_on=date(2026, 1, 1))
    clock.set(2026, 2, 1, 12, 0)
    # Kept again (counted once), and kept then destroyed (counted in both rows).
    keep_records(
        k2, by=dsl, reason="The inquiry again.", review_again_on=date(2026, 3, 10), since=first.pk
    )
    destroy_records(k3, by=dsl, confirmed=True, since=kept.pk)
    clock.set(2026, 3, 16, 10, 0)


EXPECTED = [
    ["Measure", "Value"],
    ["Pupils' records kept for longer, with the reason", "3"],
    ["Pupils' records destroyed", "2"],
    ["Due for review now and not yet reviewed", "4"],  # N1, N2, K0, and K2 (kept to 10 March)
]


def test_the_report_counts_the_periods_reviews_and_the_records_due(reviews, client_for, head):
    client = reauthenticate(client_for(head))
    assert html_tables(client.get(REPORT).text)["records-reviews-summary"] == EXPECTED
    download = client.get(REPORT, {"format": "csv"}).content.decode("utf-8")
    assert csv_tables(download)[
        (
            "Records reviewed at a pupil's 25th birthday",
            "Key figures: records reviewed at the 25th birthday",
        )
    ] == (EXPECTED)


def test_the_governors_version_hides_counts_under_5(reviews, client_for, head):
    text = client_for(head).get(f"{REPORT}?audience=governors").text
    assert [value for _, value in html_tables(text)["records-reviews-summary"][1:]] == [
        "fewer than 5"
    ] * 3
