import time

from django.core.management.base import BaseCommand

from workflow.notify import deliver


class Command(BaseCommand):
    help = "Send notifications that are due, including retries of ones that failed before."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="Keep going, waiting this long between runs.",
        )

    def handle(self, *args, loop=None, **options):
        while True:
            sent, failed = deliver()
            self.stdout.write(f"Sent {sent}; {failed} failed and will be retried.")
            if not loop:
                return
            time.sleep(loop)
