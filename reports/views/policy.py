"""The school's safeguarding policy: its published address (step 1) and the head teacher's
confirmation that it covers Prevent, with no separate Prevent policy (step 4)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from safeguarding.forms import apply_refusal
from safeguarding.kept import kept_for
from schools.models import Role
from workflow.exceptions import TransitionRefused

from ..access import require_role
from ..forms import PolicyConfirmForm, PolicyUrlForm
from ..selectors import POLICY_READERS, confirmations_for, policy_reminder
from ..services import POLICY_EDITORS, PREVENT_STATEMENT, confirm_prevent_policy, set_policy_url


@require_GET
def policy(request):
    """The policy's address and every Prevent confirmation, newest first."""
    membership = require_role(request, POLICY_READERS)
    school = membership.school
    confirmations = list(confirmations_for(school))
    return render(
        request,
        "reports/policy.html",
        {
            "school": school,
            "latest": confirmations[0] if confirmations else None,
            "confirmations": confirmations,
            "is_head": membership.role == Role.HEAD_TEACHER,
            "reminder": policy_reminder(membership),
        },
    )


@require_http_methods(["GET", "POST"])
def policy_url(request):
    """Change the address of the published safeguarding policy."""
    membership = require_role(request, POLICY_EDITORS)
    school = membership.school
    form = PolicyUrlForm(
        request.POST if request.method == "POST" else kept_for(request),
        initial={
            "url": school.safeguarding_policy_url,
            "expected_url": school.safeguarding_policy_url,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            set_policy_url(
                school,
                by=request.user,
                url=form.cleaned_data["url"],
                expected_url=form.cleaned_data["expected_url"],
            )
        except TransitionRefused as refused:
            apply_refusal(form, refused)
            # Sending it again, having seen the newer address, is a decision to replace it.
            school.refresh_from_db(fields=["safeguarding_policy_url"])
            form.data = form.data.copy()
            form.data["expected_url"] = school.safeguarding_policy_url
        else:
            messages.success(request, "The address of the safeguarding policy has been saved.")
            return redirect("reports:policy")
    return render(request, "reports/policy_url.html", {"form": form, "school": school})


@require_http_methods(["GET", "POST"])
def policy_confirm(request):
    """The head teacher confirms the published policy covers Prevent."""
    membership = require_role(request, {Role.HEAD_TEACHER})
    school = membership.school
    form = PolicyConfirmForm(
        request.POST if request.method == "POST" else None,
        initial={"expected_url": school.safeguarding_policy_url},
    )
    if request.method == "POST" and form.is_valid():
        try:
            confirm_prevent_policy(
                school,
                by=request.user,
                expected_url=form.cleaned_data["expected_url"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except TransitionRefused as refused:
            apply_refusal(form, refused)
            form.data = form.data.copy()
            form.data["expected_url"] = school.safeguarding_policy_url
        else:
            messages.success(request, "Thank you: your confirmation has been recorded.")
            return redirect("reports:policy")
    return render(
        request,
        "reports/policy_confirm.html",
        {"form": form, "school": school, "statement": PREVENT_STATEMENT},
    )
