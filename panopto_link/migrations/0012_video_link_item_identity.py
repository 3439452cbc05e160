"""A video link's recording key names the whole item the tool returned — its URL (scheme and
host in any case, the default port or none, no fragment) and its custom map (keys sorted,
values as sent) — instead of a `recording_id` custom parameter only the Panopto stand-in sent
(issue 21). Two items a tool launches through one URL and tells apart by their custom
parameters are two videos.

Existing links get the new key by the rule of `permissions.recording_identity` as it stands in
this release (copied here: a migration must not change with the code). Where two links of a
space have the same new key, the first keeps it and the later copies keep none, as in 0010: no
link is deleted. Going back computes 0010's keys the same way. Only values change: the
previous release reads and writes the table as it is."""

import hashlib
import json
from urllib.parse import urlsplit

from django.db import migrations

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalised_url(url):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url.split("#", 1)[0]
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url.split("#", 1)[0]
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    origin = (
        f"{scheme}://{host}"
        if port in (None, DEFAULT_PORTS[scheme])
        else f"{scheme}://{host}:{port}"
    )
    query = f"?{parts.query}" if parts.query else ""
    return f"{origin}{parts.path or '/'}{query}"


def item_identity(url, custom):
    canonical = json.dumps(
        {str(key): str(value) for key, value in (custom or {}).items()},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    text = f"url:{normalised_url(url)}\ncustom:{canonical}"
    return hashlib.sha256(text.encode()).hexdigest()


def recording_id_identity(url, custom):
    """0010's rule."""
    recording_id = str((custom or {}).get("recording_id", "")).strip()
    text = "id:" + recording_id.lower() if recording_id else "url:" + url.split("#", 1)[0]
    return hashlib.sha256(text.encode()).hexdigest()


def keys_fill(identity):
    def fill(apps, schema_editor):
        VideoLink = apps.get_model("panopto_link", "VideoLink")
        keys = {}
        seen = set()
        for video in VideoLink.objects.order_by("space_id", "position", "id").iterator():
            key = identity(video.url, video.custom)
            keys[video.pk] = "" if (video.space_id, key) in seen else key
            seen.add((video.space_id, key))
        # Every key is cleared first: the unique (space, recording_key) constraint must not
        # see a new key while an old one still holds it.
        VideoLink.objects.exclude(recording_key="").update(recording_key="")
        for pk, key in keys.items():
            if key:
                VideoLink.objects.filter(pk=pk).update(recording_key=key)

    return fill


class Migration(migrations.Migration):
    dependencies = [
        ("panopto_link", "0011_database_defaults"),
    ]

    operations = [
        migrations.RunPython(keys_fill(item_identity), keys_fill(recording_id_identity)),
    ]
