"""Locust journeys for `make loadtest` and `make faulttest` (run by bench/load.py).

Three roles, each locust user with an account of its own, made by bench/load.py with a
session already signed in (as the test client's force_login makes one): allauth lets one
address sign in 30 times a minute, a brake on password guessing, and every locust user
comes from 127.0.0.1. Sign-in itself, with its second factor, is tested by the suite.

- members of staff record concerns: find the pupil, answer every question page, check and
  send (the "send" is the submission; the service acknowledges it by redirecting to the
  confirmation, and each acknowledged one is written to LOAD_ACKS);
- DSLs read: the inbox, a concern, a pupil's chronology, the inbox filtered;
- hub advisors read: the queue, an advice request, the queue filtered.

With LOAD_CEILING set (`bench/load.py --ceiling`), every one of those people instead reads the
accessibility statement, signed in, as fast as the server answers: a page with no data of its
own through the same middleware and layout (session, sign-in, second factor, membership), so
what is served is the most this machine can serve of any signed-in page while it also runs
locust.

The service runs as it would behind a TLS proxy (X-Forwarded-Proto: https, which
BEHIND_TLS_PROXY trusts), so its cookies are marked Secure; the journeys keep sending them over
the loopback connection. Redirects are not followed: each request is counted once, by name.
"""

import csv
import json
import os
import random
import re
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from locust import FastHttpUser, constant_pacing, events, task

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())  # noqa: SIM115
# As many locust users of each role as there are accounts (not locust's even split).
PEOPLE = {role: len(accounts) for role, accounts in ACCOUNTS.items()}
RECORD_EVERY = float(os.environ.get("LOAD_RECORD_EVERY", "3"))  # seconds per concern each
READ_EVERY = float(os.environ.get("LOAD_READ_EVERY", "1"))  # seconds per page each
CEILING = bool(os.environ.get("LOAD_CEILING"))
CEILING_EVERY = 0.25  # seconds per page each: 110 people offer 440 a second
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_pool_lock = threading.Lock()
_log = None


@events.init.add_listener
def _open_log(environment, **kwargs):
    global _log
    if os.environ.get("LOAD_LOG"):
        _log = csv.writer(open(os.environ["LOAD_LOG"], "w", buffering=1, newline=""))  # noqa: SIM115
        _log.writerow(["at", "name", "status", "ms", "unavailable"])


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, **kwargs):
    """Every request, with when it ended, for the fault test's timeline."""
    if _log is not None:
        status = getattr(response, "status_code", 0) or 0
        text = (getattr(response, "text", "") or "") if status == 503 else ""
        unavailable = int("Sorry, the service is unavailable" in text)
        _log.writerow([f"{time.time():.3f}", name, status, f"{response_time:.1f}", unavailable])


def _location(response):
    """Where a redirect points; nothing if the connection was cut (a killed worker)."""
    return (response.headers or {}).get("Location", "")


def _cookie(name, value):
    from http.cookiejar import Cookie

    return Cookie(
        0,
        name,
        value,
        None,
        False,
        "127.0.0.1",
        False,
        False,
        "/",
        True,
        False,
        None,
        False,
        None,
        None,
        {},
    )


class Person(FastHttpUser):
    abstract = True
    role = ""

    def on_start(self):
        with _pool_lock:
            self.account = ACCOUNTS[self.role].pop()
        self.headers = {"X-Forwarded-Proto": "https"}
        self.sign_in()

    # Cookies are Secure (the service believes it is behind TLS); keep sending them here.
    def _unsecure(self):
        for cookie in self.client.cookiejar:
            cookie.secure = False

    def get(self, path, name, **kwargs):
        response = self.client.get(
            path, name=name, headers=self.headers, allow_redirects=False, **kwargs
        )
        self._unsecure()
        return response

    def post(self, path, name, data, **kwargs):
        headers = {**self.headers, "Referer": f"https://{self.host_name}{path}"}
        data = {**data, "csrfmiddlewaretoken": self.token}
        response = self.client.post(
            path, name=name, data=data, headers=headers, allow_redirects=False, **kwargs
        )
        self._unsecure()
        return response

    @property
    def host_name(self):
        return self.host.split("://", 1)[1]

    def _token_from(self, response):
        match = CSRF.search(response.text or "")
        if match:
            self.token = match.group(1)

    def sign_in(self):
        """The session made for this account: open the start page with it."""
        self.client.cookiejar.set_cookie(_cookie(self.account["cookie"], self.account["session"]))
        response = self.get("/", "start page")
        if response.status_code != 200:
            raise RuntimeError(f"{self.account['email']} is not signed in")
        self._token_from(response)


class Staff(Person):
    """A member of staff recording concerns, one every RECORD_EVERY seconds."""

    abstract = CEILING
    role = "staff"
    fixed_count = PEOPLE["staff"]
    wait_time = constant_pacing(RECORD_EVERY)

    @task
    def record_a_concern(self):
        given, family, pupil = random.choice(self.account["pupils"])
        # The page, then the search sent by POST: its results are at an address with a token
        # for it, never the name.
        self._token_from(self.get("/concerns/new/pupil/", "record: find the pupil"))
        search = {"q": f"{given} {family}"}
        results = _location(self.post("/concerns/new/pupil/", "record: search", search))
        if "?search=" not in results:
            return
        self._token_from(self.get(results, "record: the pupils found"))
        response = self.post(results, "record: choose", {"pupil": pupil})
        page = _location(response)
        if response.status_code != 302 or "/drafts/" not in page:
            return
        seen = datetime.now(ZoneInfo("Europe/London")) - timedelta(hours=2)
        answers = {
            "when": {
                "observed_on_0": seen.day,
                "observed_on_1": seen.month,
                "observed_on_2": seen.year,
                "observed_time": f"{seen:%H:%M}",
            },
            "where": {"location": "Playground"},
            "categories": {"categories": random.choice(["neglect", "online_safety", "other"])},
            "what-happened": {
                "what_happened": "Arrived without a coat and said there was no breakfast."
            },
            "child-words": {"child_words": "I didn't have breakfast."},
            "others": {"others_present": "Tom Brown (teaching assistant)"},
            "action": {"immediate_action": "Gave breakfast club food and told the DSL."},
            "risk": {"immediate_risk": "no"},
        }
        while "/drafts/" in page and not page.rstrip("/").endswith("check"):
            slug = page.rstrip("/").rsplit("/", 1)[1]
            response = self.post(page, f"record: {slug}", answers.get(slug, {}))
            if response.status_code != 302:
                return
            page = _location(response)
        response = self.post(page, "record: send (submission)", {})
        done = _location(response)
        if response.status_code == 302 and "/recorded/" in done:
            key = done.rstrip("/").rsplit("/", 1)[1]
            with open(os.environ["LOAD_ACKS"], "a") as acks:
                acks.write(key + "\n")
            self.get(done, "record: confirmation")


class DSL(Person):
    """A designated safeguarding lead working through the inbox."""

    abstract = CEILING
    role = "dsl"
    fixed_count = PEOPLE["dsl"]
    wait_time = constant_pacing(READ_EVERY)

    @task(4)
    def inbox(self):
        self.get("/concerns/", "dsl: inbox")

    @task(4)
    def concern(self):
        self.get(f"/concerns/{random.choice(self.account['concerns'])}/", "dsl: concern page")

    @task(2)
    def chronology(self):
        pupil = random.choice(self.account["chronologies"])
        self.get(f"/concerns/pupils/{pupil}/chronology/", "dsl: pupil chronology")

    @task(1)
    def inbox_filtered(self):
        self.get("/concerns/?status=with_hub", "dsl: inbox, filtered")


class HubAdvisor(Person):
    """An Early Help Hub advisor working through the queue."""

    abstract = CEILING
    role = "hub"
    fixed_count = PEOPLE["hub"]
    wait_time = constant_pacing(READ_EVERY)

    @task(4)
    def queue(self):
        self.get("/hub/", "hub: queue")

    @task(5)
    def request(self):
        self.get(f"/hub/requests/{random.choice(self.account['requests'])}/", "hub: request")

    @task(1)
    def queue_filtered(self):
        self.get("/hub/?status=open&urgency=red", "hub: queue, filtered")


class Ceiling(Person):
    """With LOAD_CEILING: every person reads a signed-in page with no data of its own."""

    abstract = not CEILING
    fixed_count = sum(PEOPLE.values())
    wait_time = constant_pacing(CEILING_EVERY)

    def on_start(self):
        with _pool_lock:
            self.role = next(role for role, accounts in ACCOUNTS.items() if accounts)
        super().on_start()

    @task
    def static_page(self):
        self.get("/accessibility/", "ceiling: accessibility statement")
