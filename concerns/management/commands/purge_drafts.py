"""Delete unfinished concerns nobody has changed for 30 days.

Safe to run as often as wanted, from cron or by hand: it deletes only expired drafts, asks
nothing, and prints how many it deleted (never what they said).
"""

from django.core.management.base import BaseCommand

from concerns.recording import DRAFT_LIFETIME, purge_expired_drafts


class Command(BaseCommand):
    help = f"Delete unfinished concerns not changed for {DRAFT_LIFETIME.days} days."

    def handle(self, *args, **options):
        deleted = purge_expired_drafts()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Deleted {deleted} unfinished concern{'' if deleted == 1 else 's'} not changed "
                f"for {DRAFT_LIFETIME.days} days."
            )
