"""Staff record a concern (step 1): start, find the pupil, the questions, check, confirmation,
and the list of concerns they recorded.

Every page saves to a server-side draft (concerns.recording). The question pages also accept a
POST from a visitor whose session has expired: what they typed is kept in the new session and
put back on the page once they have signed in again.
"""

import uuid
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.forms import MultiWidget, Textarea
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import denied, viewed
from audit.log import record as audit
from audit.scope import OutOfScope
from safeguarding.forms import typed_text
from safeguarding.kept import keep_for_page, kept_for
from safeguarding.searches import recall, searchable, show_results
from schools.selectors import pupils_for
from workflow.concerns import record_concern
from workflow.exceptions import TransitionRefused

from .. import recording
from ..forms.record import LONG_TEXT, PupilChoiceForm, PupilSearchForm
from ..models import Concern, ConcernDraft
from ..recording import (
    PAGE_BY_SLUG,
    SEARCH_LIMIT,
    Journey,
    choose_pupil,
    discard_draft,
    draft_or_concern,
    drafts_for,
    find_pupils,
    may_record,
    page_url,
    recorded_from,
    school_leads,
    start_draft,
)
from ..selectors import concerns_visible_to
from .access import LEADS

KEPT = "record_concern_kept"  # session key: answers posted after the session expired
MINE_PAGE_SIZE = 25


def recorders_only(view):
    """Staff, DSLs and deputies of a school may record; anyone else gets a 403 page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_record(request.membership):
            denied(request)  # as every other 403 is
            return render(request, "concerns/record/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _written(page, posted):
    """What was written in a page's text boxes, each under its question, or ''."""
    parts = []
    for name, field in page.form_class.base_fields.items():
        text = posted.get(name, "").strip() if _boxed(page, name) else ""
        if text:
            parts.append(f"{field.label or page.form_class.title}\n{text}")
    return "\n\n".join(parts)


def _is_lead(request):
    """A safeguarding lead is the person a teacher is sent to: they act on a concern themselves,
    so the pages speak to them of the concerns inbox, not of their DSL."""
    return request.membership.role in LEADS


def _already_sent(request, concern):
    messages.info(
        request,
        "This concern has already been sent: it is in the concerns inbox."
        if _is_lead(request)
        else "This concern has already been sent to your DSL.",
    )
    return redirect("concerns:record_done", key=concern.submission_key)


@require_GET
@recorders_only
def start(request):
    """The start page: what to have ready, and the school's own safeguarding policy."""
    membership = request.membership
    return render(
        request,
        "concerns/record/start.html",
        {
            "school": membership.school,
            "leads": school_leads(membership.school),
            "drafts": drafts_for(membership).select_related("pupil"),
            "is_lead": _is_lead(request),
        },
    )


@recorders_only
@require_http_methods(["GET", "POST"])
@searchable
def pupil(request, pk=None):
    """Find the pupil by name or UPN in the user's own school, and choose them. The search is
    sent by POST and shown at an address that holds a token for it, never its words."""
    membership = request.membership
    draft = draft_or_concern(membership, pk) if pk else None
    if isinstance(draft, Concern):
        return _already_sent(request, draft)
    searching = request.method == "POST" and "q" in request.POST
    searched = recall(request)
    search = PupilSearchForm(request.POST if searching else None, initial={"q": searched.text})
    if searching and search.is_valid():
        return show_results(request, search.cleaned_data["q"])
    query = "" if searching else searched.text
    found = find_pupils(membership, query)
    if not query and draft is not None:
        found = list(pupils_for(membership).filter(pk=draft.pupil_id))  # the current choice
    choosing = request.method == "POST" and not searching
    form = PupilChoiceForm(
        request.POST if choosing else None,
        pupils=found[:SEARCH_LIMIT],
        initial={"pupil": str(draft.pupil_id) if draft and draft.pupil_id else None},
    )
    if choosing and form.is_valid():
        try:
            if draft is None:
                draft = start_draft(membership, form.chosen)
                return redirect(page_url(draft.pk, PAGE_BY_SLUG["when"]))
            choose_pupil(draft, form.chosen)
            return redirect(Journey(draft).resume_url())
        except TransitionRefused as refused:  # the pupil's records destroyed meanwhile
            form.add_error("pupil", refused.message)
        except ConcernDraft.DoesNotExist:  # sent or deleted in another tab since it was read
            sent = recorded_from(membership, draft.pk)
            return _already_sent(request, sent) if sent else _gone(request, None, {})
    if query:
        # Who searched the roll, and how many children it showed; never the words searched.
        audit(
            "pupil.search",
            actor=request.user,
            school=membership.school,
            object_type="pupil",
            results=min(len(found), SEARCH_LIMIT),
        )
    return render(
        request,
        "concerns/record/pupil.html",
        {
            "draft": draft,
            "search": search,
            "searched": searched,
            "query": query,
            "form": form,
            "found": found,
            "too_many": len(found) > SEARCH_LIMIT,
            "is_lead": _is_lead(request),
        },
    )


@require_GET
@recorders_only
def resume(request, pk):
    """Carry on with an unfinished concern where it needs an answer."""
    found = draft_or_concern(request.membership, pk)
    if isinstance(found, Concern):
        return _already_sent(request, found)
    return redirect(Journey(found).resume_url())


@login_not_required
@require_http_methods(["GET", "POST"])
def question(request, pk, slug):
    """One question page. Reachable without a session, so an expired one loses nothing."""
    page = PAGE_BY_SLUG.get(slug)
    if not request.user.is_authenticated:
        if request.method == "POST" and page is not None:
            # Only this page's inputs, each no longer than a valid answer could be, so a
            # signed-out visitor cannot park more than one page's worth in a session. Counted
            # as the form counts it (`typed_text`: a line break as one character, where a
            # browser sends two), so a valid answer is kept to its last word.
            request.session[KEPT] = {
                "path": request.path,
                "answers": {
                    name: [
                        typed_text(value)[: LONG_TEXT + 1]
                        for value in request.POST.getlist(name)[:50]
                    ]
                    for name in page.form_class.input_names()
                },
            }
        return redirect_to_login(request.get_full_path())
    if page is None:
        raise Http404("No such question.")
    return _question(request, pk, page)


@recorders_only
def _question(request, pk, page):
    kept = request.session.get(KEPT)
    if kept and kept.get("path") == request.path:
        # Taken before the draft is looked up: if it is not this user's, it is discarded.
        del request.session[KEPT]
    else:
        kept = None
    try:
        found = draft_or_concern(request.membership, pk)
    except OutOfScope as refused:
        if request.method != "POST":
            raise
        # Deleted in another tab, or expired, before Continue was pressed: a 404 as ever (the
        # same for a draft that is someone else's), but what was typed is not thrown away.
        denied(request, object_type=refused.object_type, object_id=refused.object_id)
        return _gone(request, page, request.POST)
    if isinstance(found, Concern):
        return _sent(request, page, request.POST, found)
    journey = Journey(found)
    changing = "change" in request.GET
    typed = None
    if request.method == "POST":
        typed = request.POST
    elif kept is not None:
        typed = MultiValueDict(kept["answers"])
        messages.info(
            request,
            "You were signed out, so we kept what you typed on this page. Check it, then continue.",
        )
    else:
        typed = kept_for(request)  # a form refused for a stale CSRF token, or None
    if typed is None:
        form = journey.form(page)
    else:
        try:
            form = journey.save(page, typed)
        except ConcernDraft.DoesNotExist:
            # Sent or deleted in another tab, or purged, since it was read a moment ago.
            sent = recorded_from(request.membership, pk)
            return _sent(request, page, typed, sent) if sent else _gone(request, page, typed)
    if request.method == "POST":
        if request.POST.get("action") == "later":
            messages.success(
                request,
                "Your unfinished concern is saved. Carry on with it from your start page "
                f"within {recording.DRAFT_LIFETIME.days} days.",
            )
            return redirect("home")
        if form.is_valid():
            return redirect(journey.url_after(page, changing=changing))
    return render(
        request,
        "concerns/record/question.html",
        {
            "form": form,
            "draft": journey.draft,
            "back_url": journey.url_before(page, changing=changing),
        },
    )


def _sent(request, page, posted, concern):
    """The page's draft has become `concern`: what was typed on the page is offered as an
    addendum (typed after the concern was sent, from the back button or a second tab)."""
    if request.method == "POST" and (
        typed := _written(page, posted) or _changed(page, posted, concern)
    ):
        keep_for_page(
            request,
            reverse("concerns:addendum", args=[concern.pk]),
            {"text": [typed], "submission_key": [str(uuid.uuid4())]},
            said="This concern had already been sent, so what you typed was not added to "
            "it. It is below as an addendum: check it, then add it.",
        )
        return redirect("concerns:addendum", concern.pk)
    return _already_sent(request, concern)


def _changed(page, posted, concern):
    """A page's answer chosen or typed outside a text box (a yes to immediate risk, a place, a
    category, a date), each under its question, if it is not what the concern says; else ''.
    The same answer again, from the back button, has nothing to add."""
    form = page.form_class(posted, pupil=concern.pupil)
    if not form.is_valid():
        return ""
    recorded = {
        name: sorted(concern.category_values) if name == "categories" else getattr(concern, name)
        for name in form.record_fields()
    }
    given = form.record_kwargs()
    if "categories" in given:
        given["categories"] = sorted(set(given["categories"]))
    if all(given[name] == recorded[name] for name in given if not _boxed(page, name)):
        return ""
    rows = _typed_on(page, posted)
    if len(page.form_class.base_fields) > 1:
        return "\n\n".join([page.form_class.title, *(f"{q}\n{a}" for q, a in rows)])
    return "\n\n".join(f"{q}\n{a}" for q, a in rows)


def _boxed(page, name):
    """Whether `name` is answered in a text box, which `_written` offers as it is."""
    field = page.form_class.base_fields.get(name)
    return field is not None and isinstance(field.widget, Textarea)


def _gone(request, page, posted):
    """The page's draft no longer exists: what was typed on it (if `page`) is shown back."""
    return render(
        request,
        "concerns/record/gone.html",
        {
            "typed": _typed_on(page, posted) if page else [],
            "days": recording.DRAFT_LIFETIME.days,
        },
        status=404,
    )


def _typed_on(page, posted):
    """(question, answer) for each answer typed or chosen on a page, as its writer gave it."""
    rows = []
    for name, field in page.form_class.base_fields.items():
        if isinstance(field.widget, MultiWidget):  # a date's boxes: "3 March 2026"
            names = [f"{name}{suffix}" for suffix in field.widget.widgets_names]
            answer = " ".join(value for n in names if (value := posted.get(n, "").strip()))
        elif choices := dict(getattr(field, "choices", [])):
            answer = "\n".join(str(choices[v]) for v in posted.getlist(name) if v in choices)
        else:
            answer = posted.get(name, "").strip()
        if answer:
            rows.append((field.label or page.form_class.title, answer))
    return rows


@recorders_only
@require_http_methods(["GET", "POST"])
def check(request, pk):
    """Check your answers, then send: one concern however often the button is pressed."""
    membership = request.membership
    found = draft_or_concern(membership, pk)
    if isinstance(found, Concern):
        return redirect("concerns:record_done", key=found.submission_key)
    journey = Journey(found)
    review = journey.review(membership)
    if request.method == "POST" and not review.problems:
        try:
            record_concern(
                by=request.user, pupil=review.pupil, submission_key=found.pk, **review.kwargs
            )
        except TransitionRefused as refused:
            review.refused(refused)
        else:
            discard_draft(found)
            return redirect("concerns:record_done", key=found.pk)
    return render(
        request,
        "concerns/record/check.html",
        {
            "draft": found,
            "review": review,
            "sent": request.method == "POST",
            "has_hints": any(row.hints for row in review.rows),
            "back_url": page_url(found.pk, journey.pages()[-1]),
            "is_lead": _is_lead(request),
        },
    )


@recorders_only
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    """Delete an unfinished concern the user no longer needs."""
    found = draft_or_concern(request.membership, pk)
    if isinstance(found, Concern):
        return _already_sent(request, found)
    if request.method == "POST":
        discard_draft(found)
        messages.success(request, "The unfinished concern has been deleted.")
        return redirect("home")
    return render(
        request,
        "concerns/record/delete.html",
        {"draft": found, "back_url": Journey(found).resume_url()},
    )


@require_GET
@recorders_only
def done(request, key):
    """The confirmation: the reference, and what happens next."""
    concern = recorded_from(request.membership, key)
    if concern is None:
        raise OutOfScope("concern", key)
    viewed(request, concern, school=concern.school, action="concern.confirmation.view")
    is_lead = _is_lead(request)
    return render(
        request,
        "concerns/record/done.html",
        {
            "concern": concern,
            "leads": school_leads(concern.school) if concern.immediate_risk and not is_lead else [],
            "is_lead": is_lead,
        },
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _cursor(concern):
    micros = (concern.recorded_at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{concern.pk}"


def _after_cursor(cursor):
    """Rows older than the cursor in (recorded_at, id) order; None for no or a bad cursor."""
    try:
        micros, pk = (int(part) for part in (cursor or "").split("."))
        moment = _EPOCH + timedelta(microseconds=micros)
    except (ValueError, OverflowError):
        return None
    return Q(recorded_at__lt=moment) | Q(recorded_at=moment, pk__lt=pk)


@require_GET
@recorders_only
def mine(request):
    """The concerns this user recorded, newest first, and the step each is at."""
    older = _after_cursor(request.GET.get("before"))
    rows = list(
        concerns_visible_to(request.membership)
        .filter(older or Q(), recorded_by=request.user)
        .select_related("pupil")
        .order_by("-recorded_at", "-pk")[: MINE_PAGE_SIZE + 1]
    )
    concerns = rows[:MINE_PAGE_SIZE]
    # A list of children's names is a read of their records, audited as the inbox is.
    school = request.membership.school
    viewed(request, school, school=school, action="concern.mine.view")
    return render(
        request,
        "concerns/mine.html",
        {
            "concerns": concerns,
            "next_cursor": _cursor(concerns[-1]) if len(rows) > MINE_PAGE_SIZE else None,
            "paged": older is not None,
        },
    )
