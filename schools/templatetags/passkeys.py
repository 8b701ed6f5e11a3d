"""What the passkey pages hand their script, as an attribute: the CSP allows no inline script,
not even a JSON data block."""

import json

from allauth.mfa.models import Authenticator
from django import template
from django.core.serializers.json import DjangoJSONEncoder

register = template.Library()


@register.filter
def as_json(value):
    """`value` as JSON, for a data- attribute (autoescaping makes it safe there)."""
    return json.dumps(value, cls=DjangoJSONEncoder)


@register.filter
def has_passkey(user):
    """Whether to offer a passkey at the second step: only to someone who has added one."""
    return (
        bool(user)
        and Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.WEBAUTHN).exists()
    )
