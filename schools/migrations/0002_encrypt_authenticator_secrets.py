"""Encrypt the authenticator secrets allauth had kept in the clear (schools/secrets.py)."""

from cryptography.fernet import InvalidToken
from django.db import migrations

from schools import secrets


def _encrypted(value):
    try:
        secrets.decrypt(value)
    except InvalidToken:
        return secrets.encrypt(value)
    return value


def _in_the_clear(value):
    try:
        return secrets.decrypt(value)
    except InvalidToken:
        return value


def _change_every_secret(change):
    def run(apps, schema_editor):
        Authenticator = apps.get_model("mfa", "Authenticator")
        for authenticator in Authenticator.objects.filter(type__in=secrets.SECRET_TYPES):
            secrets.change_secrets(authenticator, change)
            authenticator.save(update_fields=["data"])

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.RunPython(_change_every_secret(_encrypted), _change_every_secret(_in_the_clear))
    ]
