from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from schools.models import User


class Command(BaseCommand):
    help = "Print the current authenticator-app code of a demo user (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("totp_code works only with DEBUG on: it is for the demo.")
        user = User.objects.filter(email=email.lower()).first()
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            raise CommandError(f"{email} has no authenticator app set up.")
        import time

        from allauth.mfa import app_settings

        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(
            format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), counter))
        )
