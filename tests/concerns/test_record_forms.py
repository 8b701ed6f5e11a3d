"""The 'when' question's rules against a fixed clock: not in the future, to the minute."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from concerns.forms.record import CategoriesForm, QuestionForm, RiskForm, WhenForm

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 27, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def when(day="27", month="3", year="2026", time="9:59am"):
    return WhenForm(
        {"observed_on_0": day, "observed_on_1": month, "observed_on_2": year, "observed_time": time}
    )


def test_a_moment_earlier_today_is_accepted_in_london_time():
    form = when(time="9:59am")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["observed_at"] == datetime(2026, 3, 27, 9, 59, tzinfo=LONDON)
    assert form.record_kwargs() == {"observed_at": form.cleaned_data["observed_at"]}
    assert form.answer() == "27 March 2026 at 9:59am"


def test_a_later_time_today_is_refused_beside_the_time():
    form = when(time="10:01am")
    assert not form.is_valid()
    assert form.errors == {"observed_time": ["The time it was seen or heard must be in the past"]}


def test_a_later_day_is_refused_beside_the_date():
    form = when(day="28", time="9am")
    assert not form.is_valid()
    assert form.errors == {
        "observed_on": ["The date it was seen or heard must be today or in the past"]
    }


def test_each_missing_part_of_the_date_is_named():
    form = when(day="", month="", time="9am")
    assert not form.is_valid()
    assert form.errors["observed_on"] == [
        "The date it was seen or heard must include a day",
        "The date it was seen or heard must include a month",
    ]


@pytest.mark.parametrize("month", ["March", "march", "MAR", "Mar.", "3", "03"])
def test_a_month_typed_as_its_name_is_read(month):
    """GOV.UK's date input accepts a month written in full or short, as a date is often read
    off a letter or typed as it is said: "Mar" was refused as not a real date."""
    form = when(day="26", month=month, time="9am")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["observed_at"] == datetime(2026, 3, 26, 9, 0, tzinfo=LONDON)


@pytest.mark.parametrize("month", ["Ma", "Marchy", "Smarch", "3rd"])
def test_a_word_that_is_no_month_is_refused_beside_the_date(month):
    form = when(day="26", month=month, time="9am")
    assert not form.is_valid()
    assert form.errors == {"observed_on": ["The date it was seen or heard must be a real date"]}


@pytest.mark.parametrize("typed", ["3.30", "3:30", "330", "3"])
def test_a_time_without_am_or_pm_that_could_be_either_is_asked_about(typed):
    """A teacher writing "3.30" at the end of the school day means half past three in the
    afternoon: it was stored as 3:30am, silently, and in the past it was accepted. An hour from
    1 to 9 with neither am or pm nor the 24-hour clock's leading zero could be either."""
    form = when(day="26", time=typed)
    assert not form.is_valid()
    assert form.errors == {"observed_time": [f"Enter {typed}am or {typed}pm"]}


@pytest.mark.parametrize(
    ("typed", "hour", "minute"),
    [("03:30", 3, 30), ("15:30", 15, 30), ("3:30pm", 15, 30), ("12:15", 12, 15), ("0930", 9, 30)],
)
def test_a_time_that_can_be_only_one_is_read(typed, hour, minute):
    form = when(day="26", time=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["observed_at"] == datetime(2026, 3, 26, hour, minute, tzinfo=LONDON)


def test_the_error_summary_links_a_checkbox_or_radio_question_to_its_first_option():
    for form_class in [CategoriesForm, RiskForm]:
        form = form_class({})
        assert not form.is_valid()
        name = next(iter(form.fields))
        assert form[name].auto_id == f"id_{name}_1"


def test_every_question_posts_under_names_that_no_other_question_uses():
    names = [
        name for form_class in QuestionForm.__subclasses__() for name in form_class.input_names()
    ]
    assert len(names) == len(set(names))
    assert WhenForm.input_names() == [
        "observed_on_0",
        "observed_on_1",
        "observed_on_2",
        "observed_time",
    ]


@pytest.mark.parametrize(
    ("day", "time", "time_error"),
    [
        ("31", "banana", "Enter a time, for example 9:30am or 14:30"),
        ("", "3:30", "Enter 3:30am or 3:30pm"),
    ],
)
def test_a_wrong_time_is_named_on_the_first_send_beside_a_wrong_date(day, time, time_error):
    """GOV.UK lists every problem at once: with the date wrong too, the time's own mistake was
    kept back until the date was put right, to be found on a second send."""
    form = when(day=day, month="2", time=time)
    assert not form.is_valid()
    assert list(form.errors) == ["observed_on", "observed_time"]
    assert form.errors["observed_time"] == [time_error]


def test_a_time_ended_with_a_full_stop_is_read_and_repeated_without_it():
    form = when(time="9:30am.")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["observed_at"] == datetime(2026, 3, 27, 9, 30, tzinfo=LONDON)
    form = when(time="3:30.")
    assert not form.is_valid()
    assert form.errors == {"observed_time": ["Enter 3:30am or 3:30pm"]}
