"""Validators for the identifiers schools and the DfE use.

UPN (unique pupil number), from the DfE's "Unique pupil numbers (UPNs)" guidance: 13 characters.
Character 1 is a check letter; characters 2-4 are the local authority's DfE number, 5-8 the
establishment number, 9-10 the year of allocation, 11-13 a serial number. A temporary UPN ends in
a capital letter instead of a digit. Letters are drawn from the 23 letters below (no I, O or S).
The check letter: multiply characters 2 to 13 by the weights 2 to 13 (a letter in position 13
counts as its place in the table), add them up, take the remainder after dividing by 23, and look
that up in the table.
"""

from django.core.exceptions import ValidationError

from safeguarding import clock

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(body):
    """The check letter for the 12 characters after it."""
    total = 0
    for weight, character in enumerate(body, start=2):
        value = int(character) if character.isdigit() else UPN_LETTERS.index(character)
        total += weight * value
    return UPN_LETTERS[total % 23]


def validate_upn(value):
    if len(value) != 13:
        raise ValidationError(
            "A UPN must be 13 characters long: a check letter then 12 characters "
            "(you entered %(length)d).",
            code="upn_length",
            params={"length": len(value)},
        )
    if value != value.upper():
        raise ValidationError(
            "A UPN must use capital letters, for example A821200100001.", code="upn_case"
        )
    first, middle, last = value[0], value[1:12], value[12]
    if first not in UPN_LETTERS:
        raise ValidationError(
            "A UPN must start with a check letter (any capital letter except I, O or S).",
            code="upn_first",
        )
    if not middle.isdigit():
        raise ValidationError("Characters 2 to 12 of a UPN must be digits.", code="upn_digits")
    if not (last.isdigit() or last in UPN_LETTERS):
        raise ValidationError(
            "The last character of a UPN must be a digit, or a capital letter other than "
            "I, O or S for a temporary UPN.",
            code="upn_last",
        )
    if upn_check_letter(value[1:]) != first:
        raise ValidationError(
            "The UPN's check letter does not match: check that every character is typed correctly.",
            code="upn_check_letter",
        )


def validate_urn(value):
    if not (len(value) == 6 and value.isdigit()):
        raise ValidationError(
            "A URN (unique reference number) must be exactly 6 digits, for example 109876.",
            code="urn_format",
        )


# How far ahead of the usual year group a pupil may be: a year is rare, two is rarer still.
YEARS_AHEAD_OF_GROUP = 2


def usual_year(born, today):
    """The year a child born on `born` is usually in on `today`, as a number (Reception 0,
    Nursery -1): in England a child starts Reception in the school year (1 September to 31
    August) in which they turn 5."""
    school_year = today.year if today.month >= 9 else today.year - 1
    born_in = born.year if born.month >= 9 else born.year - 1
    return school_year - born_in - 5


def year_group_misfit(year_group, born, today):
    """Why `year_group` ("N", "R" or "1" to "13") cannot be that of a pupil born on `born`,
    or "" if it can: a child too young for it. A typing slip (2024 for 2014) would otherwise
    put a wrong age on every record about them. Older is not refused: a child may be taught
    below their age, and some stay in a sixth form or special school into their twenties."""
    number = {"N": -1, "R": 0}.get(year_group)
    number = int(year_group) if number is None else number
    usual = usual_year(born, today)
    if number - usual <= YEARS_AHEAD_OF_GROUP:
        return ""
    if usual <= -1:
        expected = "Nursery, or not yet at school"
    elif usual == 0:
        expected = "Reception"
    else:
        expected = f"Year {usual}"
    label = {"N": "Nursery", "R": "Reception"}.get(year_group, f"Year {year_group}")
    return (
        f"{label} does not fit the date of birth {clock.written_date(born)}: a child born then is "
        f"usually in {expected}. Check the year group and the date of birth"
    )
