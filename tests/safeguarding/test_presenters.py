from datetime import UTC, date, datetime

from safeguarding.templatetags.presenters import (
    concern_status_tag,
    uk_date,
    uk_datetime,
    urgency_tag,
)


def test_dates_and_times_read_the_gov_uk_way_in_london_time():
    assert uk_date(date(2026, 3, 5)) == "5 March 2026"
    assert uk_datetime(datetime(2026, 7, 1, 15, 5, tzinfo=UTC)) == "1 July 2026 at 4:05pm"
    assert uk_datetime(datetime(2026, 12, 1, 12, 0, tzinfo=UTC)) == "1 December 2026 at midday"
    assert uk_datetime(datetime(2026, 12, 1, 9, 30, tzinfo=UTC)) == "1 December 2026 at 9:30am"


def test_tags_carry_text_as_well_as_colour():
    assert urgency_tag("amber") == '<strong class="govuk-tag govuk-tag--orange">Amber</strong>'
    assert "With the Early Help Hub" in concern_status_tag("with_hub")
