"""Changes to a school's roll of pupils made by its DSLs, each audited."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.log import record as audit
from schools.models import Pupil
from workflow.core import DESTROYED

FIELDS = ["given_name", "family_name", "date_of_birth", "year_group", "upn"]
UPN_TAKEN = "A pupil with this UPN is already on the roll"
STALE = (
    "Someone has changed this pupil's details since you opened the page. Nothing was saved: "
    "the page now shows what you typed, checked against their details as they are now."
)


def details_version(pupil):
    """A fingerprint of the pupil's details as a page shows them: a form or an import preview
    drawn from other details is stale, and would undo someone else's correction."""
    values = json.dumps([str(getattr(pupil, name)) for name in FIELDS])
    return hashlib.sha256(values.encode()).hexdigest()[:20]


def add_pupil(*, by, school, **fields):
    """Add a pupil to `school`'s roll; returns (pupil, whether it was added). Raises
    ValidationError if the UPN is already on it, unless the pupil with it has exactly these
    details (the same form sent twice): that pupil is returned, and nothing is written."""
    try:
        with transaction.atomic():
            pupil = Pupil.objects.create(school=school, **fields)
            audit("pupil.create", actor=by, obj=pupil, school=school)
    except IntegrityError:
        same = Pupil.objects.filter(school=school, **fields).first()
        if same is None:
            raise ValidationError({"upn": UPN_TAKEN}) from None
        return same, False
    return pupil, True


def update_pupil(pupil, *, by, drawn=None, **fields):
    """Correct a pupil's details. Raises ValidationError if the new UPN is already on the roll,
    or if `drawn` (the details_version the form was drawn from) is no longer theirs and the
    details given are not already theirs, or if their records were destroyed at review
    meanwhile. Nothing changed: nothing is written, audit included."""
    try:
        with transaction.atomic():
            try:
                pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
            except Pupil.DoesNotExist:  # their records destroyed at review meanwhile
                raise ValidationError(DESTROYED) from None
            changed = sorted(
                name for name, value in fields.items() if getattr(pupil, name) != value
            )
            # Stale, unless the details are already as given (the same form sent twice).
            if changed and drawn is not None and drawn != details_version(pupil):
                raise ValidationError(STALE, code="stale")
            if not changed:
                return pupil
            for name in changed:
                setattr(pupil, name, fields[name])
            pupil.save(update_fields=changed)
            audit("pupil.update", actor=by, obj=pupil, school=pupil.school, fields=changed)
    except IntegrityError:
        raise ValidationError({"upn": UPN_TAKEN}) from None
    return pupil
