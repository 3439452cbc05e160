"""The newest recordings of each confirmed folder (SPEC §7, "Show"), kept in the shared cache.

`panopto_confirm` fills it (`recent_recordings_refresh`: `GetSessionsList`, newest first, for
the folders whose copy is missing or older than REFRESH_AFTER); the pages read it
(`recent_recordings`: one round trip to the cache for all their folders, no query, never a
call to Panopto — decision 18). A cache that is down shows no recordings: the page stays.
"""

import datetime
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RecentRecording:
    title: str
    start_time: datetime.datetime | None
    duration_seconds: float | None
    # On the Panopto site only (`thumbnail_on_site`); "" for none. A copy kept before
    # thumbnails were kept reads the class's default.
    thumbnail_url: str = ""

    @property
    def duration_text(self) -> str:
        if not self.duration_seconds:
            return ""
        minutes, seconds = divmod(round(self.duration_seconds), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@dataclass(frozen=True)
class _Copy:
    recordings: tuple[RecentRecording, ...]
    fetched_at: float  # time.time()


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
    return f"panopto:recent:{panopto_id}"


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
        panopto_id: found[_key(panopto_id)].recordings
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
        if _key(panopto_id) not in kept
        or now - kept[_key(panopto_id)].fetched_at > REFRESH_AFTER_SECONDS
    ][:REFRESHED_AT_MOST]
    for done, panopto_id in enumerate(due):
        try:
            sessions = soap.newest_sessions(connection, folder_id=panopto_id, count=SHOWN)
        except (soap.PanoptoApiUnavailable, soap.PanoptoApiRefused) as error:
            return done, str(error)
        copy = _Copy(
            recordings=tuple(
                RecentRecording(
                    title=session.name,
                    start_time=session.start_time,
                    duration_seconds=session.duration_seconds,
                    thumbnail_url=thumbnail_on_site(session.thumb_url, connection=connection),
                )
                for session in sessions
            ),
            fetched_at=time.time(),
        )
        try:
            shared_cache.set(_key(panopto_id), copy, KEPT_SECONDS)
        except shared_cache.SharedCacheUnavailable as error:
            return done, str(error)
    return len(due), ""
