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
            # Nullable: the launch records of servers of the previous release, which run beside
            # this one during a release, do not name it.
            field=models.JSONField(
                blank=True, default=dict, editable=False, null=True, verbose_name="sent"
            ),
        ),
    ]
