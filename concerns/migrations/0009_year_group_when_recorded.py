"""Each concern keeps the pupil's year group when it was recorded.

Concerns recorded before this take the pupil's year group now: the best there is, and what the
report showed until now.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0008_escalation_submission_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="year_group",
            field=models.CharField(
                choices=[
                    ("N", "Nursery"),
                    ("R", "Reception"),
                    ("1", "Year 1"),
                    ("2", "Year 2"),
                    ("3", "Year 3"),
                    ("4", "Year 4"),
                    ("5", "Year 5"),
                    ("6", "Year 6"),
                    ("7", "Year 7"),
                    ("8", "Year 8"),
                    ("9", "Year 9"),
                    ("10", "Year 10"),
                    ("11", "Year 11"),
                    ("12", "Year 12"),
                    ("13", "Year 13"),
                ],
                default="",
                max_length=2,
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(
            "UPDATE concerns_concern SET year_group = ("
            "SELECT year_group FROM schools_pupil WHERE schools_pupil.id = concerns_concern.pupil_id)",
            migrations.RunSQL.noop,
        ),
    ]
