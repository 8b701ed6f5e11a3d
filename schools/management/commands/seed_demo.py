from django.core.management.base import BaseCommand, CommandError

from advice.demo import seed_demo_cases
from reports.demo import seed_demo_evidence
from schools.demo import DEMO_PASSWORD, passwords_allowed, real_data, seed


class Command(BaseCommand):
    help = (
        "Create fictional demo data (idempotent: running it again changes nothing) and print "
        "the demo sign-ins. Demo passwords are set only when DEBUG is on or --demo is given. "
        "Refuses a database that holds any person, authority or school not the demo's."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["ci", "luton", "luton-stress"],
            help="Also grow the Luton authority to an authority-sized data set (a fresh database).",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Set the demo password even though DEBUG is off (never on a live service).",
        )

    def handle(self, *args, demo, scale=None, **options):
        # Demo people share a published password and would join an authority with the demo's
        # code: never on a database holding anyone real.
        found = real_data()
        if found:
            raise CommandError(
                f"This database holds {found} that is not the demo's: seed_demo runs only on a "
                "database of its own. Nothing was changed."
            )
        with_passwords = passwords_allowed(demo)
        sign_ins, created = seed(with_passwords=with_passwords)
        if scale:
            from workflow.scale import build

            self.stdout.write(f"Building the {scale} data set:")
            try:
                written = build(scale, out=self.stdout)
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                "Built: " + ", ".join(f"{value} {key}" for key, value in written.items())
            )
        made = ", ".join(f"{count} {name}" for name, count in created.items())
        self.stdout.write(f"Demo data ready (created now: {made}).")
        if not with_passwords:
            self.stdout.write(
                "No demo passwords were set: DEBUG is off. Pass --demo to set them on a "
                "machine that holds no real data."
            )
            return
        # Fictional cases only where demo passwords are allowed: never on a live service.
        self.stdout.write(f"Demo cases for the Early Help Hub (recorded now: {seed_demo_cases()}).")
        seed_demo_evidence()
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (every password is {DEMO_PASSWORD}).")
        self.stdout.write(
            "The second step is a code from an authenticator app: add the secret shown to any "
            "authenticator app (or, in a second terminal, run: make code EMAIL=...)."
        )
        width = max(len(email) for email, *_ in sign_ins)
        for email, role, place, secret in sign_ins:
            self.stdout.write(f"  {email.ljust(width)}  {secret}  {role}, {place}")
