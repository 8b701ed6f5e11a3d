"""An operator's command run when the database cannot be reached ends with one line saying
which database and why, and a non-zero exit (cron mails the line; alerts fire on the exit), not
a traceback. The password in DATABASE_URL never appears. The commands are run as cron runs
them, through manage.py, against a port nothing listens on."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret-in-the-url"


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free once the socket is closed: nothing listens there


def manage(tmp_path, *args, database_url):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ENV_FILE": str(tmp_path / "no.env"),
        "SECRET_KEY_FILE": str(tmp_path / "key"),
        "DEBUG": "true",
        "DATABASE_URL": database_url,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "command",
    [
        ["send_notifications"],
        ["verify_audit_chain"],
        ["migrate"],  # Django's own commands too: make run's first step
    ],
)
def test_a_command_against_a_stopped_postgresql_says_so_in_one_line(tmp_path, command):
    port = closed_port()
    url = f"postgres://safeguarding:{PASSWORD}@127.0.0.1:{port}/safeguarding"
    result = manage(tmp_path, *command, database_url=url)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{command[0]} stopped: could not connect to the PostgreSQL database safeguarding at "
        f"127.0.0.1:{port} as safeguarding: Connection refused. Check that the database "
        "server is running and that DATABASE_URL names it."
    ]
    assert PASSWORD not in result.stderr


def test_a_sqlite_file_in_a_missing_directory_says_which_file(tmp_path):
    path = tmp_path / "not-made" / "db.sqlite3"
    result = manage(tmp_path, "purge_drafts", database_url=f"sqlite:///{path}")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"purge_drafts stopped: could not connect to the SQLite database {path}: unable to "
        "open database file. Check that DATABASE_URL names a file in a directory that exists "
        "and can be written."
    ]


def test_another_database_fault_is_not_passed_off_as_unreachable(tmp_path):
    # A database that is there but not migrated is a different fault: the traceback stays.
    path = tmp_path / "empty.sqlite3"
    result = manage(tmp_path, "purge_drafts", database_url=f"sqlite:///{path}")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "no such table" in result.stderr
    assert "could not connect" not in result.stderr


def test_traceback_asked_for_is_given(tmp_path):
    url = f"postgres://safeguarding:{PASSWORD}@127.0.0.1:{closed_port()}/safeguarding"
    result = manage(tmp_path, "purge_drafts", "--traceback", database_url=url)
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_the_suite_against_a_stopped_postgresql_stops_at_once_saying_what_to_do(tmp_path):
    # make test with DATABASE_URL set: one line, not an error and a traceback per test.
    url = f"postgres://safeguarding:{PASSWORD}@127.0.0.1:{closed_port()}/safeguarding"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ENV_FILE": str(tmp_path / "no.env"),
        "DATABASE_URL": url,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "tests/workflow/test_rules.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3
    said = result.stdout + result.stderr
    assert "which cannot be reached: Connection refused. Start PostgreSQL, or unset " in said
    assert "DATABASE_URL to run them on SQLite." in said
    assert "Traceback" not in said
    assert " passed" not in said
    assert " error" not in said
    assert PASSWORD not in said
