"""`{% typed_by %}`: in a form, who it was drawn for, so that what they type outlives the end
of their session (safeguarding.kept)."""

from django import template
from django.utils.html import format_html

from safeguarding.kept import FIELD, WORKING_AS, typed_by_token

register = template.Library()


@register.simple_tag(takes_context=True)
def typed_by(context):
    """A hidden field holding, signed, who this form was drawn for, and one holding the role
    they were working in (schools.middleware refuses it sent in another)."""
    request = context["request"]
    typed_by = format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, typed_by_token(request.user)
    )
    membership = getattr(request, "membership", None)
    if membership is None:
        return typed_by
    return format_html(
        '{}<input type="hidden" name="{}" value="{}">', typed_by, WORKING_AS, membership.pk
    )
