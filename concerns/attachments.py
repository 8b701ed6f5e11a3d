"""Files kept with a concern: checked by their content, stored privately, audited.

A file's name says nothing reliable about what it is, so the first bytes decide; a name whose
extension disagrees with the content is refused too, because it is either a mistake or a
disguise. The file is stored under a random name, so nothing a user typed reaches the disk.
"""

import logging
import os
import unicodedata
import uuid
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from audit.log import record as audit
from safeguarding.uploads import written_size
from schools.models import DSL_ROLES, Role
from schools.selectors import active_memberships
from workflow import notify
from workflow.core import lock_concern

from .models import Attachment, FileToDelete

logger = logging.getLogger(__name__)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# What the content is -> (content type, the name endings that may go with it, what to call it).
ALLOWED = {
    "pdf": ("application/pdf", {"pdf"}, "a PDF"),
    "jpg": ("image/jpeg", {"jpg", "jpeg"}, "a JPEG image"),
    "png": ("image/png", {"png"}, "a PNG image"),
    "docx": (DOCX_MIME, {"docx"}, "a Word document (DOCX)"),
}
WRONG_TYPE = "The selected file must be a PDF, JPEG, PNG or Word document (DOCX)"
SNIFF_BYTES = 8192


def size_limit():
    """The largest attachment, as messages state it ('10MB')."""
    return written_size(settings.ATTACHMENT_MAX_BYTES)


def _is_docx(upload):
    """A DOCX is a zip holding a content-types part and a word/ folder; other zips are not."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(name.startswith("word/") for name in names)


def _kind(upload):
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    guess = filetype.guess(head)
    if guess is None:
        return None
    if guess.extension in {"docx", "zip"}:
        return "docx" if _is_docx(upload) else None
    return guess.extension if guess.extension in ALLOWED else None


def clean_name(name):
    """The file's own name, for showing and for the download, without any path or controls."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 254 - len(extension)] + dot + extension) if dot else name[:255]
    return name or "attachment"


def saved_name(attachment, concern):
    """What an attachment of `concern` is saved as, downloaded alone or in the pupil's zip
    file: the concern's reference and the attachment's number, never the name it was uploaded
    with, which may name the child (or another child) and would stay in a shared PC's download
    history or an email's list of files. The check on upload means the uploaded name ends in
    the file's own type."""
    ending = attachment.original_name.rpartition(".")[2].lower()
    return f"{concern.reference}-attachment-{attachment.pk}.{ending}"


def check_file(upload):
    """The content type of an acceptable upload; ValidationError saying what is wrong if not."""
    if upload.size == 0:
        raise ValidationError("The selected file is empty", code="empty")
    if upload.size >= settings.ATTACHMENT_MAX_BYTES:  # "smaller than", as the message says
        raise ValidationError(
            f"The selected file must be smaller than {size_limit()}", code="too_large"
        )
    kind = _kind(upload)
    if kind is None:
        raise ValidationError(WRONG_TYPE, code="wrong_type")
    content_type, endings, described = ALLOWED[kind]
    _, dot, ending = clean_name(upload.name).rpartition(".")
    if not dot or ending.lower() not in endings:
        shown = f"ends in .{ending}" if dot else "has no file type ending"
        raise ValidationError(
            f"The selected file's name {shown} but the file is {described}: check you chose "
            "the right file, or rename it",
            code="name_mismatch",
        )
    return content_type


def may_attach(user, concern):
    """The school's DSLs, and the person who recorded the concern, may attach files to it."""
    roles = {m.role for m in active_memberships(user).filter(school_id=concern.school_id)}
    if roles & DSL_ROLES:
        return True
    recorders = {Role.STAFF, *DSL_ROLES}
    return concern.recorded_by_id == user.pk and bool(roles & recorders)


def store_attachment(concern, *, by, upload, submission_key=None):
    """Check and keep an uploaded file with `concern`, and audit it.

    Who: the school's DSLs and deputies, and the person who recorded the concern. Raises
    PermissionDenied for anyone else, ValidationError for a file of the wrong type or size, and
    TransitionRefused if the records were destroyed at review meanwhile; in each case nothing
    is stored. With a `submission_key`, the same form sent again (a second click) returns the
    attachment the first one stored instead of storing it twice. One attached by anyone but a
    DSL is notified to the school's DSLs, as their addendum is.
    """
    if not may_attach(by, concern):
        raise PermissionDenied("Only the school's DSLs and the person who recorded this concern")
    earlier = _stored_by(concern, by, submission_key)
    if earlier is not None:
        return earlier
    content_type = check_file(upload)
    stored_name = default_storage.save(f"attachments/{uuid.uuid4().hex}", upload)
    try:
        with transaction.atomic():
            # As every step on a concern does: a destruction of the pupil's records at review
            # holding the row is waited for, and then told, not met with a server error.
            lock_concern(concern)
            attachment = Attachment.objects.create(
                concern=concern,
                uploaded_by=by,
                original_name=clean_name(upload.name),
                stored_name=stored_name,
                content_type=content_type,
                size=upload.size,
                submission_key=submission_key,
            )
            audit(
                "attachment.upload",
                actor=by,
                obj=attachment,
                school=concern.school,
                concern=concern.pk,
                content_type=content_type,
                size=upload.size,
            )
            if not _by_a_lead(by, concern):
                _tell_leads(concern)
    except BaseException as error:
        # The row did not land, so neither may the file.
        default_storage.delete(stored_name)
        # The same form, sent twice at once: the other request stored it.
        earlier = (
            _stored_by(concern, by, submission_key) if isinstance(error, IntegrityError) else None
        )
        if earlier is not None:
            return earlier
        raise
    return attachment


def _by_a_lead(user, concern):
    """Whether `user` is one of the DSLs of the concern's school."""
    memberships = active_memberships(user).filter(school_id=concern.school_id)
    return memberships.filter(role__in=DSL_ROLES).exists()


def _tell_leads(concern):
    """Staff attach what they come by later (a photo of a note the child wrote, a letter) to
    the concern they recorded, even once it is closed: the DSLs must see it, as they would
    their addendum. Neither the child nor the file is named: its name may name the child."""
    notify.queue(
        "attachment_added",
        notify.school_leads(concern.school),
        subject=f"File attached to safeguarding concern {concern.reference}",
        body=(
            f"The member of staff who recorded safeguarding concern {concern.reference} at "
            f"{concern.school.name} has attached a file to it. It needs a DSL to look at it."
            f"\n\nSign in to see it: {notify.link('concerns:detail', concern.pk)}"
        ),
        concern=concern,
    )


def _stored_by(concern, by, submission_key):
    if submission_key is None:
        return None
    return concern.attachments.filter(submission_key=submission_key, uploaded_by=by).first()


def open_attachment(attachment):
    return default_storage.open(attachment.stored_name, "rb")


def delete_files(names):
    """Delete the files of destroyed attachments (`names`, their stored names), and each one's
    FileToDelete row once it is gone. Returns how many were deleted. One that cannot be deleted
    now is logged by its random stored name (nothing about the child) and keeps its row, for
    `delete_destroyed_files` to try again; the rest are still deleted."""
    deleted = 0
    for name in names:
        try:
            default_storage.delete(name)  # a file already gone is not an error
        except OSError:
            logger.exception("Attachment file %s of destroyed records was not deleted", name)
        else:
            FileToDelete.objects.filter(stored_name=name).delete()
            deleted += 1
    return deleted
