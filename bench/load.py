"""`make loadtest` and `make faulttest`: the service under load on this machine, on loopback.

    python -m bench.load [--seconds 60] [--faults | --ceiling] [--template sg_scale]
                         [--database NAME]

1. A fresh load database is copied from a built data set (`--template`, default `sg_scale`,
   the `luton` set; the template is only read) and migrated. Load accounts are added: members
   of staff, DSLs and hub advisors at the busiest Luton schools, each with an authenticator
   app and a session already signed in (see bench/locustfile.py for why not the sign-in form).
2. gunicorn serves the service with production settings (DEBUG off, hashed static files) as
   if behind a TLS proxy, with 2 workers of 4 threads for this machine's 2 cores.
3. locust runs headless for `--seconds` (bench/locustfile.py): concerns recorded at about 10 a
   second, the DSLs' and hub advisors' pages read at about 80 a second.
4. With `--faults`, 20 s in PostgreSQL is stopped at once (immediate mode) for 10 s and
   started again (in a `finally`, and by the Makefile's trap: it is always started again),
   and 40 s in one gunicorn worker is killed. Afterwards the data are checked: every concern
   has its history and audit rows, the audit chain verifies, every submission acknowledged
   to a user is in the database, people got the "service unavailable" page during the
   outage, and the service answered again within 5 s of the database returning.

It prints the figures and whether each target is met, and exits 1 if one is missed.

With `--ceiling` the same people all read one signed-in page that has no data of its own (the
accessibility statement) as fast as the server answers, and it prints what was served, with
no targets: the most this machine serves of any page while locust shares its cores, the
ceiling the mix's figures sit under.
"""

import argparse
import contextlib
import csv
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench.run import PLANNER_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = 8077
HOST = f"http://127.0.0.1:{PORT}"
PG = "postgres://postgres@127.0.0.1:5432"
CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main"]
# Two cores: a worker process each (Python runs one thread at a time per process), with
# threads to overlap the waits on PostgreSQL. --workers/--threads try other shapes.
WORKERS, THREADS = 2, 4
PEOPLE = {"staff": 30, "dsl": 40, "hub": 40}
RECORD_EVERY = 3.0  # seconds per concern per member of staff: 30 / 3 = 10 a second
READ_EVERY = 1.0  # seconds per page per reader: 80 a second
OUTAGE_AT, OUTAGE_SECONDS, KILL_AT = 20, 10, 40
TARGETS = {
    "requests a second": ("min", 200),
    "errors": ("max", 0),
    "reads p95 ms": ("max", 100),
    "submissions p95 ms": ("max", 200),
    "worker RSS MB": ("max", 150),
}
SUBMISSION = "record: send (submission)"


def say(message):
    print(message, flush=True)


def _environment(database, static_root):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="safeguarding.settings",
        DATABASE_URL=f"{PG}/{database}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="https://127.0.0.1",
        BEHIND_TLS_PROXY="true",
        STATIC_ROOT=str(static_root),
        # Notifications are written to the outbox as ever; nothing is sent from here.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        ENV_FILE=str(static_root / "none.env"),
    )
    sys.path.insert(0, str(ROOT))


# 1. The database and the accounts ----------------------------------------------------------


def prepare(database, template):
    say(f"Copying {template} into a fresh {database} ...")
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database])
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", "-T", template, database], check=True
    )
    # The copy's sequences keep the template's values already written ahead to the log
    # (`log_cnt`), and PostgreSQL writes no more until a checkpoint has passed: stopped
    # abruptly before one (the fault test), the server would hand out again the ids given
    # since the copy, and new rows would collide with those kept (found by the fault test, as
    # 500s on submissions). A checkpoint now makes the first new id write the log again.
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CHECKPOINT"], check=True)
    # The server settings docs/scaling.md recommends, for this database only.
    for setting in PLANNER_SETTINGS:
        statement = f"ALTER DATABASE {database} SET {setting}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", statement], check=True)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    vacuum = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "VACUUM (ANALYZE)", database]
    subprocess.run(vacuum)
    return accounts()


def signed_in_session(user):
    """A session signed in as `user` with their second factor, as Django's test client's
    force_login makes one and schools.demo.second_factor_used marks it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from schools.adapters import SIGNED_IN_AT
    from schools.demo import second_factor_used

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT] = timezone.now().isoformat()
    second_factor_used(session, user)
    session.create()
    return session.session_key


def accounts():
    """Load accounts, each with what its journeys need, as locust reads them."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from advice.models import AdviceRequest, AdviceStatus
    from concerns.models import Concern
    from schools.models import LocalAuthority, Membership, Pupil, Role, School, User

    unusable = make_password(None)  # these accounts never type a password
    authority = LocalAuthority.objects.get(code="LUT")
    busiest = list(
        School.objects.filter(local_authority=authority)
        .annotate(n=Count("concerns"))
        .order_by("-n", "pk")[:18]
    )
    open_requests = list(
        AdviceRequest.objects.filter(
            local_authority=authority, status__in=[AdviceStatus.OPEN, AdviceStatus.CLAIMED]
        ).values_list("pk", flat=True)
    )
    made = {role: [] for role in PEOPLE}

    def person(role, index, membership_role, school=None):
        user = User.objects.create(
            email=f"load-{role}-{index:03d}@load.example",
            full_name=f"Load {role} {index}",
            password=unusable,
        )
        TOTP.activate(user, generate_totp_secret())  # every account has a second factor
        Membership.objects.create(
            user=user,
            role=membership_role,
            school=school,
            local_authority=None if school else authority,
        )
        return {
            "email": user.email,
            "cookie": settings.SESSION_COOKIE_NAME,
            "session": signed_in_session(user),
        }

    for index in range(PEOPLE["staff"]):
        school = busiest[index % len(busiest)]
        pupils = list(
            Pupil.objects.filter(school=school)
            .order_by("?")
            .values_list("given_name", "family_name", "pk")[:30]
        )
        made["staff"].append(person("staff", index, Role.STAFF, school) | {"pupils": pupils})
    for index in range(PEOPLE["dsl"]):
        school = busiest[index % len(busiest)]
        concerns = Concern.objects.filter(school=school)
        made["dsl"].append(
            person("dsl", index, Role.DSL, school)
            | {
                "concerns": list(concerns.order_by("?").values_list("pk", flat=True)[:30]),
                "chronologies": list(
                    concerns.values("pupil")
                    .annotate(n=Count("pk"))
                    .order_by("-n")
                    .values_list("pupil", flat=True)[:5]
                ),
            }
        )
    for index in range(PEOPLE["hub"]):
        made["hub"].append(
            person("hub", index, Role.HUB_ADVISOR)
            | {"requests": secrets.SystemRandom().sample(open_requests, 50)}
        )
    return made


# 2. gunicorn ---------------------------------------------------------------------------------


def start_gunicorn(log, workers, threads):
    from django.db import connections

    connections.close_all()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "safeguarding.wsgi",
            f"--bind=127.0.0.1:{PORT}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--worker-class=gthread",
            "--timeout=30",
            "--graceful-timeout=5",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            ready = urllib.request.Request(
                f"{HOST}/accessibility/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(ready, timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(server)
    raise SystemExit("gunicorn did not start: see its log.")


def worker_memory(server):
    import psutil

    return [child.memory_info().rss / 2**20 for child in psutil.Process(server.pid).children()]


def cpu_seconds(server, database):
    """CPU time used so far by the gunicorn workers and by the database's server processes
    serving the load database: what each request costs, whoever else shares the machine."""
    import psutil
    from django.db import connection

    workers = sum(sum(c.cpu_times()[:2]) for c in psutil.Process(server.pid).children())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    connection.close()
    postgres = 0.0
    for pid in backends:
        with contextlib.suppress(psutil.Error):  # a connection that closed meanwhile
            postgres += sum(psutil.Process(pid).cpu_times()[:2])
    return workers, postgres


def stop_gunicorn(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# 3. locust and 4. the faults ----------------------------------------------------------------


def run_locust(seconds, work, accounts_file, ceiling=False):
    users = sum(PEOPLE.values())
    env = {
        **os.environ,
        **({"LOAD_CEILING": "1"} if ceiling else {}),
        "LOAD_ACCOUNTS": str(accounts_file),
        "LOAD_LOG": str(work / "requests.csv"),
        "LOAD_ACKS": str(work / "acknowledged.txt"),
        "LOAD_RECORD_EVERY": str(RECORD_EVERY),
        "LOAD_READ_EVERY": str(READ_EVERY),
    }
    return subprocess.Popen(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            f"--users={users}",
            "--spawn-rate=20",
            f"--run-time={seconds}s",
            f"--host={HOST}",
            f"--csv={work / 'locust'}",
            "--only-summary",
            "--stop-timeout=10",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )


def database_is_up():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


def start_database():
    if not database_is_up():
        subprocess.run([*CLUSTER, "start"], check=False)
    for _ in range(600):  # crash recovery after an immediate stop can take a few seconds
        if database_is_up():
            return time.time()
        time.sleep(0.1)
    raise SystemExit("PostgreSQL did not come back: start it with pg_ctlcluster 15 main start")


def faults(server, started, timeline):
    """Stop PostgreSQL for 10 s, then kill one worker. PostgreSQL is always started again."""
    time.sleep(max(0, started + OUTAGE_AT - time.time()))
    timeline["database stopped"] = time.time()
    try:
        subprocess.run([*CLUSTER, "stop", "-m", "immediate"], check=True)
        time.sleep(OUTAGE_SECONDS)
    finally:
        timeline["database back"] = start_database()
    say(f"  PostgreSQL was down {timeline['database back'] - timeline['database stopped']:.1f} s")
    time.sleep(max(0, started + KILL_AT - time.time()))
    import psutil

    victim = psutil.Process(server.pid).children()[0]
    timeline["worker killed"] = time.time()
    victim.kill()
    say(f"  killed worker {victim.pid}")


# Figures -------------------------------------------------------------------------------------


def _p95(values):
    return statistics.quantiles(values, n=100, method="inclusive")[94] if values else 0.0


def _answered(row):
    """A success or a redirect: a search is answered with 303 (POST/redirect/GET)."""
    return row["status"][:1] in {"2", "3"}


def figures(work, seconds, rss):
    rows = list(csv.DictReader(open(work / "requests.csv")))  # noqa: SIM115
    reads = [float(r["ms"]) for r in rows if r["name"].startswith(("dsl:", "hub:", "ceiling:"))]
    sends = [float(r["ms"]) for r in rows if r["name"] == SUBMISSION]
    errors = [r for r in rows if int(r["status"]) == 0 or int(r["status"]) >= 400]
    # A journey that broke off with an exception (a page it could not read) is an error too,
    # though every request it made was answered.
    broken = work / "locust_exceptions.csv"
    broken = sum(int(r["Count"]) for r in csv.DictReader(open(broken))) if broken.exists() else 0  # noqa: SIM115
    return rows, {
        "requests": len(rows),
        "requests a second": round(len(rows) / seconds, 1),
        "errors": len(errors) + broken,
        "reads": len(reads),
        "reads p95 ms": round(_p95(reads), 1),
        "submissions": len(sends),
        "submissions a second": round(len(sends) / seconds, 1),
        "submissions p95 ms": round(_p95(sends), 1),
        "worker RSS MB": round(max(rss), 1),
    }


def verdicts(results, targets):
    missed = []
    for name, (kind, limit) in targets.items():
        value = results[name]
        ok = value >= limit if kind == "min" else value <= limit
        say(
            f"  {name:<24} {value:>10}   target {'>=' if kind == 'min' else '<='} {limit}"
            f"   {'ok' if ok else 'MISSED'}"
        )
        if not ok:
            missed.append(name)
    return missed


def check_data(work, rows, timeline):
    """After the faults: nothing half-written, nothing acknowledged lost, the right page."""
    from django.core.management import CommandError, call_command
    from django.db import connections
    from django.db.models import Count, Q

    from audit.models import AuditEvent
    from concerns.models import Concern

    connections.close_all()
    checks = {}
    started = timeline["load started"]
    new = Concern.objects.filter(recorded_at__gte=_aware(started))
    checks["concerns recorded during the run"] = new.count()
    incomplete = new.annotate(
        categories_n=Count("categories", distinct=True),
        recorded_n=Count("events", filter=Q(events__action="record_concern"), distinct=True),
    ).filter(Q(categories_n=0) | Q(recorded_n=0))
    checks["concerns without their categories or history (must be 0)"] = incomplete.count()
    audited = set(
        AuditEvent.objects.filter(
            action="workflow.record_concern", at__gte=_aware(started)
        ).values_list("object_id", flat=True)
    )
    unaudited = [pk for pk in new.values_list("pk", flat=True) if str(pk) not in audited]
    checks["concerns without their audit row (must be 0)"] = len(unaudited)
    acks = [k for k in (work / "acknowledged.txt").read_text().split() if k]
    found = Concern.objects.filter(submission_key__in=acks).count()
    checks["submissions acknowledged"] = len(acks)
    checks["acknowledged but not in the database (must be 0)"] = len(set(acks)) - found
    out = open(work / "verify.txt", "w+")  # noqa: SIM115
    try:
        call_command("verify_audit_chain", stdout=out)
        chain_ok = True
    except CommandError as broken:
        out.write(str(broken))
        chain_ok = False
    out.seek(0)
    checks["audit chain"] = out.read().strip()
    stopped, back = timeline["database stopped"], timeline["database back"]
    during = [r for r in rows if stopped <= float(r["at"]) <= back + 1]
    served = [r for r in during if r["status"] == "503" and r["unavailable"] == "1"]
    other = [r for r in during if not _answered(r) and r["status"] != "503"]
    checks["requests during the outage"] = len(during)
    checks["... answered with the 'service unavailable' page"] = len(served)
    checks["... answered otherwise than 2xx/3xx or that page (must be 0)"] = len(other)
    after = sorted(float(r["at"]) for r in rows if float(r["at"]) > back and _answered(r))
    checks["first success after the database returned (s, target <= 5)"] = (
        round(after[0] - back, 2) if after else None
    )
    killed = timeline["worker killed"]
    around_kill = [
        r for r in rows if killed <= float(r["at"]) <= killed + 5 and int(r["status"]) in {0}
    ]
    checks["requests cut off by the killed worker"] = len(around_kill)
    # A stack trace's status, at any time in the run, outage or not: the user saw an error
    # page instead of their answer. (503 is the service unavailable page, counted above.)
    crashed = [r for r in rows if r["status"][:1] == "5" and r["status"] != "503"]
    checks["answered with a server error at any time (must be 0)"] = len(crashed)
    ok = (
        checks["concerns without their categories or history (must be 0)"] == 0
        and checks["concerns without their audit row (must be 0)"] == 0
        and checks["acknowledged but not in the database (must be 0)"] == 0
        and chain_ok
        and len(served) > 0
        and len(other) == 0
        and not crashed
        and after
        and after[0] - back <= 5
    )
    return checks, ok


def _aware(timestamp):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, tz=UTC)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--faults", action="store_true", help="stop PostgreSQL, kill a worker")
    parser.add_argument(
        "--ceiling", action="store_true", help="everyone reads a page with no data, no targets"
    )
    parser.add_argument("--template", default="sg_scale", help="a built data set to copy")
    parser.add_argument("--database", default="safeguarding_load", help="made afresh")
    parser.add_argument(
        "--share", type=float, default=1.0, help="run this share of the people (0.2: a fifth)"
    )
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args(argv)
    for role, count in PEOPLE.items():
        PEOPLE[role] = max(1, round(count * args.share))
    if args.faults and args.ceiling:
        parser.error("--faults and --ceiling are separate runs")
    if args.faults and args.seconds < KILL_AT + 10:
        parser.error(f"--faults needs --seconds of at least {KILL_AT + 10}")
    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    _environment(args.database, work / "static")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so `finally` blocks run
    import json

    accounts_file = work / "accounts.json"
    accounts_file.write_text(json.dumps(prepare(args.database, args.template)))
    (work / "acknowledged.txt").touch()
    say(f"Load accounts: {PEOPLE}; work files in {work}")
    server = start_gunicorn(open(work / "gunicorn.log", "w"), args.workers, args.threads)  # noqa: SIM115
    timeline = {}
    try:
        load_before = os.getloadavg()
        app_start, _ = cpu_seconds(server, args.database)  # the workers' start-up, not counted
        timeline["load started"] = time.time()
        locust = run_locust(args.seconds, work, accounts_file, ceiling=args.ceiling)
        if args.faults:
            fault = threading.Thread(
                target=faults, args=(server, timeline["load started"], timeline), daemon=True
            )
            fault.start()
        locust.wait()
        if args.faults:
            fault.join()
        rss = worker_memory(server)
        app_cpu, db_cpu = cpu_seconds(server, args.database)
        app_cpu -= app_start
        load_after = os.getloadavg()
    finally:
        if args.faults and not database_is_up():
            start_database()
        stop_gunicorn(server)
    rows, results = figures(work, args.seconds, rss)
    say("")
    say(
        f"Machine: {os.cpu_count()} cores; load average before {load_before[0]:.2f}, "
        f"after {load_after[0]:.2f} (1 min), {load_after[1]:.2f} (5 min)"
    )
    say(
        f"gunicorn {WORKERS} workers x {THREADS} threads; {sum(PEOPLE.values())} people "
        f"({PEOPLE}) for {args.seconds} s; worker RSS at the end: "
        f"{', '.join(f'{m:.0f} MB' for m in rss)}"
    )
    say(
        f"{results['requests']} requests, {results['reads']} page reads, "
        f"{results['submissions']} concerns sent ({results['submissions a second']} a second)"
    )
    app_ms, db_ms = (1000 * cpu / max(results["requests"], 1) for cpu in (app_cpu, db_cpu))
    results["CPU ms a request (gunicorn)"] = round(app_ms, 1)
    results["CPU ms a request (PostgreSQL)"] = round(db_ms, 1)
    capacity = round(2000 / (app_ms + db_ms)) if app_ms + db_ms else 0
    results["requests a second 2 cores could serve"] = capacity
    say(
        f"CPU a request: {app_ms:.1f} ms in gunicorn, {db_ms:.1f} ms in PostgreSQL: two cores "
        f"to themselves would serve about {capacity} a second of this mix"
    )
    missed = []
    if args.faults:
        checks, ok = check_data(work, rows, timeline)
        say("")
        say("After the faults:")
        for name, value in checks.items():
            say(f"  {name}: {value}")
        if not ok:
            missed.append("fault checks")
        targets = {k: v for k, v in TARGETS.items() if k == "worker RSS MB"}
    elif args.ceiling:
        targets = {}  # a measure of the machine, not of the service's pages
    else:
        targets = TARGETS
    say("")
    missed += verdicts(results, targets)
    (work / "results.json").write_text(json.dumps(results, indent=2))
    if not missed:
        shutil.rmtree(work, ignore_errors=True)
    else:
        say(f"Missed: {', '.join(missed)}. Work files kept in {work}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
