from datetime import UTC, date, datetime, timedelta

from safeguarding.clock import written, written_length
from safeguarding.templatetags.presenters import (
    concern_status_tag,
    uk_date,
    uk_datetime,
    uk_time,
    urgency_tag,
    with_typed,
)


def test_dates_and_times_read_the_gov_uk_way_in_london_time():
    assert uk_date(date(2026, 3, 5)) == "5 March 2026"
    assert uk_datetime(datetime(2026, 7, 1, 15, 5, tzinfo=UTC)) == "1 July 2026 at 4:05pm"
    assert uk_datetime(datetime(2026, 12, 1, 12, 0, tzinfo=UTC)) == "1 December 2026 at midday"
    assert uk_datetime(datetime(2026, 12, 1, 9, 30, tzinfo=UTC)) == "1 December 2026 at 9:30am"


def test_the_two_times_of_the_hour_the_clocks_went_back_say_which_they_were():
    first, second = (
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    )
    assert uk_datetime(first) == "25 October 2026 at 1:30am BST"
    assert uk_datetime(second) == "25 October 2026 at 1:30am GMT"
    assert (uk_time(first), uk_time(second)) == ("1:30am BST", "1:30am GMT")
    assert uk_datetime(datetime(2026, 10, 25, 0, 0, tzinfo=UTC)) == "25 October 2026 at 1:00am BST"
    assert uk_datetime(datetime(2026, 10, 25, 1, 59, tzinfo=UTC)) == "25 October 2026 at 1:59am GMT"


def test_times_outside_the_repeated_hour_name_no_zone():
    assert uk_datetime(datetime(2026, 10, 24, 23, 59, tzinfo=UTC)) == "25 October 2026 at 12:59am"
    assert uk_datetime(datetime(2026, 10, 25, 2, 0, tzinfo=UTC)) == "25 October 2026 at 2:00am"
    assert uk_datetime(datetime(2026, 10, 26, 1, 30, tzinfo=UTC)) == "26 October 2026 at 1:30am"
    assert uk_datetime(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == "29 March 2026 at 2:30am"
    assert uk_datetime(datetime(2026, 7, 1, 0, 30, tzinfo=UTC)) == "1 July 2026 at 1:30am"


def test_tags_carry_text_as_well_as_colour():
    assert urgency_tag("amber") == '<strong class="govuk-tag govuk-tag--orange">Amber</strong>'
    assert "With the Early Help Hub" in concern_status_tag("with_hub")


def test_times_in_messages_and_emails_are_written_as_the_pages_write_them():
    # One style everywhere: an email saying "16:05 on 01/07/2026" about a page saying
    # "1 July 2026 at 4:05pm" reads as two different times.
    assert written(datetime(2026, 7, 1, 15, 5, tzinfo=UTC)) == "1 July 2026 at 4:05pm"
    assert written(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "25 October 2026 at 1:30am BST"
    assert written(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "25 October 2026 at 1:30am GMT"
    assert written(datetime(2026, 10, 25, 2, 30, tzinfo=UTC)) == "25 October 2026 at 2:30am"
    moment = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert written(moment) == uk_datetime(moment) == "1 December 2026 at 5:00pm"


def test_a_message_with_a_name_in_it_escapes_every_piece_and_sets_the_name_apart():
    """A name read from an imported file is shown in its own direction, and neither it nor
    the service's words around it can add markup to the page."""
    said = [("The UPN <b> is ", False), ("<script>Adam</script>", True), ("'s", False)]
    assert with_typed(said) == (
        'The UPN &lt;b&gt; is <span dir="auto">&lt;script&gt;Adam&lt;/script&gt;</span>&#x27;s'
    )
    assert with_typed("Line <3") == "Line &lt;3"


def test_a_settings_length_of_time_is_written_exactly():
    assert written_length(timedelta(hours=12)) == "12 hours"
    assert written_length(30 * 60) == "30 minutes"
    assert written_length(timedelta(hours=1, minutes=30)) == "1 hour and 30 minutes"
    assert written_length(timedelta(seconds=125)) == "2 minutes and 5 seconds"
