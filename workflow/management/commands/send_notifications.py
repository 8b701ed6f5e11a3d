import argparse
import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from safeguarding.reach import unreachable
from workflow.notify import deliver
from workflow.reminders import remind_overdue

logger = logging.getLogger(__name__)


def seconds(value):
    """The wait between runs: a whole number of seconds, at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of seconds, 1 or more, not {value!r}"
        )
    return number


class Command(BaseCommand):
    help = (
        "Queue reminders of work gone overdue, then send notifications that are due, "
        "including retries of ones that failed before."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=seconds,
            metavar="SECONDS",
            help="Keep going, waiting this long between runs.",
        )

    def handle(self, *args, loop=None, **options):
        while True:
            if not loop:
                self._run()
                return
            # A run the database failed (restarted, failed over) is tried again after the wait,
            # on a new connection: the notifications stay pending meanwhile, and the loop goes
            # on rather than leaving every later one unsent until someone restarts it.
            close_old_connections()
            try:
                self._run()
            except DatabaseError as error:
                # The error's name only: its message may quote a row (an address, a subject).
                logger.warning(
                    "Notifications not sent this run (%s); will try again", type(error).__name__
                )
            time.sleep(loop)

    def _run(self):
        try:
            reminded = remind_overdue()
        except Exception as error:  # a fault in the reminders must not hold up what is queued
            if isinstance(error, DatabaseError) and unreachable():
                raise  # nothing can be sent either: manage.py says so in one line
            logger.error(
                "Reminders not queued this run (%s); sending goes on", type(error).__name__
            )
            reminded = 0
        sent, failed = deliver()
        self.stdout.write(
            f"Reminded of {reminded} overdue; sent {sent}; {failed} failed and will be retried."
        )
