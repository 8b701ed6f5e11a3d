import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_school_from_concern(apps, schema_editor):
    """Every existing conversation, escalation and closure belongs to its concern's school,
    as new ones will."""
    Concern = apps.get_model("concerns", "Concern")
    school = Subquery(Concern.objects.filter(pk=OuterRef("concern_id")).values("school_id")[:1])
    for name in ["ParentConversation", "Escalation", "Closure"]:
        apps.get_model("concerns", name).objects.update(school_id=school)


def _school(null):
    return models.ForeignKey(
        db_index=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="schools.school",
    )


MODELS = ["parentconversation", "escalation", "closure"]


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0005_index_open_concerns_and_report_periods"),
        ("schools", "0001_initial"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=model, name="school", field=_school(null=True))
            for model in MODELS
        ),
        migrations.RunPython(copy_school_from_concern, migrations.RunPython.noop),
        *(
            migrations.AlterField(model_name=model, name="school", field=_school(null=False))
            for model in MODELS
        ),
        migrations.AddIndex(
            model_name="parentconversation",
            index=models.Index(fields=["school", "logged_at"], name="conversation_school_logged"),
        ),
        migrations.AddIndex(
            model_name="escalation",
            index=models.Index(
                fields=["school", "escalated_at"], name="escalation_school_escalated"
            ),
        ),
        migrations.AddIndex(
            model_name="closure",
            index=models.Index(fields=["school", "closed_at"], name="closure_school_closed"),
        ),
    ]
