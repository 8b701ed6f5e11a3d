from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.working_time import (
    BANK_HOLIDAYS,
    DAY_END,
    DAY_START,
    LONDON,
    _start_of_working_time,
    _wall,
    add_working_hours,
    is_working_day,
    working_hours_between,
)

# Times written in UTC; Europe/London is UTC+0 in winter and UTC+1 in summer.


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Friday 16:00 + 4 working hours = Monday 12:00 (November: GMT).
        (utc(2026, 11, 27, 16, 0), 4, utc(2026, 11, 30, 12, 0)),
        # Inside one day.
        (utc(2026, 11, 24, 10, 0), 4, utc(2026, 11, 24, 14, 0)),
        # Before opening counts from 09:00.
        (utc(2026, 11, 24, 6, 30), 4, utc(2026, 11, 24, 13, 0)),
        # After closing counts from 09:00 the next working day.
        (utc(2026, 11, 24, 18, 0), 8, utc(2026, 11, 25, 17, 0)),
        # Saturday counts from Monday 09:00.
        (utc(2026, 11, 28, 11, 0), 24, utc(2026, 12, 2, 17, 0)),
        # Across Easter 2026: Thursday 2 April 15:00 + 4h skips Good Friday and Easter Monday.
        # 2 hours on Thursday (BST, 15:00-17:00 local = 14:00-16:00 UTC), 2 on Tuesday 7 April.
        (utc(2026, 4, 2, 14, 0), 4, utc(2026, 4, 7, 10, 0)),
        # Across Christmas 2026: Thursday 24 Dec 16:00 + 8h; 25 Dec and 28 Dec (substitute
        # Boxing Day) are bank holidays: 1h on the 24th, 7h on Tuesday 29th = 16:00.
        (utc(2026, 12, 24, 16, 0), 8, utc(2026, 12, 29, 16, 0)),
        # Clocks go forward on Sunday 29 March 2026: Friday 16:00 GMT + 4h = Monday 12:00 BST.
        (utc(2026, 3, 27, 16, 0), 4, utc(2026, 3, 30, 11, 0)),
        # Clocks go back on Sunday 25 October 2026: Friday 16:00 BST + 4h = Monday 12:00 GMT.
        (utc(2026, 10, 23, 15, 0), 4, utc(2026, 10, 26, 12, 0)),
        # Green: 3 working days from Wednesday 10:00 = Monday 10:00 (GMT).
        (utc(2026, 11, 25, 10, 0), 24, utc(2026, 11, 30, 10, 0)),
    ],
)
def test_add_working_hours(start, hours, due):
    assert add_working_hours(start, hours) == due


def test_working_hours_between_counts_only_working_time():
    # Friday 16:00 to Monday 10:00 GMT: 1 hour Friday, 1 hour Monday.
    assert working_hours_between(utc(2026, 11, 27, 16, 0), utc(2026, 11, 30, 10, 0)) == 2
    # Across the spring clock change, wall-clock hours still count as 8 a day.
    assert working_hours_between(utc(2026, 3, 27, 9, 0), utc(2026, 3, 30, 16, 0)) == 16
    assert working_hours_between(utc(2026, 11, 30, 10, 0), utc(2026, 11, 27, 16, 0)) == 0


def _easter_sunday(year):
    """Anonymous Gregorian algorithm (Meeus/Jones/Butcher), computed independently of the table."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = ((h + leap - 7 * m + 114) % 31) + 1
    return date(year, month, day)


def _first_monday(year, month):
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year, month):
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def _substitute(days):
    """Weekend holidays move to the next weekdays not already holidays."""
    result = []
    for day in days:
        while day.weekday() >= 5 or day in result:
            day += timedelta(days=1)
        result.append(day)
    return result


@pytest.mark.parametrize("year", range(2025, 2031))
def test_bank_holiday_table_matches_the_rules_for_england_and_wales(year):
    easter = _easter_sunday(year)
    expected = {
        *_substitute([date(year, 1, 1)]),
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _first_monday(year, 5),
        _last_monday(year, 5),
        _last_monday(year, 8),
        *_substitute([date(year, 12, 25), date(year, 12, 26)]),
    }
    assert {day for day in BANK_HOLIDAYS if day.year == year} == expected


# gov.uk/bank-holidays, England and Wales, as published: the days off work.
PUBLISHED = {
    2021: "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28",
    2022: "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27",
    2023: "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26",
    2024: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2025: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2026: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    2027: "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28",
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_bank_holidays_are_gov_uks_including_the_one_off_days(year):
    expected = {date.fromisoformat(f"{year}-{day}") for day in PUBLISHED[year].split()}
    assert {day for day in BANK_HOLIDAYS if day.year == year} == expected


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Thursday 23 December 2021 to Wednesday 29th: Christmas and Boxing Day fell at the
        # weekend, so Monday 27th and Tuesday 28th were the days off.
        (datetime(2021, 12, 23, 16, tzinfo=UTC), datetime(2021, 12, 29, 10, tzinfo=UTC), 10.0),
        (datetime(2024, 12, 24, 16, tzinfo=UTC), datetime(2024, 12, 27, 10, tzinfo=UTC), 2.0),
        (datetime(2031, 12, 24, 16, tzinfo=UTC), datetime(2031, 12, 29, 10, tzinfo=UTC), 2.0),
        # The Queen's state funeral, Monday 19 September 2022 (British Summer Time: UTC+1).
        (datetime(2022, 9, 16, 15, tzinfo=UTC), datetime(2022, 9, 20, 8, tzinfo=UTC), 1.0),
    ],
)
def test_working_hours_skip_bank_holidays_in_any_year_a_report_covers(start, end, hours):
    """A report may cover any year from 2000: its working hours skip that year's holidays."""
    assert working_hours_between(start, end) == hours


def _walked_working_hours(start, end):
    """The definition, walked one working day at a time (as the service once computed it)."""
    if end <= start:
        return 0.0
    wall, finish, total = _start_of_working_time(_wall(start)), _wall(end), timedelta()
    while wall < finish:
        total += min(datetime.combine(wall.date(), DAY_END), finish) - wall
        day = wall.date() + timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
        wall = datetime.combine(day, DAY_START)
    return total.total_seconds() / 3600


# Hypothesis takes naive bounds and makes aware moments from them: any year a report may cover.
moments = st.datetimes(
    min_value=datetime(2000, 1, 3),  # noqa: DTZ001
    max_value=datetime(2050, 12, 31),  # noqa: DTZ001
    timezones=st.just(LONDON),
)


@given(start=moments, end=moments)
def test_working_hours_between_counts_days_as_walking_them_would(start, end):
    assert working_hours_between(start, end) == pytest.approx(_walked_working_hours(start, end))


def test_a_request_years_overdue_counts_every_working_day_between():
    # Thursday 2 January 2025 to Tuesday 1 January 2030, whole days: 260 weeks and 6 days
    # (Thursday to Tuesday) make 1,304 weekdays; 40 of them are bank holidays.
    hours = working_hours_between(utc(2025, 1, 2, 9, 0), utc(2030, 1, 2, 9, 0))
    assert hours == 8 * (1304 - 40)
