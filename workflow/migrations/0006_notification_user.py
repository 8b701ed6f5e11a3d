import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def point_at_people(apps, schema_editor):
    """Each notification queued before now to a user's address points at that user, matched
    whatever the case of the address; one to a hub's shared mailbox is no one's."""
    Notification = apps.get_model("workflow", "Notification")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    LocalAuthority = apps.get_model("schools", "LocalAuthority")
    mailbox = LocalAuthority.objects.filter(hub_email__iexact=OuterRef("recipient"))
    person = User.objects.filter(email__iexact=OuterRef("recipient")).order_by("pk")
    Notification.objects.filter(user__isnull=True).exclude(Exists(mailbox)).update(
        user_id=Subquery(person.values("pk")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0005_notification_settled"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(point_at_people, migrations.RunPython.noop),
    ]
