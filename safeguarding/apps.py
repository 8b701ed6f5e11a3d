from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SafeguardingConfig(AppConfig):
    default = True
    name = "safeguarding"
    verbose_name = "Safeguarding service"

    def ready(self):
        from . import checks, db  # noqa: F401  (checks registers itself)

        db.connect()


class OperatorsAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with a site only the service's operators may use (admin.py)."""

    default = False
    default_site = "safeguarding.admin.OperatorsAdminSite"
