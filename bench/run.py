"""`make bench`: what each key page costs, against a static page of the same size.

Run against a built data set (`DATABASE_URL` pointing at a database `seed_demo --scale NAME`
filled). With no `DATABASE_URL` it builds the `ci` set into a throwaway SQLite file first, so CI
can prove the command works; `--build ci` does the same into an empty PostgreSQL database.

In one process, signed in as the demo user each page is for, it warms up, then times every page
and its baseline one after the other, round after round (interleaved, so drift on a shared
machine touches both alike). The baseline is the page's own HTML frozen into a static template
and rendered through the same middleware (session, sign-in, second factor, membership, headers),
so the ratio page/baseline is what the page's own work costs on top of serving any page at all.

    python -m bench.run [--rounds 9] [--json] [--save FILE] [--against FILE] [--check]

Targets (on `luton-stress` with PostgreSQL): page/baseline at most 2.0 (3.0 for the report);
a page's time on `luton-stress` over its time on `luton` (`--against`) at most 1.3.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
REPORT_CONCERNS = 8_000  # the head teacher's report is measured over at least this many
CHRONOLOGY_CONCERNS = 200
RATIO_TARGET = 2.0
REPORT_RATIO_TARGET = 3.0
FLATNESS_TARGET = 1.3


@dataclass
class Page:
    name: str
    title: str
    user: object = field(repr=False)
    path: str
    target: float = RATIO_TARGET
    note: str = ""
    html: bytes = b""
    times: list = field(default_factory=list)
    baseline_times: list = field(default_factory=list)
    queries: int = 0
    baseline_queries: int = 0

    @property
    def median_ms(self):
        return statistics.median(self.times) * 1000

    @property
    def baseline_ms(self):
        return statistics.median(self.baseline_times) * 1000

    @property
    def ratio(self):
        return self.median_ms / self.baseline_ms


def _environment(args):
    """Production settings (DEBUG off) with the bench's URLconf; a throwaway SQLite database
    when no DATABASE_URL is given."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SITE_URL", "https://testserver")
    # The page templates' {% static %} tags would need collectstatic's manifest; the lookup
    # costs the same either way.
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # no collectstatic here
    if os.environ.get("DATABASE_URL"):
        return None
    throwaway = tempfile.mkdtemp(prefix="bench-db-")
    os.environ["DATABASE_URL"] = f"sqlite:///{throwaway}/bench.sqlite3"
    args.build = args.build or "ci"
    return throwaway


# The server settings docs/scaling.md recommends (section 7), for the bench's own connections
# only, as bench/load.py sets them on its copy of the data set.
PLANNER_SETTINGS = ["random_page_cost = 1.1", "jit = off", "max_parallel_workers_per_gather = 0"]


def _planner_settings():
    from django.db.backends.signals import connection_created

    def configure(sender, connection, **kwargs):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for setting in PLANNER_SETTINGS:
                    cursor.execute(f"SET {setting}")

    connection_created.connect(configure, weak=False)


def _build(scale):
    from django.core.management import call_command

    from concerns.models import Concern

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if Concern.objects.exists():
        raise SystemExit("--build needs an empty database: this one already holds concerns.")
    started = time.monotonic()
    call_command("seed_demo", scale=scale, stdout=sys.stderr)
    print(f"Built the {scale} set in {time.monotonic() - started:.0f} s.", file=sys.stderr)


def _report_query(period):
    return urlencode(
        {
            "start_0": period.start.day,
            "start_1": period.start.month,
            "start_2": period.start.year,
            "end_0": period.end.day,
            "end_1": period.end.month,
            "end_2": period.end.year,
        }
    )


def _pages():
    """The pages to measure and who opens each, chosen from the data set: the busiest demo
    school (it has demo people), the pupil there with nearest 200 concerns, the concern with
    the longest history, an open advice request, and a report period long enough to hold
    8,000 of the school's concerns (or all it has)."""
    from django.db.models import Count, F, Min
    from django.db.models.functions import Abs
    from django.urls import reverse
    from django.utils import timezone

    from advice.models import AdviceRequest, AdviceStatus
    from concerns.models import Concern
    from concerns.views.pupils import CHRONOLOGY_PAGE_SIZE
    from reports.forms import LONGEST_REPORT_DAYS
    from reports.periods import Period
    from schools.models import Membership, Role, User
    from workflow.models import WorkflowEvent

    demo_dsls = Membership.objects.filter(role=Role.DSL, user__email__startswith="dsl@")
    busiest = (
        Concern.objects.filter(school__in=demo_dsls.values("school"))
        .values("school")
        .annotate(n=Count("pk"))
        .order_by("-n", "school")
        .first()
    )
    if busiest is None:
        raise SystemExit("No concerns at a demo school: build a data set first (--build ci).")
    membership = demo_dsls.select_related("school__local_authority", "user").get(
        school=busiest["school"]
    )
    school, authority = membership.school, membership.school.local_authority
    domain = membership.user.email.split("@", 1)[1]
    dsl = membership.user
    head = User.objects.get(email=f"head@{domain}")
    hub = Membership.objects.get(
        role=Role.HUB_ADVISOR, local_authority=authority, user__email__startswith="hub.advisor@"
    ).user

    concerns = Concern.objects.filter(school=school)
    longest = (
        WorkflowEvent.objects.filter(concern__school=school)
        .values("concern")
        .annotate(n=Count("pk"))
        .order_by("-n", "-concern")
        .first()
    )
    pupil = (
        concerns.values("pupil")
        .annotate(n=Count("pk"))
        .order_by(Abs(F("n") - CHRONOLOGY_CONCERNS), "pupil")
        .first()
    )
    open_work = AdviceRequest.objects.filter(
        concern__school__local_authority=authority,
        status__in=[AdviceStatus.OPEN, AdviceStatus.CLAIMED],
    )
    advice_request = open_work.order_by("-requested_at", "-pk").first()

    # From a 1 September to today, going back a year at a time until the period holds 8,000
    # of the school's concerns, as far as the report allows (5 years) and the set goes back.
    today = timezone.localdate()
    first = timezone.localtime(concerns.aggregate(first=Min("recorded_at"))["first"]).date()
    earliest = max(first, today - timedelta(days=LONGEST_REPORT_DAYS))

    def recorded_in(period):
        return concerns.filter(
            recorded_at__gte=period.start_at, recorded_at__lt=period.end_at
        ).count()

    period = Period(Period.academic_year(today).start, today)
    while recorded_in(period) < REPORT_CONCERNS and period.start > earliest:
        period = Period(max(earliest, period.start.replace(year=period.start.year - 1)), today)
    in_period = recorded_in(period)
    this_year = Period.academic_year(today)
    in_this_year = recorded_in(this_year)

    return [
        Page(
            "inbox",
            "DSL's inbox",
            dsl,
            reverse("concerns:inbox"),
            note=f"{school.name}: {concerns.open().count():,} open of {concerns.count():,}",
        ),
        Page(
            "concern",
            "Concern page",
            dsl,
            reverse("concerns:detail", args=[longest["concern"]]),
            note=f"{longest['n']} workflow events",
        ),
        Page(
            "chronology",
            "Pupil chronology",
            dsl,
            reverse("concerns:pupil_chronology", args=[pupil["pupil"]]),
            note=f"{pupil['n']} concerns, {CHRONOLOGY_PAGE_SIZE} a page",
        ),
        Page(
            "queue",
            "Hub queue",
            hub,
            reverse("advice:queue"),
            note=f"{open_work.count():,} open requests in {authority.code}",
        ),
        Page(
            "request",
            "Hub request page",
            hub,
            reverse("advice:detail", args=[advice_request.pk]),
        ),
        Page(
            "report",
            "Head teacher's report",
            head,
            f"{reverse('reports:audit')}?{_report_query(period)}",
            target=REPORT_RATIO_TARGET,
            note=f"{in_period:,} concerns, {period.start:%-d %b %Y} to {period.end:%-d %b %Y}",
        ),
        Page(
            "report-year",
            "Report, this academic year",
            head,
            reverse("reports:audit"),
            target=REPORT_RATIO_TARGET,
            note=f"{in_this_year:,} concerns (the page as it opens)",
        ),
    ]


def _clients(pages):
    """A signed-in client per person. Each has an authenticator app (every account must), set
    up now if the set was built without demo passwords."""
    from allauth.mfa.utils import is_mfa_enabled
    from django.test import Client

    from schools.demo import second_factor_used, totp_secret

    clients = {}
    for page in pages:
        if page.user.pk not in clients:
            if not is_mfa_enabled(page.user, types=["totp"]):
                totp_secret(page.user)  # (an existing app's secret may be under another key)
            client = Client()
            client.force_login(page.user)
            session = client.session
            second_factor_used(session, page.user)
            session.save()
            clients[page.user.pk] = client
    return clients


def _get(client, path):
    started = time.perf_counter()
    response = client.get(path, secure=True)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}, not 200.")
    return elapsed, response.content


def _freeze_baselines(pages):
    """Write each page's HTML as a static template: the baseline renders it unchanged."""
    from django.conf import settings

    folder = Path(settings.BENCH_TEMPLATE_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for page in pages:
        text = page.html.decode()
        (folder / f"{page.name}.html").write_text(
            "{% verbatim %}" + text + "{% endverbatim %}", encoding="utf-8"
        )


def _baseline_path(page):
    from django.urls import reverse

    return reverse("bench_baseline", args=[page.name])


def _count_queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _get(client, path)
    return len(captured.captured_queries)


def measure(pages, *, rounds, warmup):
    clients = _clients(pages)
    for _ in range(warmup):
        for page in pages:
            _, page.html = _get(clients[page.user.pk], page.path)
    _freeze_baselines(pages)
    for page in pages:
        client = clients[page.user.pk]
        for _ in range(warmup):
            _, html = _get(client, _baseline_path(page))
        if len(html) != len(page.html):
            raise SystemExit(f"The baseline for {page.name} is not the page's size.")
        page.baseline_queries = _count_queries(client, _baseline_path(page))
        page.queries = _count_queries(client, page.path)
    for _ in range(rounds):
        for page in pages:
            client = clients[page.user.pk]
            page.times.append(_get(client, page.path)[0])
            page.baseline_times.append(_get(client, _baseline_path(page))[0])


def _data_set():
    from django.db import connection

    from advice.models import AdviceRequest, AdviceStatus
    from audit.models import AuditEvent
    from concerns.models import Concern

    return {
        "database": f"{connection.vendor} {connection.settings_dict['NAME']}",
        "concerns": Concern.objects.count(),
        "advice_requests": AdviceRequest.objects.count(),
        "open_requests": AdviceRequest.objects.filter(
            status__in=[AdviceStatus.OPEN, AdviceStatus.CLAIMED]
        ).count(),
        "audit_events": AuditEvent.objects.count(),
    }


def result(pages, *, rounds, warmup, data_set, against=None):
    previous = {p["name"]: p for p in against["pages"]} if against else {}
    rows = []
    for page in pages:
        row = {
            "name": page.name,
            "title": page.title,
            "path": page.path,
            "user": page.user.email,
            "note": page.note,
            "bytes": len(page.html),
            "median_ms": round(page.median_ms, 2),
            "baseline_ms": round(page.baseline_ms, 2),
            "ratio": round(page.ratio, 2),
            "ratio_target": page.target,
            "ratio_met": page.ratio <= page.target,
            "queries": page.queries,
            "baseline_queries": page.baseline_queries,
            "own_queries": page.queries - page.baseline_queries,
            "times_ms": [round(t * 1000, 2) for t in page.times],
            "baseline_times_ms": [round(t * 1000, 2) for t in page.baseline_times],
        }
        if page.name in previous:
            flatness = page.median_ms / previous[page.name]["median_ms"]
            row["flatness"] = round(flatness, 2)
            row["flatness_met"] = flatness <= FLATNESS_TARGET
            # The same, each time taken relative to its own run's baseline: the two sets are
            # timed in separate runs, and a shared machine's speed drifts between them.
            row["flatness_of_ratios"] = round(page.ratio / previous[page.name]["ratio"], 2)
        rows.append(row)
    return {
        "data_set": data_set,
        "against": against["data_set"] if against else None,
        "rounds": rounds,
        "warmup": warmup,
        "load_average": [round(n, 2) for n in os.getloadavg()],
        "pages": rows,
    }


def table(outcome):
    data = outcome["data_set"]
    lines = [
        f"Data set: {data['database']}: {data['concerns']:,} concerns, "
        f"{data['advice_requests']:,} advice requests ({data['open_requests']:,} open), "
        f"{data['audit_events']:,} audit events",
        f"Median of {outcome['rounds']} interleaved rounds after {outcome['warmup']} warm-up; "
        f"load average {', '.join(map(str, outcome['load_average']))}",
    ]
    flat = outcome["against"] is not None
    if flat:
        lines.append(f"Flatness against: {outcome['against']['database']}")
    header = (
        f"{'page':<27} {'ms':>8} {'base ms':>8} {'ratio':>6} {'target':>10} {'queries':>7} "
        f"{'KB':>5}" + (f" {'flat':>6} {'ratios':>6}" if flat else "") + "  what"
    )
    lines += ["", header, "-" * len(header)]
    for row in outcome["pages"]:
        verdict = "ok" if row["ratio_met"] else "MISS"
        line = (
            f"{row['title']:<27} {row['median_ms']:>8.1f} {row['baseline_ms']:>8.1f} "
            f"{row['ratio']:>6.2f} {'<=' + str(row['ratio_target']):>5} {verdict:<4}"
            f"{row['baseline_queries']:>4}+{row['own_queries']:<3}{row['bytes'] / 1024:>5.0f}"
        )
        if flat:
            flatness = row.get("flatness")
            if flatness is None:
                line += f" {'-':>6} {'-':>6}"
            else:
                line += f" {flatness:>6.2f}{'!' if not row['flatness_met'] else ' '}"
                line += f"{row['flatness_of_ratios']:>6.2f}"
        lines.append(line + f"  {row['note']}")
    lines.append("")
    lines.append(
        "ms: median time of the page; base ms: of a static page of the same size through the "
        "same middleware. queries: the baseline's (every signed-in request) + the page's own, "
        "transaction control included."
    )
    lines.append(
        f"Targets: ratio <= {RATIO_TARGET} ({REPORT_RATIO_TARGET} for the report) on "
        f"luton-stress with PostgreSQL; flat (this set / --against set) <= {FLATNESS_TARGET}."
    )
    if flat:
        lines.append(
            "ratios: the same flatness with each time taken over its own run's baseline, which "
            "takes out a shared machine's drift between the two runs."
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds (at least 7)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds first")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--save", type=Path, help="also write the JSON to this file")
    parser.add_argument("--against", type=Path, help="JSON of a smaller set, for flatness")
    parser.add_argument("--build", choices=["ci", "luton", "luton-stress"], help="seed first")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    if args.rounds < 7:
        parser.error("--rounds must be at least 7")
    throwaway = _environment(args)
    try:
        import django

        django.setup()
        _planner_settings()
        if args.build:
            _build(args.build)
        pages = _pages()
        data_set = _data_set()
        measure(pages, rounds=args.rounds, warmup=args.warmup)
        against = json.loads(args.against.read_text()) if args.against else None
        outcome = result(
            pages, rounds=args.rounds, warmup=args.warmup, data_set=data_set, against=against
        )
    finally:
        if throwaway:
            shutil.rmtree(throwaway, ignore_errors=True)
        if not os.environ.get("BENCH_TEMPLATE_DIR") and "bench.settings" in sys.modules:
            shutil.rmtree(sys.modules["bench.settings"].BENCH_TEMPLATE_DIR, ignore_errors=True)
    if args.save:
        args.save.write_text(json.dumps(outcome, indent=2) + "\n")
    print(json.dumps(outcome, indent=2) if args.json else table(outcome))
    if args.check:
        missed = [
            row["name"]
            for row in outcome["pages"]
            if not row["ratio_met"] or not row.get("flatness_met", True)
        ]
        if missed:
            print(f"Targets missed: {', '.join(missed)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
