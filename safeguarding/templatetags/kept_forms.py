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
    return format_html("{}{}", typed_by, working_as(context))


@register.simple_tag(takes_context=True)
def working_as(context):
    """A hidden field holding the role the person was working in when the form was drawn
    (schools.middleware refuses it sent in another), alone: for a form whose content cannot
    be kept for them (a file chosen to upload)."""
    membership = getattr(context["request"], "membership", None)
    if membership is None:
        return ""
    return format_html('<input type="hidden" name="{}" value="{}">', WORKING_AS, membership.pk)
