"""The newest recordings of each confirmed folder (SPEC §7, "Show"), kept in the shared cache.

`panopto_confirm` fills it (`recent_recordings_refresh`: `GetSessionsList`, newest first, for
the folders whose copy is missing or older than REFRESH_AFTER); the pages read it
(`recent_recordings`: one round trip to the cache for all their folders, no query, never a
call to Panopto — decision 18). A cache that is down shows no recordings: the page stays.
"""

import datetime
import time
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from urllib.parse import urljoin

from core import shared_cache
from panopto_link.lti.origins import origin
from panopto_link.models import PanoptoFolder
from panopto_link.panopto_api import soap
from panopto_link.panopto_api.connection import ApiConnection

SHOWN = 3  # recordings per folder
REFRESH_AFTER_SECONDS = 15 * 60
KEPT_SECONDS = 7 * 24 * 60 * 60  # a copy stands in while Panopto cannot be asked
REFRESHED_AT_MOST = 200  # folders per run: a term's start must not become a burst of calls


class RecentRecording(NamedTuple):
    title: str
    start_time: datetime.datetime | None
    duration_seconds: float | None
    thumbnail_url: str = ""  # on the Panopto site only (`thumbnail_on_site`); "" for none

    @property
    def duration_text(self) -> str:
        if not self.duration_seconds:
            return ""
        minutes, seconds = divmod(round(self.duration_seconds), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


# A folder's copy in the cache is plain data, (fetched_at, ((title, start as POSIX seconds or
# None, duration, thumbnail), …)): a page unpickles dozens of them, and tuples of numbers and
# strings cost a fraction of objects with time zones. The key's version changes with the shape.
_Row = tuple[str, float | None, float | None, str]
_Copy = tuple[float, tuple[_Row, ...]]


def _row(recording: RecentRecording) -> _Row:
    start_time = recording.start_time
    if start_time is not None and start_time.tzinfo is None:
        start_time = start_time.replace(tzinfo=datetime.UTC)  # xs:dateTime without an offset
    start = start_time.timestamp() if start_time is not None else None
    return (recording.title, start, recording.duration_seconds, recording.thumbnail_url)


def _recording(row: _Row) -> RecentRecording:
    title, start, duration, thumbnail = row
    start_time = datetime.datetime.fromtimestamp(start, datetime.UTC) if start is not None else None
    return RecentRecording(title, start_time, duration, thumbnail)


def thumbnail_on_site(thumb_url: str, *, connection: ApiConnection) -> str:
    """The recording's thumbnail as an absolute URL on the Panopto site, or "": Panopto's
    `ThumbUrl` may be a path on its site, which is resolved against the site URL; a thumbnail
    anywhere else (another host, a `data:` or `javascript:` URL) is left out, since the pages'
    Content Security Policy lets images come only from the portal and the registered Panopto
    site (`ToolImagesMiddleware`)."""
    if not thumb_url:
        return ""
    absolute = urljoin(connection.site_url.rstrip("/") + "/", thumb_url.strip())
    if connection.origin is None or origin(absolute) != connection.origin:
        return ""
    return absolute


def _key(panopto_id: str) -> str:
    return f"panopto:recent:2:{panopto_id}"


def recordings_keep(panopto_id: str, recordings: Sequence[RecentRecording]) -> None:
    """Keep the folder's newest recordings for the pages (raises SharedCacheUnavailable)."""
    copy: _Copy = (time.time(), tuple(_row(recording) for recording in recordings))
    shared_cache.set(_key(panopto_id), copy, KEPT_SECONDS)


def recent_recordings(panopto_ids: Iterable[str]) -> dict[str, tuple[RecentRecording, ...]]:
    """The kept newest recordings of each folder, by Panopto folder id (absent: none kept)."""
    ids = [panopto_id for panopto_id in dict.fromkeys(panopto_ids) if panopto_id]
    if not ids:
        return {}
    try:
        found = shared_cache.get_many([_key(panopto_id) for panopto_id in ids])
    except shared_cache.SharedCacheUnavailable:
        return {}
    return {
        panopto_id: tuple(_recording(row) for row in found[_key(panopto_id)][1])
        for panopto_id in ids
        if _key(panopto_id) in found
    }


def recent_recordings_refresh(
    folders: Sequence[PanoptoFolder], *, connection: ApiConnection
) -> tuple[int, str]:
    """Ask Panopto for the newest recordings of the confirmed folders whose copy is missing or
    older than REFRESH_AFTER_SECONDS (at most REFRESHED_AT_MOST of them). Returns how many were
    refreshed, and why the run stopped early ("" when it did not)."""
    ids = [folder.panopto_id for folder in folders if folder.panopto_id]
    try:
        kept = shared_cache.get_many([_key(panopto_id) for panopto_id in ids]) if ids else {}
    except shared_cache.SharedCacheUnavailable as error:
        return 0, str(error)
    now = time.time()
    due = [
        panopto_id
        for panopto_id in ids
        if _key(panopto_id) not in kept or now - kept[_key(panopto_id)][0] > REFRESH_AFTER_SECONDS
    ][:REFRESHED_AT_MOST]
    for done, panopto_id in enumerate(due):
        try:
            sessions = soap.newest_sessions(connection, folder_id=panopto_id, count=SHOWN)
        except (soap.PanoptoApiUnavailable, soap.PanoptoApiRefused) as error:
            return done, str(error)
        recordings = [
            RecentRecording(
                title=session.name,
                start_time=session.start_time,
                duration_seconds=session.duration_seconds,
                thumbnail_url=thumbnail_on_site(session.thumb_url, connection=connection),
            )
            for session in sessions
        ]
        try:
            recordings_keep(panopto_id, recordings)
        except shared_cache.SharedCacheUnavailable as error:
            return done, str(error)
    return len(due), ""
