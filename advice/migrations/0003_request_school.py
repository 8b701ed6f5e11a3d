import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_school_from_concern(apps, schema_editor):
    """Every existing request belongs to its concern's school, as new ones will."""
    AdviceRequest = apps.get_model("advice", "AdviceRequest")
    Concern = apps.get_model("concerns", "Concern")
    AdviceRequest.objects.update(
        school_id=Subquery(
            Concern.objects.filter(pk=OuterRef("concern_id")).values("school_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("advice", "0002_request_local_authority"),
        ("concerns", "0005_index_open_concerns_and_report_periods"),
        ("schools", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="advicerequest",
            name="school",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="schools.school",
            ),
        ),
        migrations.RunPython(copy_school_from_concern, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="advicerequest",
            name="school",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="schools.school",
            ),
        ),
        migrations.AddIndex(
            model_name="advicerequest",
            index=models.Index(fields=["school", "requested_at"], name="request_school_requested"),
        ),
        migrations.AddIndex(
            model_name="advicerequest",
            index=models.Index(fields=["school", "status", "due_at"], name="request_school_status"),
        ),
    ]
