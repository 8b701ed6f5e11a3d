import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BATCH = 500


def read_marks_from_the_audit_trail(apps, schema_editor):
    """Each person's last opening of each concern that has addenda, from the audit trail's
    `concern.view` rows, so that the inbox does not show every addendum ever added as new
    on the day it starts to say so. Concerns without addenda need no mark."""
    Addendum = apps.get_model("concerns", "Addendum")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ConcernRead = apps.get_model("concerns", "ConcernRead")
    concern_ids = sorted(set(Addendum.objects.values_list("concern_id", flat=True)))
    for start in range(0, len(concern_ids), BATCH):
        batch = [str(pk) for pk in concern_ids[start : start + BATCH]]
        last_views = (
            AuditEvent.objects.filter(
                action="concern.view",
                object_type="concern",
                object_id__in=batch,
                actor_id__isnull=False,
            )
            .order_by()
            .values("object_id", "actor_id")
            .annotate(last=models.Max("at"))
        )
        ConcernRead.objects.bulk_create(
            ConcernRead(
                concern_id=int(view["object_id"]), user_id=view["actor_id"], read_at=view["last"]
            )
            for view in last_views
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_school_at_covering_index"),
        ("concerns", "0019_add_file_to_delete"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ConcernRead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("read_at", models.DateTimeField()),
                (
                    "concern",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="concerns.concern",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("concern", "user"), name="concern_read_once")
                ],
            },
        ),
        migrations.RunPython(read_marks_from_the_audit_trail, migrations.RunPython.noop),
    ]
