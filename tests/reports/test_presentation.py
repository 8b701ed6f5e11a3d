"""The governors' version hides small counts so that they cannot be worked out again."""

import pytest

from reports.presentation import (
    FEWER,
    FULL,
    GOVERNORS,
    NOT_SHOWN,
    WITHHELD,
    Formatter,
    counted,
)

GOVERNORS_VIEW = Formatter(GOVERNORS)


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        # One year group hidden, the rest and the total shown: the total less the rest gives
        # it away, so the smallest other count is withheld too.
        ([12, 5, 2], ["12", WITHHELD, FEWER]),
        ([0, 7, 1, 0], ["0", WITHHELD, FEWER, "0"]),
        # Two hidden counts that can only be 1 and 1, or 4 and 4.
        ([1, 9, 1], [FEWER, WITHHELD, FEWER]),
        ([4, 6, 4, 30], [FEWER, WITHHELD, FEWER, "30"]),
        # 18 - 12 = 6, and a withheld 5 (5 or more) would leave the hidden count 1: withhold
        # the 7 as well, so the two withheld are 12 together, not known to be 5 and 7.
        ([12, 5, 1, 7], ["12", WITHHELD, FEWER, WITHHELD]),
        ([12, 6, 1], ["12", WITHHELD, FEWER]),
        # 1 and 3 could as well be 2 and 2: nothing more to hide.
        ([1, 9, 3], [FEWER, "9", FEWER]),
        # Nothing hidden, nothing withheld.
        ([0, 5, 17], ["0", "5", "17"]),
    ],
)
def test_a_count_the_others_would_give_away_is_covered_by_another(counts, shown):
    assert GOVERNORS_VIEW.breakdown(counts) == shown


def test_the_full_version_shows_every_count():
    assert Formatter(FULL).breakdown([12, 5, 2]) == ["12", "5", "2"]


def test_a_withheld_count_draws_no_bar_in_the_chart():
    table = counted(
        "year", "By year group", "Year group", [("Year 4", 5), ("Year 6", 3)], GOVERNORS_VIEW
    )
    assert table.rows == [["Year 4", WITHHELD], ["Year 6", FEWER]]
    assert [bar.value_text for bar in table.chart.bars] == [WITHHELD, FEWER]
    assert all(bar.width == 0 for bar in table.chart.bars)


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        # 199 of 200 answered within target is not every one: 99.5% does not round to 100%.
        (199, 200, "more than 99% (199 of 200)"),
        # 1 of 300 closed without advice is not none: 0.3% does not round to 0%.
        (1, 300, "less than 1% (1 of 300)"),
        (200, 200, "100% (200 of 200)"),
        (0, 300, "0% (0 of 300)"),
        (1, 2, "50% (1 of 2)"),
        (2, 3, "67% (2 of 3)"),
        (0, 0, "none"),
    ],
)
def test_a_share_reads_100_or_0_percent_only_when_it_is_all_or_none(part, whole, shown):
    assert Formatter(FULL).share(part, whole) == shown


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        # 8 of 10 concerns sought advice: the 2 that did not are a count of fewer than 5.
        (8, 10, NOT_SHOWN),
        (5, 10, "50% (5 of 10)"),
        (10, 10, "100% (10 of 10)"),
        (0, 7, "0% (0 of 7)"),
        (3, 10, NOT_SHOWN),
        (5, 8, NOT_SHOWN),
    ],
)
def test_a_share_in_the_governors_version_gives_no_small_count_away(part, whole, shown):
    assert GOVERNORS_VIEW.share(part, whole) == shown


@pytest.mark.parametrize(
    ("total", "counts"),
    [
        # Five year groups of fewer than 5 and five concerns: each year group is 1.
        (5, [1, 1, 1, 1, 1]),
        # Two of fewer than 5 and eight: each is 4.
        (8, [4, 4]),
        # 5 "not shown" (so 5 or more) and 1 "fewer than 5" of 6: they are 5 and 1, and no
        # other count is left to withhold.
        (6, [5, 1]),
        (7, [1, 5, 1]),
    ],
)
def test_a_total_that_would_give_a_hidden_count_away_is_not_shown(total, counts):
    texts = GOVERNORS_VIEW.breakdown(counts)
    assert FEWER in texts
    assert GOVERNORS_VIEW.total(total, counts) == WITHHELD


@pytest.mark.parametrize(
    ("total", "counts", "shown"),
    [
        # 1 and 3 of 4 could as well be 2 and 2; the 4 is itself hidden as fewer than 5.
        (4, [1, 3], FEWER),
        # Fewer than 5 twice in 6: 1 and 5, 2 and 4, ... nothing is fixed.
        (6, [2, 4], "6"),
        # 12 and a withheld 5 of 18 leave 1: the 7 is withheld as well, and 18 can stay.
        (25, [12, 5, 1, 7], "25"),
        (9, [0, 9], "9"),
        (0, [0, 0], "0"),
    ],
)
def test_a_total_is_shown_when_its_parts_give_nothing_away(total, counts, shown):
    assert GOVERNORS_VIEW.total(total, counts) == shown


def test_the_full_version_shows_every_total():
    assert Formatter(FULL).total(5, [1, 1, 1, 1, 1]) == "5"


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        # Shown in full, they would add up to the total that is not shown.
        ([5, 0, 0], [WITHHELD, "0", "0"]),
        ([6, 7, 1], ["6", WITHHELD, FEWER]),
        # Nothing of 5 or more: the hidden ones do not add up to anything known.
        ([1, 1, 1, 1, 1], [FEWER] * 5),
    ],
)
def test_counts_of_a_total_not_shown_do_not_add_up_to_it(counts, shown):
    assert GOVERNORS_VIEW.breakdown(counts, whole_hidden=True) == shown


def test_a_target_whose_outcomes_would_fix_a_hidden_one_is_not_shown():
    # Six referrals to children's social care, 5 with one outcome and 1 with another: "6"
    # beside "not shown" (5 or more) and "fewer than 5" would say 5 and 1.
    table = counted(
        "target",
        "By target",
        "Referred to",
        [("Children's social care", 6), ("Police", 7)],
        GOVERNORS_VIEW,
        chart=False,
        parts=[[5, 1], [7]],
    )
    assert table.rows == [["Children's social care", WITHHELD], ["Police", "7"]]
