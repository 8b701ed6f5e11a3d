from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "Safeguarding service"

    def ready(self):
        from . import db

        db.connect()
