"""Attaching files to a concern, and downloading them through a scoped, audited view."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import viewed
from concerns.attachments import may_attach, open_attachment, store_attachment
from concerns.forms.case import AttachmentForm
from concerns.selectors import get_attachment_for, get_concern_for

from .access import SCHOOL_PEOPLE, SCHOOL_WRITERS, role_required


@require_http_methods(["GET", "POST"])
@role_required(SCHOOL_WRITERS)
def upload(request, pk):
    """Attach a file: the school's DSLs, or the person who recorded the concern."""
    concern = get_concern_for(request.membership, pk)
    if not may_attach(request.user, concern):
        raise PermissionDenied("Only the school's DSLs and the person who recorded it.")
    posted = request.method == "POST"
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
        else:
            messages.success(request, f"{attachment.original_name} has been attached")
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
    response = FileResponse(
        open_attachment(attachment),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
