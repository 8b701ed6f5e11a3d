"""Subject access requests about a pupil's child protection records: the open ones, soonest
due first, and each step recorded by the school's leads."""

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import viewed
from concerns.forms.subject_access import (
    AccessRequestCorrectionForm,
    AccessRequestForm,
    AnswerForm,
    ClarificationCorrectionForm,
    ClarifiedForm,
    ClarifyForm,
    ExtendForm,
    ExtensionCorrectionForm,
)
from concerns.keyset import Key, paginate
from concerns.selectors import access_requests_for, get_access_request_for, get_pupil_for
from safeguarding.templatetags.presenters import typed, uk_date
from workflow import subject_access

from .access import LEADS, SCHOOL_READERS, role_required
from .steps import pupil_step

OPEN_ORDER = [Key("due_on", date), Key("id", int)]
ANSWERED_ORDER = [Key("answered_on", date, descending=True), Key("id", int, descending=True)]


@require_GET
@role_required(SCHOOL_READERS)
def access_requests(request):
    """Requests not yet answered, soonest due first; or, with `?answered=yes`, those answered,
    latest first, with the answer and why anything was withheld. The head teacher reads them;
    the school's leads record each step from them."""
    answered = request.GET.get("answered") == "yes"
    requests = (
        access_requests_for(request.membership)
        .filter(answered_on__isnull=not answered)
        .select_related("pupil")
    )
    page = paginate(
        requests,
        ANSWERED_ORDER if answered else OPEN_ORDER,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=50,
        by_id=True,
    )
    school = request.membership.school
    viewed(request, school, school=school, action="pupil.access_requests.view")
    is_lead = request.membership.role in LEADS
    for row in page.rows:
        row.may_extend = is_lead and subject_access.may_extend(row)
        row.may_ask_to_clarify = is_lead and subject_access.may_ask_to_clarify(row)
    context = {"page": page, "is_lead": is_lead, "answered": answered}
    return render(request, "concerns/subject_access/list.html", context)


def _step(request, pupil, access_request, *, title, button, context=None, **step):
    """`context`, when given, is the page's own: a step may change it before the page is
    drawn again (a colleague's correction shown after a refusal)."""
    context = {} if context is None else context
    context.update(access_request=access_request, title=title, button=button)
    return pupil_step(
        request,
        pupil,
        template="concerns/subject_access/step.html",
        context=context,
        read_as="pupil.access_request.view",
        done="concerns:access_requests",
        **step,
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def access_request_new(request, pk):
    """Record a subject access request about a pupil: its answer is then due."""
    pupil = get_pupil_for(request.membership, pk)
    return _step(
        request,
        pupil,
        None,
        form_class=AccessRequestForm,
        perform=lambda data: subject_access.record_request(pupil, by=request.user, **data),
        title="Record a subject access request about {name}",
        button="Record the request",
        success=lambda saved: _recorded(pupil.full_name, saved),
    )


def _recorded(name, saved):
    if saved.awaiting_identity:
        return format_html(
            "The request about {} is recorded. The time limit starts when proof of identity "
            "arrives: add the day it arrives by correcting the request",
            typed(name),
        )
    return format_html(
        "The request about {} is due to be answered by {}", typed(name), uk_date(saved.due_on)
    )


def _cannot(request, access_request, step=None):
    """Back to the list, saying why, when the step cannot be taken now; otherwise None."""
    asked = access_request.clarification_asked_on is not None
    if access_request.answered_on is not None:
        why = "is already answered"
    elif step == "extend" and access_request.extended:
        why = "is already extended"
    elif step == "clarify" and access_request.clarified_on is not None:
        why = "has already been clarified by the requester (once per request)"
    elif step == "clarify" and asked:
        why = "is already waiting for the requester to clarify it"
    elif step == "clarified" and not asked:
        why = "is not waiting for the requester to clarify it"
    elif step == "clarified" and access_request.clarified_on is not None:
        why = "is already clarified"
    elif step == "correct_extension" and not access_request.extended:
        why = "is not extended"
    elif step == "correct_clarification" and not asked:
        why = "has not been sent back to the requester to clarify"
    else:
        return None
    name = typed(access_request.pupil.full_name)
    messages.info(request, format_html("The request about {} {}.", name, why))
    return redirect("concerns:access_requests")


def _request_step(request, access_request, step, *, perform, title, success, **page):
    """A step on one of the school's requests: back to the list, saying why, when it cannot be
    taken now; otherwise its page. `perform(access_request, by=, **data)` records it; `title`
    names the pupil as {name}; `success(name, saved)` says what happened."""
    if back := _cannot(request, access_request, step):
        return back
    pupil = access_request.pupil
    return _step(
        request,
        pupil,
        access_request,
        perform=lambda data: perform(access_request, by=request.user, **data),
        title=title,
        success=lambda saved: success(pupil.full_name, saved),
        **page,
    )


def _sent_again(request, access_request, form_class, already):
    """For a step already taken: back to the list when this is the same form sent again by
    whoever took it (a second click, or the back button and Send again, which `already(
    access_request, by=, **data)` tells); otherwise None, and the page says why it cannot
    be taken."""
    if request.method != "POST":
        return None
    form = form_class(request.POST)
    if form.is_valid() and already(access_request, by=request.user, **form.cleaned_data):
        return redirect("concerns:access_requests")
    return None


def _due_by(name, saved):
    """The day the answer is now due; or, while proof of identity is awaited, that there is
    none yet, as the list says."""
    if saved.awaiting_identity:
        return format_html(
            "The time limit for the request about {} starts when proof of identity arrives",
            typed(name),
        )
    due = uk_date(saved.due_on)
    if saved.late:
        return format_html(
            "The request about {} was due to be answered by {}, and is overdue", typed(name), due
        )
    return format_html("The request about {} is now due to be answered by {}", typed(name), due)


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def access_request_extend(request, pk):
    """Extend a complex request to three months, saying why. The same extension sent again
    by the DSL who recorded it (a second click) is told it is extended."""
    access_request = get_access_request_for(request.membership, pk)
    if access_request.extended and (
        done := _sent_again(request, access_request, ExtendForm, subject_access.extended_already)
    ):
        messages.success(request, _due_by(access_request.pupil.full_name, access_request))
        return done
    return _request_step(
        request,
        access_request,
        "extend",
        form_class=ExtendForm,
        perform=subject_access.extend_request,
        title="Extend the request about {name}",
        button="Extend the request",
        success=_due_by,
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def access_request_clarify(request, pk):
    """Record asking the requester which information the request is about: the time limit
    stands still until they answer. The same form sent again by the DSL who recorded it (a
    second click) is told so."""
    access_request = get_access_request_for(request.membership, pk)
    if access_request.clarification_asked_on is not None and (
        done := _sent_again(request, access_request, ClarifyForm, subject_access.asked_already)
    ):
        messages.success(request, _stands_still(access_request.pupil.full_name, access_request))
        return done
    return _request_step(
        request,
        access_request,
        "clarify",
        form_class=ClarifyForm,
        perform=subject_access.ask_to_clarify,
        title="Ask the requester to clarify the request about {name}",
        button="Record that they were asked",
        success=_stands_still,
    )


def _stands_still(name, saved):
    return format_html(
        "The time limit for the request about {} stands still from {} until the requester answers",
        typed(name),
        uk_date(saved.clarification_asked_on),
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def access_request_clarified(request, pk):
    """Record the day the requester's clarification arrived: the time limit runs again."""
    return _request_step(
        request,
        get_access_request_for(request.membership, pk),
        "clarified",
        form_class=ClarifiedForm,
        perform=subject_access.record_clarification,
        title="Record that the requester clarified the request about {name}",
        button="Record their clarification",
        success=_due_by,
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def access_request_answer(request, pk):
    """Record the school's answer, and why anything was withheld. The same answer sent again
    by the DSL who recorded it (a second click) is told it is recorded."""
    access_request = get_access_request_for(request.membership, pk)
    if access_request.answered_on is not None and (
        done := _sent_again(request, access_request, AnswerForm, subject_access.answered_already)
    ):
        messages.success(request, _answered(access_request.pupil.full_name))
        return done
    return _request_step(
        request,
        access_request,
        None,
        form_class=AnswerForm,
        perform=subject_access.record_answer,
        title="Record the answer to the request about {name}",
        button="Record the answer",
        success=lambda name, saved: _answered(name),
    )


def _answered(name):
    return format_html("The answer to the request about {} has been recorded", typed(name))


def _correction(request, pk, step, *, fields, form_class, perform, title, intro, boxes=None):
    """A page correcting `fields` of one of the school's requests until it is answered, drawn
    with them as recorded (in the form's `boxes`, the field each is typed in, when named
    otherwise): the due day follows. A correction drawn before a colleague's is
    refused and shows theirs; one that changes nothing says so."""
    access_request = get_access_request_for(request.membership, pk)
    drawn = subject_access.request_version(access_request, fields)
    context = {"correcting": intro}

    def stale(form):
        fresh = get_access_request_for(request.membership, pk)
        context["access_request"] = fresh
        form.refresh_drawn(subject_access.request_version(fresh, fields))

    def success(name, saved):
        if subject_access.request_version(saved, fields) == drawn:
            said = format_html(
                "Nothing was changed: the request about {} is as it was", typed(name)
            )
            return (messages.INFO, said)
        return _due_by(name, saved)

    boxes = boxes or dict(zip(fields, fields, strict=True))
    initial = {box: getattr(access_request, name) for name, box in boxes.items()}
    return _request_step(
        request,
        access_request,
        step,
        form_class=form_class,
        perform=perform,
        title=title,
        button="Save the correction",
        success=success,
        context=context,
        stale=stale,
        initial={**initial, "drawn": drawn},
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def access_request_correct(request, pk):
    """Correct who made a request, or the day it was received, until it is answered."""
    return _correction(
        request,
        pk,
        None,
        fields=subject_access.REQUEST_FIELDS,
        form_class=AccessRequestCorrectionForm,
        perform=subject_access.correct_request,
        title="Correct the request about {name}",
        intro="Correct who made the request, or the day it arrived, if either was recorded "
        "wrongly. If you asked for proof of who the requester is, or that they act for the "
        "pupil, add the day you asked and the day it arrived: the month starts then. The day "
        "the answer is due follows.",
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def access_request_correct_extension(request, pk):
    """Correct the day the requester was told of the extension, or why, until it is
    answered."""
    return _correction(
        request,
        pk,
        "correct_extension",
        fields=subject_access.EXTENSION_FIELDS,
        form_class=ExtensionCorrectionForm,
        boxes={"extended_on": "told_on", "extension_reason": "reason"},
        perform=subject_access.correct_extension,
        title="Correct the extension of the request about {name}",
        intro="Correct the day the requester was told of the extension, or why it was "
        "needed, if either was recorded wrongly. The day the answer is due follows.",
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def access_request_correct_clarification(request, pk):
    """Correct the day the requester was asked to clarify, what, or the day their answer
    arrived, until the request is answered."""
    return _correction(
        request,
        pk,
        "correct_clarification",
        fields=subject_access.CLARIFICATION_FIELDS,
        form_class=ClarificationCorrectionForm,
        boxes={
            "clarification_asked_on": "asked_on",
            "clarification_asked": "question",
            "clarified_on": "clarified_on",
        },
        perform=subject_access.correct_clarification,
        title="Correct the clarification of the request about {name}",
        intro="Correct the day the requester was asked to clarify the request, what they "
        "were asked, or the day their answer arrived, if any was recorded wrongly. The day "
        "the answer is due follows.",
    )
