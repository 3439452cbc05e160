"""Video links carry the recording's date and length when the tool sent them, and a key naming
the recording, so that a space links each recording once (issue 14).

Existing links get their key by the rule of `permissions.recording_identity` as it stands in
this release (copied here: a migration must not change with the code). Where a space already
linked the same recording twice, the first keeps the key and the later copies keep none: no
link is deleted, and the lecturer can remove the copy."""

import hashlib

from django.db import migrations, models
from django.db.models import Q


def identity(url, custom):
    recording_id = str((custom or {}).get("recording_id", "")).strip()
    if recording_id:
        text = "id:" + recording_id.lower()
    else:
        text = "url:" + url.split("#", 1)[0]
    return hashlib.sha256(text.encode()).hexdigest()


def keys_fill(apps, schema_editor):
    VideoLink = apps.get_model("panopto_link", "VideoLink")
    seen = set()
    for video in VideoLink.objects.order_by("space_id", "position", "id").iterator():
        key = identity(video.url, video.custom)
        if (video.space_id, key) in seen:
            continue
        seen.add((video.space_id, key))
        VideoLink.objects.filter(pk=video.pk).update(recording_key=key)


class Migration(migrations.Migration):

    dependencies = [
        ("panopto_link", "0009_launch_record_sent"),
    ]

    operations = [
        migrations.AddField(
            model_name="videolink",
            name="recorded_on",
            field=models.DateField(blank=True, null=True, verbose_name="recorded on"),
        ),
        migrations.AddField(
            model_name="videolink",
            name="duration_seconds",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="length (seconds)"),
        ),
        migrations.AddField(
            model_name="videolink",
            name="recording_key",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="recording key"),
        ),
        migrations.RunPython(keys_fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="videolink",
            constraint=models.UniqueConstraint(
                condition=~Q(recording_key=""),
                fields=("space", "recording_key"),
                name="videolink_recording_once_per_space",
                violation_error_message="This recording is already linked to the space.",
            ),
        ),
    ]
