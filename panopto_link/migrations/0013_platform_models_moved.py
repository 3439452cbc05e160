"""The LTI platform's models now belong to its own app (`lti_platform` 0001, issue 22): they leave
this app's state only; their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("panopto_link", "0012_video_link_item_identity"),
        ("lti_platform", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="launchrecord", name="space"),
                migrations.RemoveField(model_name="launchrecord", name="user"),
                migrations.DeleteModel(name="ConsumedToken"),
                migrations.DeleteModel(name="PlatformKey"),
                migrations.DeleteModel(name="LaunchRecord"),
            ],
        ),
    ]
