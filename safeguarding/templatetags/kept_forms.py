"""`{% typed_by %}`: in a form, who it was drawn for, so that what they type outlives the end
of their session (safeguarding.kept)."""

from django import template
from django.utils.html import format_html

from safeguarding.kept import FIELD, typed_by_token

register = template.Library()


@register.simple_tag(takes_context=True)
def typed_by(context):
    """A hidden field holding, signed, who this form was drawn for."""
    user = context["request"].user
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, typed_by_token(user))
