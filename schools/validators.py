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
