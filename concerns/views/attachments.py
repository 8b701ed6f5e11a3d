"""Attaching files to a concern, and downloading them through a scoped, audited view."""

import shutil
import tempfile
import zipfile

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import viewed
from concerns.attachments import may_attach, open_attachment, saved_name, store_attachment
from concerns.forms.case import AttachmentForm
from concerns.selectors import (
    attachments_visible_to,
    get_attachment_for,
    get_concern_for,
    get_pupil_for,
)
from safeguarding.kept import kept_for
from safeguarding.templatetags.presenters import typed
from workflow.exceptions import TransitionRefused

from .access import LEADS, SCHOOL_PEOPLE, SCHOOL_READERS, SCHOOL_WRITERS, role_required

TELL_THEM_TOO = (
    "If the child may be at immediate risk of significant harm, speak to them now as well, in "
    "person or by phone."
)
# Kept in memory up to this size; a larger archive is written to an unnamed temporary file,
# deleted as soon as it is closed.
IN_MEMORY = 16 * 1024 * 1024


@require_http_methods(["GET", "POST"])
@role_required(SCHOOL_WRITERS)
def upload(request, pk):
    """Attach a file: the school's DSLs, or the person who recorded the concern."""
    concern = get_concern_for(request.membership, pk)
    if not may_attach(request.user, concern):
        raise PermissionDenied("Only the school's DSLs and the person who recorded it.")
    posted = request.method == "POST"
    if not posted:
        # Sent when it could not be saved (signed out, a stale page): the file is not kept,
        # and the page says to choose it again.
        kept_for(request)
    form = AttachmentForm(request.POST, request.FILES) if posted else AttachmentForm()
    if posted and form.is_valid():
        try:
            attachment = store_attachment(
                concern,
                by=request.user,
                upload=form.cleaned_data["file"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        except TransitionRefused as refused:  # the records destroyed at review meanwhile
            form.add_error("file", refused.message)
        else:
            said = format_html("{} has been attached", typed(attachment.original_name))
            if request.membership.role not in LEADS:
                # store_attachment told the DSLs: what staff add later may be urgent.
                said = format_html("{} and your DSL has been told. {}", said, TELL_THEM_TOO)
            messages.success(request, said)
            return redirect("concerns:detail", concern.pk)
    viewed(request, concern, school=concern.school)
    return render(request, "concerns/attachments/upload.html", {"concern": concern, "form": form})


@require_GET
@role_required(SCHOOL_PEOPLE)
def download(request, pk, attachment_pk):
    """The file itself, only to those who may see it, audited, never shown in the browser."""
    concern = get_concern_for(request.membership, pk)
    attachment = get_attachment_for(request.membership, concern, attachment_pk)
    viewed(request, attachment, school=concern.school, action="attachment.download")
    filename = saved_name(attachment, concern)
    return _download(open_attachment(attachment), filename, attachment.content_type)


def _download(file, filename, content_type):
    """The file, to save, never shown in the browser nor kept in a cache."""
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@role_required(SCHOOL_READERS)
def pupil_attachments(request, pk):
    """Every file attached to the concerns about a pupil, in one zip file to send with their
    printed child protection file: a folder for each concern, named by its reference, each
    file in it named as it downloads alone (the file lists each under that name). Each file
    in it is audited as a download of that attachment."""
    membership = request.membership
    pupil = get_pupil_for(membership, pk)
    attachments = list(
        attachments_visible_to(membership)
        .filter(concern__pupil=pupil)
        .select_related("concern")
        .order_by("concern__observed_at", "concern_id", "uploaded_at", "pk")
    )
    if not attachments:
        said = format_html("No files are attached to the concerns about {}", typed(pupil.full_name))
        messages.info(request, said)
        return redirect("concerns:pupil_file", pupil.pk)
    return _zip_of(request, pupil, attachments)


# Every file about a child at once is an export, as a report's download is: it asks for the
# second factor again (within 5 minutes), so a session left open on a shared PC cannot take
# them. Asked after the scope check, so another school's pupil is a 404 as ever.
@reauthentication_required
def _zip_of(request, pupil, attachments):
    membership = request.membership
    # The response closes it once sent.
    archive = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for attachment in attachments:
            concern = attachment.concern
            name = f"{concern.reference}/{saved_name(attachment, concern)}"
            with open_attachment(attachment) as source, zipped.open(name, "w") as target:
                shutil.copyfileobj(source, target)
    for attachment in attachments:
        viewed(request, attachment, school=membership.school, action="attachment.download")
    archive.seek(0)
    return _download(archive, f"attachments-{pupil.pk}.zip", "application/zip")
