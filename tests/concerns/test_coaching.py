"""The coaching detectors: they suggest, so they must be right often and quiet otherwise."""

import pytest

from concerns import coaching


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JS hit AB in the lunch queue.", ["JS", "AB"]),
        ("J.S. pushed A.B. against the wall.", ["J.S.", "A.B."]),
        ("Amelia said JS and JS again had taken her bag.", ["JS"]),
        ("Mr Brown (TA) and the SENCO were with me after PE.", []),
        ("Amelia Ahmed told me at 9am that she was hungry.", []),
        ("I saw it on CCTV, then told the DSL and the PCSO.", []),
        ("AMELIA SAID SHE WAS SCARED TO GO HOME", []),
        ("", []),
        (None, []),
    ],
)
def test_initials_are_found_but_everyday_abbreviations_are_not(text, expected):
    assert coaching.initials(text) == expected


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("Bruise.", True),
        ("She had a bruise on her arm.", True),
        ("She had a bruise on her arm and would not say why.", False),
        (
            "She had a bruise on her left arm about the size of a coin and said her "
            "brother had grabbed her.",
            False,
        ),
        ("", False),
        ("   ", False),
    ],
)
def test_a_very_short_account_is_noticed_but_an_empty_one_is_left_to_validation(text, short):
    assert coaching.is_short(text) is short


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I think he's lying about the bruise.", ["I think"]),
        (
            "He obviously hadn't eaten and seemed tired. Probably neglect.",
            ["obviously", "seemed", "Probably"],
        ),
        ("I feel she is attention seeking.", ["I feel", "attention seeking"]),
        ("It seems so. It seems worse today.", ["seems"]),
        ("She said: 'my dad hit me with a belt'. I saw a red mark on her arm.", []),
        ("He was thinking about it and feeling sad.", []),
    ],
)
def test_opinion_words_are_found_as_written(text, expected):
    assert coaching.opinion_words(text) == expected


def test_account_hints_name_what_was_found():
    hints = coaching.hints_for_account("I think JS hit her.")
    assert len(hints) == 3
    assert "quite short" in hints[0]
    assert '"I think"' in hints[1]
    assert '"JS"' in hints[2]


def test_a_factual_full_account_gets_no_hints():
    text = (
        "At 10:15am in the playground Amelia Ahmed told me that her step-father, Dan Reed, "
        "had shouted at her and pushed her into a door last night. I saw a bruise on her forehead."
    )
    assert coaching.hints_for_account(text) == []
    assert coaching.hints_for_people("Mr Brown (teaching assistant)") == []
