"""Checks `manage.py check --deploy` adds for a live service (SECURITY.md)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning

from . import static_files


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


@register(deploy=True)
def static_files_collected(app_configs, **kwargs):
    if static_files.collected():
        return []
    return [
        Error(
            f"The static files are not collected in STATIC_ROOT ({settings.STATIC_ROOT}).",
            hint="Every page would fail to draw. Run python manage.py collectstatic --noinput "
            "(after each upgrade too), then start the service.",
            id="safeguarding.E001",
        )
    ]
