"""Changes to a school's roll of pupils made by its DSLs, each audited."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.log import record as audit
from schools.models import Pupil

FIELDS = ["given_name", "family_name", "date_of_birth", "year_group", "upn"]
UPN_TAKEN = "A pupil with this UPN is already on the roll"


def add_pupil(*, by, school, **fields):
    """Add a pupil to `school`'s roll. Raises ValidationError if the UPN is already on it."""
    try:
        with transaction.atomic():
            pupil = Pupil.objects.create(school=school, **fields)
            audit("pupil.create", actor=by, obj=pupil, school=school)
    except IntegrityError:
        raise ValidationError({"upn": UPN_TAKEN}) from None
    return pupil


def update_pupil(pupil, *, by, **fields):
    """Correct a pupil's details. Raises ValidationError if the new UPN is already on the roll."""
    changed = sorted(name for name, value in fields.items() if getattr(pupil, name) != value)
    if not changed:
        return pupil
    for name in changed:
        setattr(pupil, name, fields[name])
    try:
        with transaction.atomic():
            pupil.save(update_fields=changed)
            audit("pupil.update", actor=by, obj=pupil, school=pupil.school, fields=changed)
    except IntegrityError:
        raise ValidationError({"upn": UPN_TAKEN}) from None
    return pupil
