"""Work started on several database connections at the same moment, for the race tests."""

import threading
import time

import pytest
from django.db import connection

# Simultaneous writers need a database that lets them run at once and locks rows: PostgreSQL.
# SQLite runs one writer at a time by design, so there is no race there to test.
simultaneous_writers = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are PostgreSQL's; SQLite runs one writer at a time by design",
)


def at_once(*jobs, timeout=60):
    """Run each job in a thread of its own, all released together, each on its own database
    connection (closed when the job ends). Returns what the jobs raised, so a test can assert
    that nothing was."""
    start = threading.Barrier(len(jobs))
    raised = []

    def run(job):
        start.wait()
        try:
            job()
        except Exception as error:  # noqa: BLE001: handed back to the test, not swallowed
            raised.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return raised


def hold_locks_a_moment(monkeypatch, module, seconds=0.3, name="audit"):
    """Make `module`'s steps pause before writing their audit row (through `module.<name>`),
    inside their transaction, so the first to take a row's lock (or write a row the other will
    collide with) still holds it when the other, started with it, arrives."""
    real_audit = getattr(module, name)

    def slow_audit(*args, **kwargs):
        time.sleep(seconds)
        return real_audit(*args, **kwargs)

    monkeypatch.setattr(module, name, slow_audit)
