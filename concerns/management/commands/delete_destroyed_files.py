"""Delete the files of attachments destroyed with a pupil's records at review whose deletion
after the destruction did not happen (the server stopped first) or failed.

Safe to run as often as wanted, from cron or by hand: it deletes only the files the
destruction listed for deletion, never a file because no record names it (a database restored
from an older backup names fewer), asks nothing, and prints how many it deleted.
"""

from django.core.management.base import BaseCommand

from concerns.attachments import delete_files
from concerns.models import FileToDelete


class Command(BaseCommand):
    help = "Delete the files of destroyed records still waiting to be deleted."

    def handle(self, *args, **options):
        waiting = list(FileToDelete.objects.values_list("stored_name", flat=True))
        deleted = delete_files(waiting)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Deleted {deleted} file{'' if deleted == 1 else 's'} of destroyed records; "
                f"{len(waiting) - deleted} could not be deleted and will be tried again."
            )
