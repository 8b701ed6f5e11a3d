"""The British values log (step 5): curriculum activities and the values each promotes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from safeguarding.forms import apply_refusal
from safeguarding.kept import kept_for
from schools.models import SCHOOL_ROLES
from workflow.exceptions import Stale, TransitionRefused

from ..access import require_role
from ..forms import ValuesEvidenceForm, ValuesFilterForm
from ..selectors import get_values_evidence_for, values_evidence_for
from ..services import add_values_evidence, edit_values_evidence, may_edit_values_evidence

PER_PAGE = 25


def _sent_or_kept(request):
    """The form's data: what was sent, or on opening the page, what this person typed before
    their session ended (a description can be long); None for an empty form."""
    return request.POST if request.method == "POST" else kept_for(request)


@require_GET
def values_log(request):
    """Every activity in the school's log, newest first, with filters."""
    membership = require_role(request, SCHOOL_ROLES)
    form = ValuesFilterForm(request.GET, school=membership.school)
    entries = values_evidence_for(membership)
    entries = form.apply(entries) if form.is_valid() else entries.none()
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    filtered = form.is_bound and any(request.GET.get(name) for name in form.fields)
    return render(
        request,
        "reports/values_log.html",
        {"form": form, "page": page, "filtered": filtered, "school": membership.school},
    )


@require_http_methods(["GET", "POST"])
def values_add(request):
    """Add an activity to the log."""
    membership = require_role(request, SCHOOL_ROLES)
    form = ValuesEvidenceForm(_sent_or_kept(request), school=membership.school)
    if request.method == "POST" and form.is_valid():
        try:
            add_values_evidence(
                membership.school,
                by=request.user,
                submission_key=form.cleaned_data["submission_key"],
                **form.service_kwargs(),
            )
        except TransitionRefused as refused:
            apply_refusal(form, refused)
        else:
            messages.success(request, "The activity has been added to the British values log.")
            return redirect("reports:values")
    return render(request, "reports/values_form.html", {"form": form, "evidence": None})


@require_GET
def values_detail(request, pk):
    """One activity as it is now, and every earlier version of it."""
    membership = require_role(request, SCHOOL_ROLES)
    evidence = get_values_evidence_for(membership, pk)
    revisions = evidence.revisions.select_related("edited_by").order_by("-number")
    return render(
        request,
        "reports/values_detail.html",
        {
            "evidence": evidence,
            "revisions": revisions,
            "may_edit": may_edit_values_evidence({membership.role}, evidence, request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def values_edit(request, pk):
    """Change an activity; the version before the change is kept."""
    membership = require_role(request, SCHOOL_ROLES)
    evidence = get_values_evidence_for(membership, pk)
    if not may_edit_values_evidence({membership.role}, evidence, request.user):
        raise PermissionDenied(
            "Only the person who added this activity or a school lead can change it."
        )
    form = ValuesEvidenceForm(
        _sent_or_kept(request),
        initial=ValuesEvidenceForm.initial_from(evidence),
        school=membership.school,
    )
    latest = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = edit_values_evidence(
                evidence,
                by=request.user,
                expected_version=form.cleaned_data["expected_version"],
                **form.service_kwargs(),
            )
        except Stale as refused:
            # A colleague's change since the page was drawn: shown, with what was typed kept;
            # sent again, it is replaced on purpose.
            apply_refusal(form, refused)
            latest = get_values_evidence_for(membership, pk)
            form.data = form.data.copy()
            form.data["expected_version"] = latest.version
        except TransitionRefused as refused:
            apply_refusal(form, refused)
        else:
            if saved.version == form.cleaned_data["expected_version"]:
                messages.info(request, "You did not change anything, so nothing was saved.")
            else:
                messages.success(request, "Your changes have been saved.")
            return redirect("reports:values_detail", pk=saved.pk)
    return render(
        request,
        "reports/values_form.html",
        {"form": form, "evidence": evidence, "latest": latest},
    )
