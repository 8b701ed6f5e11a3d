from datetime import date

import pytest
from django.core.exceptions import ValidationError

from schools.validators import (
    upn_check_letter,
    usual_year,
    validate_upn,
    validate_urn,
    year_group_misfit,
)
from tests.factories import PupilFactory, SchoolFactory

# Check letters worked out by hand with the DfE method: characters 2-13 times weights 2-13,
# summed, remainder after dividing by 23, looked up in ABCDEFGHJKLMNPQRTUVWXYZ (A=0 ... Z=22).
HAND_COMPUTED = [
    # 8*2+2*3+1*4+2*5+0+0+1*8+2*9+0+0+0+1*13 = 75; 75 mod 23 = 6 -> G
    "G821200120001",
    # 16+6+12+15+0+0+16+9+90+99+108+117 = 488; 488 mod 23 = 5 -> F
    "F823300219999",
    # 1*13 = 13; 13 -> P
    "P000000000001",
    # temporary UPN, A counts as 0: 16+6+4+10+8+18 = 62; 62 mod 23 = 16 -> T
    "T82120012000A",
    # temporary UPN, Z counts as 22: 62 + 22*13 = 348; 348 mod 23 = 3 -> D
    "D82120012000Z",
]


@pytest.mark.parametrize("upn", HAND_COMPUTED)
def test_accepts_upns_with_hand_computed_check_letters(upn):
    validate_upn(upn)
    assert upn_check_letter(upn[1:]) == upn[0]


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("H821200120001", "check letter does not match"),
        ("G821200120002", "check letter does not match"),
        ("G82120012000", "13 characters long"),
        ("G8212001200011", "13 characters long"),
        ("g821200120001", "capital letters"),
        ("t82120012000a", "capital letters"),
        ("I821200120001", "starts with a check letter".replace("starts", "start")),
        ("G8212001X0001", "2 to 12 of a UPN must be digits"),
        ("G82120012000I", "other than I, O or S"),
        ("", "13 characters long"),
    ],
)
def test_refuses_bad_upns_with_a_message_naming_the_rule(upn, message):
    with pytest.raises(ValidationError) as refused:
        validate_upn(upn)
    assert message in refused.value.messages[0]


@pytest.mark.parametrize("urn", ["109876", "000001", "900101"])
def test_accepts_six_digit_urns(urn):
    validate_urn(urn)


@pytest.mark.parametrize("urn", ["10987", "1098765", "10987A", "", "10 987"])
def test_refuses_urns_that_are_not_six_digits(urn):
    with pytest.raises(ValidationError, match="exactly 6 digits"):
        validate_urn(urn)


def test_a_pupil_with_a_wrong_check_letter_is_not_saved_through_validation(school):
    pupil = PupilFactory.build(school=school, upn="H821200120001")
    with pytest.raises(ValidationError) as refused:
        pupil.full_clean()
    assert refused.value.message_dict["upn"] == [
        "The UPN's check letter does not match: check that every character is typed correctly."
    ]


def test_a_upn_is_unique_within_a_school_but_not_across_schools(school, other_school):
    PupilFactory(school=school, upn="G821200120001")
    PupilFactory(school=other_school, upn="G821200120001")
    duplicate = PupilFactory.build(school=school, upn="G821200120001")
    with pytest.raises(ValidationError, match="already exists"):
        duplicate.full_clean()


def test_a_school_with_a_bad_urn_is_refused(authority):
    school = SchoolFactory.build(local_authority=authority, urn="12345")
    with pytest.raises(ValidationError) as refused:
        school.full_clean()
    assert "exactly 6 digits" in refused.value.message_dict["urn"][0]


# A pupil's year group and date of birth.

AUTUMN_2026 = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("born", "usual"),
    [
        (date(2021, 9, 1), 0),  # turns 5 on the first day of the school year: Reception
        (date(2022, 8, 31), 0),  # turns 5 on its last day: Reception too
        (date(2021, 8, 31), 1),
        (date(2016, 5, 17), 6),
        (date(2022, 9, 1), -1),  # Nursery
    ],
)
def test_the_usual_year_starts_reception_in_the_school_year_a_child_turns_5(born, usual):
    assert usual_year(born, AUTUMN_2026) == usual


@pytest.mark.parametrize(
    ("year_group", "born"),
    [
        ("6", date(2016, 5, 17)),
        ("8", date(2016, 5, 17)),  # two years ahead: rare, but real
        ("1", date(2016, 5, 17)),  # taught below their age
        ("13", date(2003, 1, 1)),  # a sixth form or special school into their twenties
        ("N", date(2024, 1, 1)),
        ("R", date(2022, 8, 31)),
    ],
)
def test_a_year_group_a_child_could_be_in_fits(year_group, born):
    assert year_group_misfit(year_group, born, AUTUMN_2026) == ""


def test_a_year_group_a_child_is_too_young_for_is_explained():
    assert year_group_misfit("11", date(2024, 1, 1), AUTUMN_2026) == (
        "Year 11 does not fit the date of birth 1 January 2024: a child born then is usually in "
        "Nursery, or not yet at school. Check the year group and the date of birth"
    )
    assert year_group_misfit("9", date(2016, 5, 17), AUTUMN_2026).startswith(
        "Year 9 does not fit the date of birth 17 May 2016: a child born then is usually in Year 6."
    )
    assert "usually in Reception" in year_group_misfit("3", date(2022, 1, 1), AUTUMN_2026)
