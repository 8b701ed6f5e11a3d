"""Whether the database can be reached, said in one line an operator can act on.

Every management command runs through manage.py, which runs it with `run_command`: a command
that cannot connect to the database (PostgreSQL stopped, a wrong DATABASE_URL, a SQLite file in
a directory that is not there) ends with one line on stderr naming the database and why, and
exit status 1, not a traceback. Cron mails that line; an alert on the exit status fires. The
line never holds the password. Any other error is raised as before: it is a fault to look into.
"""

import sys

from django.db import DatabaseError, connections

# What an operator can do about it, whichever command it was.
ADVICE = {
    "sqlite": "Check that DATABASE_URL names a file in a directory that exists and can be written.",
    "postgresql": "Check that the database server is running and that DATABASE_URL names it.",
}


def described(alias="default"):
    """The database as an operator knows it, without the password."""
    settings = connections[alias].settings_dict
    if connections[alias].vendor == "sqlite":
        return f"the SQLite database {settings['NAME']}"
    where = f"{settings.get('HOST') or 'localhost'}:{settings.get('PORT') or 5432}"
    user = f" as {settings['USER']}" if settings.get("USER") else ""
    return f"the PostgreSQL database {settings['NAME']} at {where}{user}"


def reason(error):
    """The driver's own words for why a connection failed, in one line without the password.

    psycopg says "connection failed: connection to server at "h", port 5432 failed: FATAL:
    database "x" does not exist", then a hint on another line: the part after the last
    "failed:" is the reason."""
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    said = first.rsplit("failed:", 1)[-1].strip().removeprefix("FATAL:").strip()
    for alias in connections:
        password = connections[alias].settings_dict.get("PASSWORD")
        if password:
            said = said.replace(password, "***")
    return said or type(error).__name__


def unreachable(alias="default"):
    """None if a new connection to the database can be made now, else the reason it cannot."""
    connection = connections[alias]
    try:
        connection.close()
        connection.ensure_connection()
    except DatabaseError as error:
        return reason(error)
    return None


def run_command(argv):
    """Run a management command; one line and exit status 1 if the database cannot be reached.

    `--traceback` keeps Django's own behaviour, for whoever wants the whole story."""
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except DatabaseError:
        if "--traceback" in argv:
            raise
        why = unreachable()
        if why is None:  # the database is there: this is some other fault
            raise
        command = argv[1] if len(argv) > 1 else "manage.py"
        sys.stderr.write(
            f"{command} stopped: could not connect to {described()}: {why}. "
            f"{ADVICE.get(connections['default'].vendor, ADVICE['postgresql'])}\n"
        )
        sys.exit(1)
