from django.core.management.base import BaseCommand

from reports.demo import seed_demo_evidence
from schools.demo import DEMO_PASSWORD, passwords_allowed, seed


class Command(BaseCommand):
    help = (
        "Create fictional demo data (idempotent: running it again changes nothing) and print "
        "the demo sign-ins. Demo passwords are set only when DEBUG is on or --demo is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Set the demo password even though DEBUG is off (never on a live service).",
        )

    def handle(self, *args, demo, **options):
        with_passwords = passwords_allowed(demo)
        sign_ins, created = seed(with_passwords=with_passwords)
        made = ", ".join(f"{count} {name}" for name, count in created.items())
        self.stdout.write(f"Demo data ready (created now: {made}).")
        if not with_passwords:
            self.stdout.write(
                "No demo passwords were set: DEBUG is off. Pass --demo to set them on a "
                "machine that holds no real data."
            )
            return
        seed_demo_evidence()
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (every password is {DEMO_PASSWORD}):")
        width = max(len(email) for email, _, _ in sign_ins)
        for email, role, place in sign_ins:
            self.stdout.write(f"  {email.ljust(width)}  {role}, {place}")
