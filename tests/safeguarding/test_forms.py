from datetime import UTC, datetime, time

import pytest
from django.core.exceptions import ValidationError

from concerns.forms.escalation import EscalationForm
from reports.forms import date_field as report_date_field
from safeguarding.forms import apply_refusal, date_field, parse_time
from workflow.exceptions import TransitionRefused


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", time(14, 30)),
        ("2:30pm", time(14, 30)),
        ("2pm", time(14, 0)),
        ("9.15am", time(9, 15)),
        ("12am", time(0, 0)),
        ("12:05pm", time(12, 5)),
        ("midday", time(12, 0)),
        (" 9:05 AM ", time(9, 5)),
        ("1730", time(17, 30)),
        ("0930", time(9, 30)),
        ("5:30 p.m.", time(17, 30)),
        ("9 A.M.", time(9, 0)),
        # The full stop that ends a sentence, typed after the time out of habit.
        ("1:00 pm.", time(13, 0)),
        ("14:30.", time(14, 30)),
    ],
)
def test_times_are_read_as_people_write_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text", ["25:00", "13pm", "9:75", "teatime", "", "0am", "2460", "17300", "1730pm"]
)
def test_impossible_times_are_not_times(text):
    assert parse_time(text) is None


def escalation_post(**overrides):
    data = {
        "indicators": "Bruising to the face.",
        "referred_to": "csc",
        "referred_on_0": "3",
        "referred_on_1": "11",
        "referred_on_2": "2026",
        "referred_time": "2:15pm",
        "parent_informed": "no",
        "parent_not_informed_reason": "Risk to the child.",
    }
    data.update(overrides)
    return data


def test_escalation_form_combines_date_and_time_in_london_time():
    form = EscalationForm(escalation_post())
    assert form.is_valid(), form.errors
    kwargs = form.transition_kwargs()
    assert kwargs["referred_at"].isoformat() == "2026-11-03T14:15:00+00:00"
    assert kwargs["parent_informed"] is False


def test_escalation_form_puts_a_bad_time_beside_the_time_field():
    form = EscalationForm(escalation_post(referred_time="teatime"))
    assert not form.is_valid()
    assert form.errors["referred_time"] == ["Enter a time, for example 9:30am or 14:30"]


def test_a_time_in_the_hour_the_clocks_skip_is_refused_beside_the_time():
    spring = {"referred_on_0": "29", "referred_on_1": "3", "referred_on_2": "2026"}
    form = EscalationForm(escalation_post(referred_time="1:30am", **spring))
    assert not form.is_valid()
    assert form.errors["referred_time"] == [
        "There was no 1:30am on 29 March 2026: the clocks went forward an hour at 1am. "
        "Enter the time as the clock showed it"
    ]
    later = EscalationForm(escalation_post(referred_time="2:30am", **spring))
    assert later.is_valid(), later.errors
    assert later.transition_kwargs()["referred_at"] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


AUTUMN = {"referred_on_0": "25", "referred_on_1": "10", "referred_on_2": "2026"}


def test_a_time_in_the_hour_the_clocks_repeat_is_refused_unless_it_says_which():
    form = EscalationForm(escalation_post(referred_time="1:30am", **AUTUMN))
    assert not form.is_valid()
    assert form.errors["referred_time"] == [
        "1:30am happened twice on 25 October 2026, because the clocks went back at 2am. "
        "Enter 1:30am BST for the first time, or 1:30am GMT for the second"
    ]
    assert form["referred_time"].value() == "1:30am"
    assert 'value="1:30am"' in str(form["referred_time"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:30am BST", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("1:30am GMT", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        ("01:30 bst", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("1:30 gmt", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        ("1am Bst", datetime(2026, 10, 25, 0, 0, tzinfo=UTC)),
        ("1:59am GMT", datetime(2026, 10, 25, 1, 59, tzinfo=UTC)),
    ],
)
def test_a_repeated_time_that_names_its_zone_is_the_moment_it_names(text, expected):
    form = EscalationForm(escalation_post(referred_time=text, **AUTUMN))
    assert form.is_valid(), form.errors
    # In UTC: Python never finds a time in a repeated hour equal to one in another zone (PEP
    # 495), so compared as given these would fail whatever moment they were.
    assert form.transition_kwargs()["referred_at"].astimezone(UTC) == expected


@pytest.mark.parametrize(
    ("day", "text", "message"),
    [
        (
            {"referred_on_0": "15", "referred_on_1": "7"},
            "3pm GMT",
            "UK clocks were on BST, not GMT, at 3pm on 15 July 2026. "
            "Enter the time as the clock showed it, without GMT",
        ),
        (
            {"referred_on_0": "15", "referred_on_1": "1"},
            "3pm bst",
            "UK clocks were on GMT, not BST, at 3pm on 15 January 2026. "
            "Enter the time as the clock showed it, without BST",
        ),
        (
            AUTUMN,
            "12:30am GMT",
            "UK clocks were on BST, not GMT, at 12:30am on 25 October 2026. "
            "Enter the time as the clock showed it, without GMT",
        ),
    ],
)
def test_a_zone_the_clocks_were_not_on_is_refused_beside_the_time(day, text, message):
    form = EscalationForm(escalation_post(referred_time=text, **day))
    assert not form.is_valid()
    assert form.errors["referred_time"] == [message]
    assert form["referred_time"].value() == text


@pytest.mark.parametrize(
    ("day", "month", "text", "utc"),
    [
        ("15", "7", "3pm BST", "2026-07-15T14:00:00+00:00"),
        ("15", "1", "3pm GMT", "2026-01-15T15:00:00+00:00"),
        ("25", "10", "12:59am", "2026-10-24T23:59:00+00:00"),
        ("25", "10", "2am", "2026-10-25T02:00:00+00:00"),
        ("25", "10", "2:30pm", "2026-10-25T14:30:00+00:00"),
        ("26", "10", "1:30am", "2026-10-26T01:30:00+00:00"),
        ("29", "3", "12:30am", "2026-03-29T00:30:00+00:00"),
    ],
)
def test_times_either_side_of_the_change_need_no_zone_and_may_give_the_right_one(
    day, month, text, utc
):
    form = EscalationForm(
        escalation_post(referred_time=text, referred_on_0=day, referred_on_1=month)
    )
    assert form.is_valid(), form.errors
    assert form.transition_kwargs()["referred_at"].astimezone(UTC).isoformat() == utc


def test_the_hour_the_clocks_skip_is_refused_with_a_zone_too():
    spring = {"referred_on_0": "29", "referred_on_1": "3", "referred_on_2": "2026"}
    form = EscalationForm(escalation_post(referred_time="1:30am GMT", **spring))
    assert not form.is_valid()
    assert form.errors["referred_time"] == [
        "There was no 1:30am GMT on 29 March 2026: the clocks went forward an hour at 1am. "
        "Enter the time as the clock showed it"
    ]


def test_a_refused_transition_shows_beside_the_matching_field():
    form = EscalationForm(escalation_post())
    assert form.is_valid()
    apply_refusal(
        form, TransitionRefused("The date must be today or earlier", field="referred_at:date")
    )
    apply_refusal(form, TransitionRefused("The time must be earlier", field="referred_at:time"))
    apply_refusal(form, TransitionRefused("Enter what indicates harm", field="indicators"))
    apply_refusal(form, TransitionRefused("Only DSLs can do that"))
    assert form.errors["referred_on"] == ["The date must be today or earlier"]
    assert form.errors["referred_time"] == ["The time must be earlier"]
    assert form.errors["indicators"] == ["Enter what indicates harm"]
    assert form.non_field_errors() == ["Only DSLs can do that"]


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("31", "2", "2026"), ("x", "2", "2026"), ("", "", "")],
)
def test_impossible_or_missing_dates_are_refused_beside_the_date(day, month, year):
    form = EscalationForm(
        escalation_post(referred_on_0=day, referred_on_1=month, referred_on_2=year)
    )
    assert not form.is_valid()
    assert "referred_on" in form.errors


HUGE = "9" * 30  # a whole number, but no day, month or year of any date


@pytest.mark.parametrize(
    "field",
    [
        date_field("Date", subject="The date", required_message="Enter it"),
        report_date_field("Date", subject="The date", required_message="Enter it"),
    ],
    ids=["shared", "reports"],
)
@pytest.mark.parametrize("parts", [[HUGE, "1", "2026"], ["1", HUGE, "2026"], ["1", "1", HUGE]])
def test_a_number_too_big_for_a_date_is_not_a_date(field, parts):
    with pytest.raises(ValidationError) as refused:
        field.clean(parts)
    assert refused.value.messages in (
        ["The date must be a real date"],
        ["Enter a real date, for example 27 3 2026"],
        ["The year must include 4 numbers, for example 2026"],
    )
