"""The school's pupils: the DSL's roll (find, add, correct, import) and a pupil's chronology."""

import uuid
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import viewed
from concerns import importer
from concerns.casework import chronology, load_casework, steps
from concerns.forms.pupils import ConfirmImportForm, PupilForm, PupilImportForm, PupilSearchForm
from concerns.keyset import Key, paginate
from concerns.roll import FIELDS, add_pupil, update_pupil
from concerns.selectors import (
    concerns_visible_to,
    file_transfers_for,
    get_pupil_for,
    pupils_for,
    search_pupils,
    with_file_transfer,
    with_pupils_file_transfer,
)
from safeguarding.kept import kept_for
from safeguarding.searches import recall, searchable, show_results
from safeguarding.templatetags.presenters import typed
from workflow import retention

from .access import LEADS, SCHOOL_READERS, role_required

PUPIL_ORDER = [Key("family_key", str), Key("given_key", str), Key("id", int)]
CHRONOLOGY_ORDER = [Key("observed_at", datetime), Key("id", int)]
# Each concern is printed in full with its steps and history (about 5 KB); 25 keeps a page
# of the longest chronologies about 130 KB.
CHRONOLOGY_PAGE_SIZE = 25
IMPORT_KEY = "pupil_import"
ALREADY_IMPORTED = (
    "The roll already holds the pupils of this file as it gives them, so nothing more was imported."
)
OTHER_ROLE = (
    "Nothing was imported: you checked the file while working in another role, and you are now "
    "working as {membership}. To import it, change back to the role you checked it in. To "
    "import pupils here, upload this school's file."
)


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
@searchable
def pupils(request):
    """The school's roll, searchable: the search is sent by POST and shown at an address that
    holds a token for it, never its words."""
    if request.method == "POST":
        form = PupilSearchForm(request.POST)
        if form.is_valid():
            return show_results(request, form.cleaned_data["q"])
        text = ""
    else:
        text = recall(request).text
        form = PupilSearchForm(initial={"q": text})
    page = paginate(
        with_file_transfer(search_pupils(request.membership, text)),
        PUPIL_ORDER,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=50,
        by_id=True,  # the order is by name: the page links hold the pupil's id alone
    )
    school = request.membership.school
    viewed(request, school, school=school, action="pupil.list.view")
    return render(request, "concerns/pupils/list.html", {"form": form, "page": page})


def _save_pupil(request, pupil=None):
    roll = pupils_for(request.membership)
    data = request.POST if request.method == "POST" else kept_for(request)
    form = PupilForm(data, roll=roll, pupil=pupil)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in FIELDS}
        try:
            if pupil is None:
                pupil, added = add_pupil(
                    by=request.user, school=request.membership.school, **fields
                )
                if added:
                    said = format_html("{} has been added", typed(pupil.full_name))
                    messages.success(request, said)
                else:  # the same form sent twice, the first already saved
                    said = format_html("{} was already on the roll", typed(pupil.full_name))
                    messages.info(request, said)
            else:
                drawn = form.cleaned_data["drawn"] or None
                pupil = update_pupil(pupil, by=request.user, drawn=drawn, **fields)
                said = format_html("{}'s details have been saved", typed(pupil.full_name))
                messages.success(request, said)
        except ValidationError as error:
            if getattr(error, "code", None) == "stale":
                pupil = get_pupil_for(request.membership, pupil.pk)
                form.refresh_drawn(pupil)
            form.add_error(None, error)
        else:
            return redirect("concerns:pupils")
    # The page shows the pupil's details (and, after a refusal, checks them against theirs), and
    # names the pupil who already has the UPN typed.
    for shown in (pupil, form.upn_holder):
        if shown is not None:
            viewed(request, shown, school=request.membership.school)
    return render(request, "concerns/pupils/form.html", {"form": form, "pupil": pupil})


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def pupil_add(request):
    """Add a pupil to the roll."""
    return _save_pupil(request)


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def pupil_edit(request, pk):
    """Correct a pupil's details."""
    return _save_pupil(request, get_pupil_for(request.membership, pk))


def _concerns_about(membership, pupil):
    """The concerns about `pupil` (or the pupil with that id) the membership may read."""
    return (
        concerns_visible_to(membership)
        .filter(pupil=pupil)
        .select_related("recorded_by", "pupil")
        .with_categories()
    )


def _with_casework(concerns, *, attachments):
    """`concerns` with everything their sections show: the casework in a fixed number of
    queries, then each one's steps and history."""
    load_casework(concerns, attachments=attachments, every_kind=True)
    for concern in concerns:
        concern.steps = steps(concern)
        concern.entries = chronology(concern)
    return concerns


def _pupil_context(request, pupil, **context):
    return {
        "pupil": pupil,
        "transfer": getattr(pupil, "file_transfer", None),
        "is_lead": request.membership.role in LEADS,
        **context,
    }


@require_GET
@role_required(SCHOOL_READERS)
def pupil_chronology(request, pk):
    """Every concern about one pupil, oldest first, with its steps: printable."""
    membership = request.membership
    page = paginate(
        _file_of(membership, pk),
        CHRONOLOGY_ORDER,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=CHRONOLOGY_PAGE_SIZE,
    )
    pupil = _pupil_of(page.rows, membership, pk)
    _with_casework(page.rows, attachments=False)
    # Leavings the pupil came back from, latest first: where they were, and their file.
    earlier = file_transfers_for(membership).filter(pupil=pupil, returned_on__isnull=False)
    viewed(request, pupil, school=membership.school, action="pupil.chronology.view")
    context = _pupil_context(
        request,
        pupil,
        page=page,
        earlier=list(earlier.order_by("-left_on", "-pk")),
        # 25 or older, with concerns: their records are reviewed (workflow.retention).
        reviewable=bool(page.rows)
        and retention.review_due_on(pupil.date_of_birth) <= timezone.localdate(),
    )
    return render(request, "concerns/pupils/chronology.html", context)


def _file_of(membership, pk):
    """The concerns about the pupil with id `pk` on the membership's school's roll, each with
    the pupil and their leaving, as `get_pupil_for` gives them: read with the concerns, the
    pupil costs no query of their own."""
    return with_pupils_file_transfer(
        _concerns_about(membership, pk).filter(
            pupil__school_id=membership.school_id  # as get_pupil_for would scope it
        )
    )


def _pupil_of(concerns, membership, pk):
    """The pupil the `_file_of` rows are about; with no rows, read on their own, which answers
    404 (audited) for an id outside the school."""
    if not concerns:
        return get_pupil_for(membership, pk)
    pupil = concerns[0].pupil
    pupil.file_transfer = getattr(concerns[0], "transfer", None)  # unset when none
    return pupil


@require_GET
@role_required(SCHOOL_READERS)
def pupil_file(request, pk):
    """The pupil's whole child protection file on one page, to print or save as a PDF: every
    concern in full, oldest first, with its steps, its history and its attachments' names.
    It is what the DSL sends to a leaver's new school. The chronology shows the same concerns
    25 a page; a file is sent whole."""
    membership = request.membership
    concerns = list(_file_of(membership, pk).order_by("observed_at", "id"))
    pupil = _pupil_of(concerns, membership, pk)
    _with_casework(concerns, attachments=True)
    viewed(request, pupil, school=membership.school, action="pupil.file.view")
    context = _pupil_context(
        request,
        pupil,
        concerns=concerns,
        produced_at=timezone.now(),
        attachments=sum(len(concern.attachments.all()) for concern in concerns),
    )
    return render(request, "concerns/pupils/file.html", context)


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def pupil_import(request):
    """Upload a CSV of pupils; it is checked and shown before anything is saved."""
    posted = request.method == "POST"
    form = PupilImportForm(request.POST, request.FILES) if posted else PupilImportForm()
    if posted and form.is_valid():
        try:
            preview = importer.read(form.cleaned_data["file"], pupils_for(request.membership))
        except importer.ImportRefused as refused:
            form.add_error("file", refused.message)
        else:
            request.session[IMPORT_KEY] = {
                "token": uuid.uuid4().hex,
                "school": request.membership.school_id,
                "note": preview.encoding_note,
                "errors": preview.errors,
                "unchanged": [row.line for row in preview.unchanged],
                **preview.to_session(),
            }
            return redirect("concerns:pupil_import_preview")
    return render(request, "concerns/pupils/import.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def pupil_import_preview(request):
    """What the import will do; nothing is saved until the DSL confirms."""
    stored = request.session.get(IMPORT_KEY)
    if stored and stored["school"] != request.membership.school_id:
        if "rows" in stored:  # kept, for the role it was checked in
            messages.info(request, OTHER_ROLE.format(membership=request.membership))
            return redirect("concerns:pupil_import")
        stored = None
    if stored and "rows" not in stored:  # imported: only its token is kept
        if request.method == "POST" and request.POST.get("token") == stored["token"]:
            messages.info(request, ALREADY_IMPORTED)  # the same confirmation sent twice
            return redirect("concerns:pupils")
        stored = None
    if not stored:
        messages.info(request, "Upload the file to check it first")
        return redirect("concerns:pupil_import")
    data = request.POST if request.method == "POST" else None
    form = ConfirmImportForm(data, initial={"token": stored["token"]})
    if request.method == "POST":
        if not form.is_valid() or form.cleaned_data["token"] != stored["token"]:
            messages.info(request, "A newer file has been uploaded since: check it below")
            return redirect("concerns:pupil_import_preview")
        del request.session[IMPORT_KEY]
        try:
            added, updated = importer.import_rows(
                stored, school=request.membership.school, by=request.user
            )
        except importer.AlreadyImported:
            messages.info(request, ALREADY_IMPORTED)
            return redirect("concerns:pupils")
        except importer.ImportConflict:
            messages.info(
                request,
                "The roll changed while you were checking the file, so nothing was imported. "
                "Upload the file again to check it against the roll as it is now.",
            )
            return redirect("concerns:pupil_import")
        # Used up: a second press of the button is told it was imported, not to upload again.
        request.session[IMPORT_KEY] = {"token": stored["token"], "school": stored["school"]}
        messages.success(request, f"{added} pupil{pluralize(added)} added and {updated} updated")
        return redirect("concerns:pupils")
    rows = [importer.Row(**row) for row in stored["rows"]]
    # The check shows what the roll holds now of each pupil the file would change.
    school = request.membership.school
    viewed(request, school, school=school, action="pupil.import.view")
    return render(
        request,
        "concerns/pupils/import_preview.html",
        {
            "form": form,
            "stored": stored,
            "new": [row for row in rows if row.pupil_id is None],
            "updates": [row for row in rows if row.pupil_id is not None],
            "total": len(rows),
        },
    )
