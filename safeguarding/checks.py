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


@register(Tags.security, deploy=True)
def authenticator_keys_are_apart(app_configs, **kwargs):
    if settings.SECRET_KEY not in settings.MFA_SECRET_KEYS:
        return []
    return [
        CheckWarning(
            "MFA_SECRET_KEYS is unset or holds SECRET_KEY.",
            hint="Give authenticator secrets keys of their own: replacing SECRET_KEY (after a "
            "leak) would otherwise leave every authenticator app unreadable (SECURITY.md).",
            id="safeguarding.W002",
        )
    ]
