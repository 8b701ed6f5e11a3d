"""The review of pupils' child protection records at their 25th birthday: those due, those
done, and each review recorded by the school's leads (workflow.retention)."""

from datetime import date, datetime

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import viewed
from audit.scope import OutOfScope
from concerns.forms.retention import ReviewForm
from concerns.keyset import Key, paginate
from concerns.models import ReviewDecision
from concerns.selectors import get_pupil_for, records_reviews_for
from safeguarding.templatetags.presenters import typed, uk_date
from schools.selectors import pupils_for
from workflow import retention

from .access import LEADS, SCHOOL_READERS, role_required
from .steps import pupil_step

DUE_ORDER = [Key("due_since", date), Key("id", int)]
DONE_ORDER = [Key("decided_at", datetime, descending=True), Key("id", int, descending=True)]


def _due(request):
    """The school's pupils whose records are due for review (workflow.retention's rule, over
    the roll the membership may see)."""
    return retention.due_for_review(pupils_for(request.membership))


@require_GET
@role_required(SCHOOL_READERS)
def records_reviews(request):
    """Pupils whose records are due for review, longest due first; or, with `?done=yes`, the
    reviews done, latest first: the school's log of records kept and destroyed. The head
    teacher reads both; the school's leads review from the first, and review kept records
    again from the second."""
    done = request.GET.get("done") == "yes"
    if done:
        rows = records_reviews_for(request.membership).select_related("pupil", "decided_by")
    else:
        rows = retention.due_since(_due(request)).annotate(held=Count("concerns"))
    page = paginate(
        rows,
        DONE_ORDER if done else DUE_ORDER,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=50,
        by_id=True,
    )
    school = request.membership.school
    viewed(request, school, school=school, action="pupil.reviews.view")
    context = {"page": page, "is_lead": request.membership.role in LEADS, "done": done}
    return render(request, "concerns/retention/list.html", context)


def _not_reviewable(request, pupil):
    """Back to the list, saying why, when the pupil's records cannot be reviewed yet;
    otherwise None."""
    if retention.reviewable(pupils_for(request.membership)).filter(pk=pupil.pk).exists():
        return None
    due = retention.review_due_on(pupil.date_of_birth)
    if due > timezone.localdate():
        why = format_html("are kept until {} is 25, on {}", typed(pupil.given_name), uk_date(due))
    else:
        why = "are not held: no concerns are recorded"
    messages.info(request, format_html("The records about {} {}.", typed(pupil.full_name), why))
    return redirect("concerns:records_reviews")


def _destroyed(request, pk):
    """Back to the school's log, saying so, when the records with file reference `pk` were
    destroyed (by a colleague while the page was open, or by this form's first submission);
    otherwise None. The log is the school's own: not a refused look at someone's records."""
    destroyed = (
        records_reviews_for(request.membership)
        .filter(file_reference=pk, decision=ReviewDecision.DESTROY)
        .select_related("decided_by")
        .first()
    )
    if destroyed is None:
        return None
    said = format_html(
        "The records with file reference {} were destroyed on {} by {}.",
        pk,
        uk_date(destroyed.decided_at),
        typed(destroyed.decided_by.full_name),
    )
    if request.method == "POST":
        said = format_html("{} Nothing was saved.", said)
    messages.info(request, said)
    return redirect(reverse("concerns:records_reviews") + "?done=yes")


def _facts(pupil):
    """What the review page shows: the 25th birthday, the concerns held, and the latest
    review, which keeps the records until a day (still to come, or passed)."""
    latest = retention.latest_review(pupil).select_related("decided_by").first()
    return {
        "due_on": retention.review_due_on(pupil.date_of_birth),
        "held": pupil.concerns.count(),
        "longest": retention.LONGEST_KEEP_YEARS,
        "latest": latest,
        "kept": latest is not None and latest.review_again_on > timezone.localdate(),
    }


def _reviewed(pupil, review):
    if review.decision == ReviewDecision.KEEP:
        return format_html(
            "The records about {} are kept. Review them again on {}",
            typed(pupil.full_name),
            uk_date(review.review_again_on),
        )
    held = "1 concern" if review.concerns == 1 else f"{review.concerns} concerns"
    # Not the child's name: a message waits in the session until it is shown.
    return (
        f"The records with file reference {review.file_reference} ({held}) were destroyed. "
        "The log of records reviewed keeps only that reference"
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def records_review(request, pk):
    """Review a pupil's records at their 25th birthday: keep them for longer, or destroy them."""
    try:
        pupil = get_pupil_for(request.membership, pk)
    except OutOfScope:
        if back := _destroyed(request, pk):
            return back
        raise
    if back := _not_reviewable(request, pupil):
        return back
    context = _facts(pupil)

    def stale(form):
        # A colleague reviewed the records meanwhile: the page shows their review.
        context.update(_facts(pupil))
        form.refresh_since(context["latest"])

    return pupil_step(
        request,
        pupil,
        form_class=ReviewForm,
        perform=lambda data: retention.review_records(
            pupil, by=request.user, **ReviewForm.chosen(data)
        ),
        template="concerns/retention/step.html",
        context=context,
        read_as="pupil.review.view",
        done="concerns:records_reviews",
        success=lambda review: _reviewed(pupil, review),
        initial={"since": context["latest"].pk if context["latest"] else None},
        stale=stale,
    )
