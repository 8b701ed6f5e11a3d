"""The GOV.UK filter forms of the lists (the DSL's inbox, the hub's queue), drawn once per
process for each state they can be in.

crispy-forms draws a filter form through dozens of small templates: 5 to 9 ms a page, a third
of the inbox's own work. Yet a filter form's HTML depends only on its class, what was
submitted in its fields (or its initial values), and its fields' choices: the same inputs
always give the same markup. So `{% filter_form form %}` keeps the markup crispy-forms wrote,
keyed on exactly those inputs (the current choices included, so a list of people that has
changed, or another school's list, never meets an old entry), and draws it again only for a
state not seen before. tests/safeguarding/test_filter_forms.py checks the markup is the same
as `{% crispy form %}` writes.

Free text a person typed (a search for a pupil's name or UPN) is never kept: a form with any
filled text box is drawn afresh each time, so no child's details outlive the request.

Only for forms whose markup follows from those inputs alone (a filter form, with a layout fixed
by its class); not for a form that changes its fields or layout for each request.
"""

import threading

from crispy_forms.utils import render_crispy_form
from django import forms, template
from django.utils.safestring import mark_safe

register = template.Library()

MOST_KEPT = 512  # states kept per process; past that the store starts again
_kept = {}
_lock = threading.Lock()


def _frozen(value):
    """A hashable copy of a submitted value, an initial value or a list of choices."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)  # lazy labels, model choice values, dates


def _typed_text(form):
    """Whether a text box of `form` holds something a person typed."""
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.TextInput | forms.Textarea):
            if form.is_bound:
                value = field.widget.value_from_datadict(
                    form.data, form.files, form.add_prefix(name)
                )
            else:
                value = form.get_initial_for_field(field, name)
            if value not in (None, ""):
                return True
    return False


def _key(form):
    if form.is_bound:
        values = tuple(
            (
                name,
                _frozen(
                    field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
                ),
            )
            for name, field in form.fields.items()
        )
    else:
        values = tuple(
            (name, _frozen(form.get_initial_for_field(field, name)))
            for name, field in form.fields.items()
        )
    choices = tuple(
        (name, _frozen(list(field.choices)))
        for name, field in form.fields.items()
        if hasattr(field, "choices")
    )
    return (type(form), form.prefix, form.auto_id, form.is_bound, values, choices)


def forget():
    """Empty the store (for tests)."""
    with _lock:
        _kept.clear()


@register.simple_tag(takes_context=True)
def filter_form(context, form):
    """The form's fields as `{% crispy form %}` writes them."""
    if _typed_text(form):
        return mark_safe(render_crispy_form(form, context=context.flatten()))  # nosec B308 B703
    key = _key(form)
    html = _kept.get(key)
    if html is None:
        html = render_crispy_form(form, context=context.flatten())
        with _lock:
            if len(_kept) >= MOST_KEPT:
                _kept.clear()
            _kept[key] = html
    # crispy-forms' own output, escaped as it was drawn.
    return mark_safe(html)  # nosec B308 B703
