"""Working time for the Early Help Hub's targets.

Working time is Monday to Friday, 09:00 to 17:00 on the wall clock in Europe/London, excluding
bank holidays in England and Wales. Arithmetic is done on wall-clock times, so a working day is
always 8 hours, including the days the clocks change (they change at night).
"""

from bisect import bisect_left
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DAY_START = time(9, 0)
DAY_END = time(17, 0)
WORKING_DAY = timedelta(hours=8)

# Bank holidays in England and Wales (gov.uk/bank-holidays), substitute days included.
BANK_HOLIDAYS = frozenset(
    date.fromisoformat(day)
    for day in [
        "2025-01-01",
        "2025-04-18",
        "2025-04-21",
        "2025-05-05",
        "2025-05-26",
        "2025-08-25",
        "2025-12-25",
        "2025-12-26",
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
        "2027-01-01",
        "2027-03-26",
        "2027-03-29",
        "2027-05-03",
        "2027-05-31",
        "2027-08-30",
        "2027-12-27",
        "2027-12-28",
        "2028-01-03",
        "2028-04-14",
        "2028-04-17",
        "2028-05-01",
        "2028-05-29",
        "2028-08-28",
        "2028-12-25",
        "2028-12-26",
        "2029-01-01",
        "2029-03-30",
        "2029-04-02",
        "2029-05-07",
        "2029-05-28",
        "2029-08-27",
        "2029-12-25",
        "2029-12-26",
        "2030-01-01",
        "2030-04-19",
        "2030-04-22",
        "2030-05-06",
        "2030-05-27",
        "2030-08-26",
        "2030-12-25",
        "2030-12-26",
    ]
)
TABLE_YEARS = frozenset(day.year for day in BANK_HOLIDAYS)
# Those that fall on a weekday (all of them, with substitute days), in order, for counting.
_WEEKDAY_HOLIDAYS = sorted(day for day in BANK_HOLIDAYS if day.weekday() < 5)


def is_working_day(day):
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def _next_working_day(day):
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _wall(moment):
    """The naive Europe/London wall-clock time of an aware datetime."""
    return moment.astimezone(LONDON).replace(tzinfo=None)


def _aware(wall):
    return wall.replace(tzinfo=LONDON)


def _start_of_working_time(wall):
    """The first working instant at or after `wall`."""
    day = wall.date()
    if is_working_day(day) and wall.time() < DAY_END:
        return max(wall, datetime.combine(day, DAY_START))
    return datetime.combine(_next_working_day(day), DAY_START)


def add_working_hours(start, hours):
    """The aware datetime `hours` working hours after `start`."""
    remaining = timedelta(hours=hours)
    wall = _start_of_working_time(_wall(start))
    while True:
        end_of_day = datetime.combine(wall.date(), DAY_END)
        if remaining <= end_of_day - wall:
            return _aware(wall + remaining)
        remaining -= end_of_day - wall
        wall = datetime.combine(_next_working_day(wall.date()), DAY_START)


# Any Monday: working time is counted from here, so the count up to any moment is a number.
_EPOCH = date(2000, 1, 3)
_DAY_SECONDS = WORKING_DAY.total_seconds()


@lru_cache(maxsize=8192)
def _working_days_before(day):
    """How many working days there are from _EPOCH up to `day`, not included (negative
    before _EPOCH): only differences of it are used."""
    weeks, extra = divmod((day - _EPOCH).days, 7)
    return weeks * 5 + min(extra, 5) - bisect_left(_WEEKDAY_HOLIDAYS, day)


_DAY_START_SECONDS = DAY_START.hour * 3600 + DAY_START.minute * 60


def _working_seconds(moment):
    """Working seconds from _EPOCH to the aware `moment`, read off its wall clock in London."""
    local = moment.astimezone(LONDON)
    day = local.date()
    seconds = _working_days_before(day) * _DAY_SECONDS
    if is_working_day(day):
        into = (
            local.hour * 3600
            + local.minute * 60
            + local.second
            + local.microsecond / 1_000_000
            - _DAY_START_SECONDS
        )
        seconds += min(max(into, 0.0), _DAY_SECONDS)
    return seconds


def working_hours_between(start, end):
    """Working hours from `start` to `end` (0 if `end` is not after `start`).

    Each moment is turned into the working time elapsed since a fixed Monday, and the two
    are subtracted: the days in between are counted, not walked, so a request a year overdue
    costs the same as one due today (the hub's queue works this out for every row it shows,
    the head teacher's report for every concern of the period)."""
    if end <= start:
        return 0.0
    elapsed = _working_seconds(end) - _working_seconds(start)
    return max(elapsed, 0.0) / 3600
