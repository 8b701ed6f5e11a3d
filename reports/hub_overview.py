"""The hub manager's overview of an authority's Early Help Hub: open work, time to advice,
volumes by school and category, and each advisor's open claims.

Every figure comes from a fixed number of queries whatever the volume: counts are aggregate
queries; the time-to-advice figures need working hours, which the database cannot count, so
one query fetches each answered request's urgency and two timestamps for the last 90 days
and Python does the arithmetic. The page and the CSV are drawn from the same `Table`s, so
the download always carries the figures on the screen.
"""

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from advice.models import (
    URGENCY_TARGET_HOURS,
    URGENCY_TARGET_TEXT,
    AdviceStatus,
    Urgency,
    claimant_left,
)
from advice.selectors import hub_staff, requests_visible_to
from concerns.models import Category
from safeguarding.forms import date_field
from schools.selectors import schools_for
from workflow.working_time import working_hours_between

from .forms import ReportPeriodForm
from .presentation import FULL, Formatter

DEFAULT_PERIOD_DAYS = 90
ADVICE_WINDOWS = (30, 90)
OPEN_WORK = (AdviceStatus.OPEN, AdviceStatus.CLAIMED)
ALL = "All urgencies"
NONE = "n/a"
FULL_FIGURES = Formatter(FULL)  # a hub manager sees every count: nothing hidden
RECEIVED_NOTE = "Every request a school sent in these days, including any it later withdrew."


@dataclass
class Table:
    title: str
    headers: list
    rows: list = field(default_factory=list)
    note: str = ""
    numeric_from: int = 1  # columns from here on are figures, aligned right


@dataclass
class Overview:
    now: datetime
    start: object
    end: object
    open_work: Table
    claims: Table
    advice: list
    by_school: Table
    by_category: Table

    @property
    def tables(self):
        """Every table, in the order the page shows them."""
        return [self.open_work, self.claims, *self.advice, self.by_school, self.by_category]


class PeriodForm(ReportPeriodForm):
    """The overview's period: the report's checks (real years, at most 5 years), its own words."""

    start = date_field(
        "From",
        help_text="For example, 1 9 2026",
        subject="The first day",
        required_message="Enter the first day",
    )
    end = date_field(
        "To",
        help_text="For example, 30 11 2026",
        subject="The last day",
        required_message="Enter the last day",
    )


def default_period(today):
    return today - timedelta(days=DEFAULT_PERIOD_DAYS), today


def _share(part, whole):
    """As the school's audit report shows a share: with its counts, and 100% or 0% only for
    all or none (199 of 200 within target reads "more than 99%", not "100%")."""
    return FULL_FIGURES.share(part, whole) if whole else NONE


def _hours(value):
    return f"{value:.1f}" if value is not None else NONE


def nearest_rank(values, fraction):
    """The nearest-rank percentile: the smallest value with at least `fraction` of the values
    at or below it (for ten values, the 90th percentile is the ninth smallest)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1] if ordered else None


def _open_work(requests, now):
    # A request claimed by someone who has since left the hub is nobody's, as the queue
    # shows it ("Nobody yet"): unclaimed here too, for anyone at the hub to claim.
    figures = {
        row["urgency"]: row
        for row in requests.filter(status__in=OPEN_WORK)
        .alias(left=claimant_left())
        .values("urgency")
        .annotate(
            unclaimed=Count("pk", filter=Q(status=AdviceStatus.OPEN) | Q(left=True)),
            claimed=Count("pk", filter=Q(status=AdviceStatus.CLAIMED, left=False)),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
        )
        .order_by()
    }
    table = Table(
        "Open requests by urgency",
        ["Urgency", "Unclaimed", "Claimed", "Open", "Overdue now"],
    )
    totals = [0, 0, 0]
    for urgency in Urgency:
        row = figures.get(urgency, {"unclaimed": 0, "claimed": 0, "overdue": 0})
        values = [row["unclaimed"], row["claimed"], row["overdue"]]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        table.rows.append([urgency.label, values[0], values[1], values[0] + values[1], values[2]])
    table.rows.append([ALL, totals[0], totals[1], totals[0] + totals[1], totals[2]])
    return table


def _timeliness(label, target, answered):
    """One row: `answered` holds (working hours to advice, target hours) pairs."""
    times = [hours for hours, _ in answered]
    on_time = sum(1 for hours, limit in answered if hours <= limit)
    return [
        label,
        target,
        len(times),
        _hours(statistics.median(times) if times else None),
        _hours(nearest_rank(times, 0.9)),
        _share(on_time, len(times)),
    ]


def _advice(requests, now):
    # One query for the longest window; working hours are counted here, in Python.
    answered = [
        (urgency, advised, working_hours_between(asked, advised), URGENCY_TARGET_HOURS[urgency])
        for urgency, asked, advised in requests.filter(
            status=AdviceStatus.ANSWERED,
            advised_at__gt=now - timedelta(days=max(ADVICE_WINDOWS)),
            advised_at__lte=now,
        ).values_list("urgency", "requested_at", "advised_at")
    ]
    tables = []
    for days in ADVICE_WINDOWS:
        since = now - timedelta(days=days)
        timed = [(urgency, hours, limit) for urgency, at, hours, limit in answered if at > since]
        table = Table(
            f"Advice given in the last {days} days",
            [
                "Urgency",
                "Target",
                "Advice given",
                "Median working hours to advice",
                "90th percentile working hours",
                "Within target",
            ],
            note="Working hours are Monday to Friday, 9am to 5pm, not counting bank holidays. "
            "The 90th percentile is the time within which 9 in 10 requests were answered.",
            numeric_from=2,
        )
        for urgency in Urgency:
            mine = [(hours, limit) for u, hours, limit in timed if u == urgency]
            table.rows.append(_timeliness(urgency.label, URGENCY_TARGET_TEXT[urgency], mine))
        everyone = [(hours, limit) for _, hours, limit in timed]
        table.rows.append(_timeliness(ALL, "each request's own", everyone))
        tables.append(table)
    return tables


def _received(requests, start_at, end_at):
    return requests.filter(requested_at__gte=start_at, requested_at__lt=end_at)


def _by_school(membership, received):
    counts = dict(
        received.values("school_id")
        .annotate(requests=Count("pk"))
        .order_by()
        .values_list("school_id", "requests")
    )
    table = Table("Requests received by school", ["School", "Requests"])
    for school in schools_for(membership).order_by("name"):
        table.rows.append([school.name, counts.get(school.pk, 0)])
    table.rows.append(["All schools", sum(counts.values())])
    return table


def _by_category(received):
    counts = dict(
        received.values("concern__categories__category")
        .annotate(requests=Count("pk"))
        .order_by()
        .values_list("concern__categories__category", "requests")
    )
    table = Table(
        "Requests received by category",
        ["Category", "Requests"],
        note="A request about a concern in several categories counts once in each of them.",
    )
    for category in Category:
        table.rows.append([category.label, counts.get(category, 0)])
    return table


def _claims(membership, requests, now):
    claims = {
        (row["claimed_by"], row["left"]): row
        for row in requests.filter(status=AdviceStatus.CLAIMED)
        .annotate(left=claimant_left())
        .values("claimed_by", "claimed_by__full_name", "left")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
        .order_by()
    }
    people = {(user.pk, False): user.full_name for user in hub_staff(membership.local_authority_id)}
    # Someone who has left the hub since they claimed (`claimant_left`; back since, perhaps)
    # may still be named on claims: they are listed too, saying so, as those requests are
    # back in the queue for anyone.
    people |= {
        key: row["claimed_by__full_name"]
        + (" (claimed before leaving the hub)" if row["left"] else "")
        for key, row in claims.items()
    }
    table = Table(
        "Open claims by advisor",
        ["Advisor", "Open claims", "Overdue"],
        note="Requests claimed by someone who has left the hub since count as unclaimed under "
        "'Open requests by urgency': anyone at the hub can claim them.",
    )
    for key, name in sorted(people.items(), key=lambda item: (item[1], item[0])):
        row = claims.get(key, {"open": 0, "overdue": 0})
        table.rows.append([name, row["open"], row["overdue"]])
    return table


def hub_overview(membership, *, now, start, end):
    """The overview for a hub manager's own authority, as at `now`; volumes for the days
    `start` to `end` inclusive (London dates)."""
    requests = requests_visible_to(membership)
    start_at = timezone.make_aware(datetime.combine(start, time.min))
    end_at = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    received = _received(requests, start_at, end_at)
    return Overview(
        now=now,
        start=start,
        end=end,
        open_work=_open_work(requests, now),
        claims=_claims(membership, requests, now),
        advice=_advice(requests, now),
        by_school=_by_school(membership, received),
        by_category=_by_category(received),
    )
