"""Checks `manage.py check --deploy` adds for a live service (SECURITY.md)."""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def database_is_postgresql(app_configs, **kwargs):
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return []
    return [
        CheckWarning(
            "DATABASE_URL is not a PostgreSQL database.",
            hint="A live service needs PostgreSQL: only there does a trigger refuse changes to "
            "the audit trail, and SQLite serves one writer at a time. Unset, DATABASE_URL is a "
            "SQLite file beside the code.",
            id="safeguarding.W001",
        )
    ]
