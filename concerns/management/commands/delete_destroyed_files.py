"""Delete the files of attachments destroyed with a pupil's records at review whose deletion
after the destruction did not happen (the server stopped first) or failed.

Safe to run as often as wanted, from cron or by hand: it deletes only the files the
destruction listed for deletion, never a file because no record names it (a database restored
from an older backup names fewer), asks nothing, and prints how many it deleted. A file it
could not delete is an error, as the README's crontab expects one: a child's file is still
on the disk after their records were destroyed. The run deletes every other file first, then
says so on stderr and exits non-zero, so that cron and monitoring alert an operator; the file
is tried again on the next run.
"""

from django.core.management.base import BaseCommand, CommandError

from concerns.attachments import delete_files
from concerns.models import FileToDelete


def _files(n):
    return f"{n} file{'' if n == 1 else 's'}"


class Command(BaseCommand):
    help = "Delete the files of destroyed records still waiting to be deleted."

    def handle(self, *args, **options):
        waiting = list(FileToDelete.objects.values_list("stored_name", flat=True))
        deleted = delete_files(waiting)
        left = len(waiting) - deleted
        if left:
            raise CommandError(
                f"{_files(left)} of destroyed records could not be deleted (the log says why); "
                f"{'it' if left == 1 else 'they'} will be tried again on the next run. "
                f"{_files(deleted)} {'was' if deleted == 1 else 'were'} deleted."
            )
        if options["verbosity"] >= 1:
            self.stdout.write(f"Deleted {_files(deleted)} of destroyed records.")
