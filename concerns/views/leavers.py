"""Pupils who have left, and their child protection files on the way to the new school."""

from datetime import date
from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import viewed
from concerns.forms.leavers import (
    FileReceivedForm,
    FileSentForm,
    LeavingCorrectionForm,
    LeavingForm,
    ReturnForm,
)
from concerns.keyset import Key, paginate
from concerns.selectors import file_transfers_for, get_pupil_for
from safeguarding.templatetags.presenters import typed, uk_date
from workflow import leavers

from .access import LEADS, SCHOOL_READERS, role_required
from .steps import pupil_step

LEAVERS_ORDER = [Key("due_on", date), Key("id", int)]


@require_GET
@role_required(SCHOOL_READERS)
def leavers_list(request):
    """Files still to send, and files sent but not yet confirmed received, soonest due first.
    The head teacher reads it; the school's leads record each step from it."""
    waiting = (
        file_transfers_for(request.membership)
        .filter(received_on__isnull=True, returned_on__isnull=True)
        .select_related("pupil")
    )
    page = paginate(
        waiting,
        LEAVERS_ORDER,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=50,
        by_id=True,
    )
    school = request.membership.school
    viewed(request, school, school=school, action="pupil.leavers.view")
    is_lead = request.membership.role in LEADS
    return render(request, "concerns/leavers/list.html", {"page": page, "is_lead": is_lead})


def _already(request, pupil, message):
    """The step cannot be taken now: back to the pupil's chronology, saying why, and for a
    form sent (a colleague took the step meanwhile), that nothing was saved."""
    if request.method == "POST":
        message = format_html("{} Nothing was saved.", message)
    messages.info(request, message)
    return redirect("concerns:pupil_chronology", pupil.pk)


def _sent_again(request, transfer, form_class, step, message, done="concerns:leavers"):
    """For a form recording `step` of `transfer` sent again once its sender had recorded it
    with the same details (a second click, or the back button): on to `done`, saying the step
    is recorded (`message`), not that nothing was saved. None for any other request."""
    if request.method != "POST" or transfer is None:
        return None
    form = form_class(request.POST)
    if not form.is_valid():
        return None
    if not leavers.recorded_already(transfer, step, by=request.user, **form.cleaned_data):
        return None
    messages.success(request, message)
    return redirect(done)


def _away(request, pk, *, returned=None):
    """The pupil and the transfer of their file while they are away from the school; or, when
    they are not (they never left, or came back: a page drawn before a colleague recorded
    that), or a form was drawn for an earlier leaving (its hidden `leaving`), back to their
    chronology saying so, as the response. `returned(pupil, transfer)`: the response to a
    return sent again, given the leaving the pupil came back from, if it is one."""
    pupil = get_pupil_for(request.membership, pk)
    transfer = getattr(pupil, "file_transfer", None)
    drawn_for = request.POST.get("leaving", "") if request.method == "POST" else ""
    if transfer is not None and drawn_for not in ("", str(transfer.pk)):
        # Drawn for an earlier leaving: the pupil came back and left again meanwhile.
        message = format_html(
            "This page was for an earlier leaving: {} has since come back and left again, for {}.",
            typed(pupil.full_name),
            typed(transfer.new_school),
        )
        return pupil, None, _already(request, pupil, message)
    if transfer is not None:
        return pupil, transfer, None
    # The latest return; of two on one day (left and came back twice), the later leaving's.
    back = pupil.file_transfers.exclude(returned_on=None).order_by("-returned_on", "-pk").first()
    if returned is not None and (again := returned(pupil, back)) is not None:
        return pupil, None, again
    if back is None:
        why = format_html("{} is not recorded as having left the school.", typed(pupil.full_name))
    else:
        why = format_html(
            "{} came back to the school on {}.",
            typed(pupil.full_name),
            uk_date(back.returned_on),
        )
    return pupil, None, _already(request, pupil, why)


def _opened_from(request, pupil):
    """The page a step linked from both the pupil's chronology and their child protection file
    was opened from (`?from=file`), for its back link; the chronology by default."""
    page = "pupil_file" if request.GET.get("from") == "file" else "pupil_chronology"
    return reverse(f"concerns:{page}", args=[pupil.pk])


def _step(request, pupil, transfer, *, template_context, done="concerns:leavers", **step):
    """A leaver's step on the shared step page: `step` as `pupil_step` takes it, `success` a
    message or a function of what was saved."""
    success = step.pop("success")
    return pupil_step(
        request,
        pupil,
        template="concerns/leavers/step.html",
        context={"transfer": transfer, **template_context},
        read_as="pupil.leaving.view",
        done=done,
        success=success if callable(success) else lambda saved: success,
        **step,
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def leaving(request, pk):
    """Record that a pupil has left, and where to: their file is then due."""
    pupil = get_pupil_for(request.membership, pk)
    transfer = getattr(pupil, "file_transfer", None)
    name = typed(pupil.full_name)
    success = format_html("{}'s child protection file is now on the leavers' list", name)
    if transfer is not None:
        return _sent_again(request, transfer, LeavingForm, "leaving", success) or _already(
            request, pupil, format_html("{} is already recorded as having left the school.", name)
        )
    return _step(
        request,
        pupil,
        None,
        form_class=LeavingForm,
        perform=lambda data: leavers.record_leaving(pupil, by=request.user, **data),
        template_context={
            "title": "Record that {name} has left",
            "button": "Record that they left",
        },
        success=success,
    )


def _file_step(request, pk, form_class, record, done):
    """A step of the file's journey for a pupil recorded as leaving: `done` is "sent" or
    "received"."""
    pupil, transfer, back = _away(request, pk)
    if back is not None:
        return back
    name = typed(pupil.full_name)
    success = format_html("{}'s file has been recorded as {}", name, done)
    if again := _sent_again(request, transfer, form_class, done, success):
        return again
    if transfer.received_on is not None:
        return _already(
            request, pupil, format_html("{}'s file is already recorded as received.", name)
        )
    if done == "sent" and transfer.sent_on is not None:
        return _already(request, pupil, format_html("{}'s file is already recorded as sent.", name))
    if done == "received" and transfer.sent_on is None:
        return _already(request, pupil, format_html("Record that {}'s file was sent first.", name))
    return _step(
        request,
        pupil,
        transfer,
        form_class=form_class,
        perform=lambda data: record(transfer, by=request.user, **data),
        template_context={
            "title": "Record that {name}'s file was " + done,
            "button": f"Record that it was {done}",
        },
        success=success,
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def file_sent(request, pk):
    """Record the day the file was sent to the new school, and how."""
    return _file_step(request, pk, FileSentForm, leavers.record_file_sent, "sent")


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def file_received(request, pk):
    """Record the new school's confirmation that the file arrived."""
    return _file_step(request, pk, FileReceivedForm, leavers.record_file_received, "received")


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def returned(request, pk):
    """Record that a pupil who left has come back to the school: their leaving ends."""

    def again(pupil, transfer):
        chronology = reverse("concerns:pupil_chronology", args=[pupil.pk])
        said = _came_back_message(pupil, transfer) if transfer is not None else ""
        return _sent_again(request, transfer, ReturnForm, "returned", said, chronology)

    pupil, transfer, back = _away(request, pk, returned=again)
    if back is not None:
        return back
    return _step(
        request,
        pupil,
        transfer,
        form_class=ReturnForm,
        perform=lambda data: leavers.record_return(transfer, by=request.user, **data),
        template_context={
            "returning": True,
            "back_url": _opened_from(request, pupil),
            "title": "Record that {name} has come back",
            "button": "Record that they came back",
        },
        done=reverse("concerns:pupil_chronology", args=[pupil.pk]),
        success=_came_back_message(pupil, transfer),
    )


def _came_back_message(pupil, transfer):
    """What recording that `pupil` came back from `transfer`'s leaving says."""
    back = "{} is recorded as back at the school. "
    if transfer.sent_on is None:
        return format_html(
            back + "Their file was not sent, and is no longer due", typed(pupil.full_name)
        )
    return format_html(
        back + "Ask {} for the child protection records they hold about {}",
        typed(pupil.full_name),
        typed(transfer.new_school),
        typed(pupil.given_name),
    )


@require_http_methods(["GET", "POST"])
@role_required(LEADS)
def leaving_change(request, pk):
    """Correct the details of a pupil's leaving while they are away, and once their file is
    sent, the day it was sent and how: the due day, and whether it was late, follow."""
    pupil, transfer, back = _away(request, pk)
    if back is not None:
        return back
    sent = transfer.sent_on is not None
    fields = (*leavers.LEAVING_FIELDS, *(leavers.SENDING_FIELDS if sent else ()))
    context = {
        "transfer": transfer,
        "back_url": _opened_from(request, pupil),
        "title": "Change the details of {name}'s leaving" + (" and file" if sent else ""),
        "button": "Save the changes",
    }

    def stale(form):
        # A colleague corrected the details meanwhile: the page shows theirs. A page drawn
        # before they recorded the sending had no boxes for it: they hold what was recorded.
        fresh = file_transfers_for(request.membership).get(pk=transfer.pk)
        context["transfer"] = fresh
        form.refresh_drawn(leavers.leaving_version(fresh))
        if "sent_how" in form.fields and "sent_how" not in form.data:
            day = fresh.sent_on
            form.data.update({"sent_on_0": day.day, "sent_on_1": day.month, "sent_on_2": day.year})
            form.data["sent_how"] = fresh.sent_how

    def success(saved):
        if saved.sent_on is None:
            due = f"The file is due by {uk_date(saved.due_on)}"
        else:
            due = (
                f"The file was due by {uk_date(saved.due_on)} and was sent on "
                f"{uk_date(saved.sent_on)}" + (", late" if saved.late else "")
            )
        if leavers.leaving_version(saved) == leavers.leaving_version(transfer):
            return (
                messages.INFO,
                format_html(
                    "Nothing was changed: the details of {}'s leaving were already as given. {}",
                    typed(pupil.full_name),
                    due,
                ),
            )
        return format_html(
            "The details of {}'s leaving have been saved. {}", typed(pupil.full_name), due
        )

    return pupil_step(
        request,
        pupil,
        form_class=partial(LeavingCorrectionForm, sent=sent),
        perform=lambda data: leavers.correct_leaving(transfer, by=request.user, **data),
        template="concerns/leavers/step.html",
        context=context,
        read_as="pupil.leaving.view",
        done=reverse("concerns:pupil_chronology", args=[pupil.pk]),
        success=success,
        initial={
            **{name: getattr(transfer, name) for name in fields},
            "drawn": leavers.leaving_version(transfer),
        },
        stale=stale,
    )
