"""What an accepted launch step sent (issue 12): the launch record's `sent`, shown in words in
the admin."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("panopto_link", "0008_existing_folders"),
    ]

    operations = [
        migrations.AddField(
            model_name="launchrecord",
            name="sent",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="sent"),
        ),
    ]
