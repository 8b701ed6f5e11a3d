"""The GOV.UK error summary's links: each must land on the input that fixes the problem.

crispy-forms-gds names each error by its field's id, but a set of radios or checkboxes has no
element with that id (the pack numbers the options: from 1, or for radios that reveal
follow-up questions from 0), and neither does a date: its id is on the wrapping <div>, not on
an input. GOV.UK asks for the first option, or the first box of the date."""

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios
from crispy_forms_gds.templatetags.crispy_forms_gds import field_errors
from django import forms, template

register = template.Library()


def _conditional_radios(form):
    """{field name: id of its first option} for radios laid out as ConditionalRadios. The pack
    numbers each of those options by its choice's place in the field's choices, from 0."""
    found = {}

    def walk(node):
        if isinstance(node, ConditionalRadios):
            first = node.choices[0]
            label = first.value if isinstance(first, ConditionalQuestion) else first
            labels = [choice[1] for choice in form.fields[node.field].choices]
            found[node.field] = f"id_{form[node.field].html_name}_{labels.index(label)}"
        for child in getattr(node, "fields", []):
            walk(child)

    helper = getattr(form, "helper", None)
    walk(getattr(helper, "layout", None))
    return found


def _landing(field, field_id, conditional):
    widget = field.field.widget
    if field.name in conditional:
        return conditional[field.name]
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"id_{field.html_name}_1"
    if isinstance(widget, forms.MultiWidget) and field_id == field.auto_id:
        return f"{field.auto_id}_0"
    return field_id


@register.filter
def error_links(form, about_whole_form=""):
    """(id to link to, message) for every error on the form, non-field errors first. Those
    link to `about_whole_form` when the page shows what they are about (what changed since the
    page was drawn), else to the form's first input."""
    conditional = _conditional_radios(form)
    fields = form.visible_fields()
    first = _landing(fields[0], fields[0].auto_id, conditional) if fields else "main-content"
    first = about_whole_form or first
    links = [(first, error) for error in form.non_field_errors()]
    for field in fields:
        for field_id, errors in field_errors(field):
            links += [(_landing(field, field_id, conditional), error) for error in errors]
    return links
