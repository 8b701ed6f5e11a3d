"""Re-encrypt every authenticator secret with the first of MFA_SECRET_KEYS (SECURITY.md)."""

from allauth.mfa.models import Authenticator
from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from schools import secrets


class Command(BaseCommand):
    help = "Re-encrypt authenticator secrets with the first of MFA_SECRET_KEYS."

    def handle(self, *args, **options):
        with transaction.atomic():
            authenticators = Authenticator.objects.select_for_update().filter(
                type__in=secrets.SECRET_TYPES
            )
            count = 0
            for authenticator in authenticators:
                try:
                    secrets.change_secrets(authenticator, secrets.rotate)
                except InvalidToken:
                    raise CommandError(
                        f"No key in MFA_SECRET_KEYS decrypts authenticator {authenticator.pk}: "
                        "put the old key back after the new one, then run this again. Nothing "
                        "was changed."
                    ) from None
                authenticator.save(update_fields=["data"])
                count += 1
        self.stdout.write(f"Re-encrypted the secrets of {count} authenticators.")
