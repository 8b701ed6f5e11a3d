from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.verify import first_broken_link


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains. Exits non-zero at the first broken link."

    def handle(self, *args, **options):
        problem = first_broken_link()
        if problem:
            raise CommandError(f"Audit chain broken. {problem}")
        self.stdout.write(f"Audit chain intact: {AuditEvent.objects.count()} events verified.")
