import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_authority_from_school(apps, schema_editor):
    """Every existing request goes to its concern's school's authority, as new ones will."""
    AdviceRequest = apps.get_model("advice", "AdviceRequest")
    Concern = apps.get_model("concerns", "Concern")
    AdviceRequest.objects.update(
        local_authority_id=Subquery(
            Concern.objects.filter(pk=OuterRef("concern_id")).values("school__local_authority_id")[
                :1
            ]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("advice", "0001_initial"),
        ("concerns", "0004_index_closure_closed_at"),
        ("schools", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="advicerequest",
            name="local_authority",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="schools.localauthority",
            ),
        ),
        migrations.RunPython(copy_authority_from_school, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="advicerequest",
            name="local_authority",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="schools.localauthority",
            ),
        ),
        migrations.AddIndex(
            model_name="advicerequest",
            index=models.Index(
                fields=["local_authority", "status", "urgency", "due_at", "id"],
                name="request_authority_status",
            ),
        ),
        migrations.AddIndex(
            model_name="advicerequest",
            index=models.Index(fields=["requested_at"], name="request_requested_at"),
        ),
    ]
