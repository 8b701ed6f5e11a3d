"""A page that records one step about a pupil (a leaver's file, a subject access request)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.html import format_html

from audit.log import viewed
from safeguarding.forms import apply_refusal
from safeguarding.kept import kept_for
from safeguarding.templatetags.presenters import typed
from workflow.exceptions import Stale, TransitionRefused


def pupil_step(
    request,
    pupil,
    *,
    form_class,
    perform,
    template,
    context,
    read_as,
    done,
    success,
    initial=None,
    stale=None,
):
    """The step's form; once valid, `perform(cleaned_data)` records it and the person goes to
    `done` with `success(saved)`: a success message, or (level, message) for another kind,
    such as that nothing changed. A refusal is shown beside its field, with what was typed
    kept; after a `Stale` refusal (a colleague changed the record since the page was drawn),
    `stale(form)` brings the page up to date. The page shows the pupil's name, so showing it
    is an audited read (`read_as`). What the person typed before their session ended is shown
    again, to check and send (safeguarding.kept). `context["title"]`, if any, names the pupil as
    {name}: the heading says their name, in its own direction (typed in Arabic or Urdu, it
    runs right to left within the service's words), the page's title (which browser history
    keeps) their number."""
    data = request.POST if request.method == "POST" else kept_for(request)
    form = form_class(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = perform(form.cleaned_data)
        except TransitionRefused as refusal:
            apply_refusal(form, refusal)
            if stale is not None and isinstance(refusal, Stale):
                stale(form)
        else:
            said = success(saved)
            level, text = said if isinstance(said, tuple) else (messages.SUCCESS, said)
            messages.add_message(request, level, text)
            return redirect(done)
    viewed(request, pupil, school=request.membership.school, action=read_as)
    if title := context.get("title"):
        context = {
            **context,
            "title": format_html(title, name=typed(pupil.full_name)),
            "page_title": title.format(name=f"pupil {pupil.pk}"),
        }
    return render(request, template, {"form": form, "pupil": pupil, **context})
