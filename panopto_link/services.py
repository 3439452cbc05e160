"""Every write of the Panopto part: folders and their links, video links, the registration,
and the pruning of old launch data. (The LTI platform writes its own: audit rows and consumed
values in `lti_platform/services.py`, signing keys in `lti_platform/keys.py`.)"""

import datetime
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from panopto_link.lti.deep_linking import ContentItem
from panopto_link.models import (
    ConsumedToken,
    FolderLink,
    FolderState,
    LaunchRecord,
    PanoptoFolder,
    PanoptoRegistration,
    VideoLink,
)
from panopto_link.permissions import recording_identity
from virtualspaces.models import VirtualSpace


def folder_ensure(*, space: VirtualSpace) -> PanoptoFolder:
    """The space's folder, created (with its permanent context id) on first need."""
    folder, _created = PanoptoFolder.objects.get_or_create(space=space)
    return folder


def folder_mark_created(*, context_id: str, user) -> bool:
    """Mark the folder with this context id created by `user`, when it is not yet: a
    conditional update, not read-then-write, so of many simultaneous first launches exactly one
    changes the row (and every one of them is a valid launch). True for the one that did."""
    changed = PanoptoFolder.objects.filter(
        context_id=context_id, state=FolderState.NOT_CREATED
    ).update(state=FolderState.CREATED, created_at=timezone.now(), created_by=user)
    return changed == 1


def folder_set_enabled(*, space: VirtualSpace, is_enabled: bool) -> PanoptoFolder:
    folder = folder_ensure(space=space)
    if folder.is_enabled != is_enabled:
        folder.is_enabled = is_enabled
        folder.save(update_fields=["is_enabled"])
    return folder


@transaction.atomic
def folder_link_create(
    *, course: VirtualSpace, linked_space: VirtualSpace, position: int = 0
) -> FolderLink:
    """Link another space's folder into a course space; raises ValidationError for a
    non-course space, a self-link or a duplicate."""
    link = FolderLink(course=course, linked_space=linked_space, position=position)
    link.full_clean()
    link.save()
    folder_ensure(space=linked_space)
    return link


# --- video links (SPEC §6) ------------------------------------------------------------------


def recording_key(item: ContentItem | VideoLink) -> str:
    """The stored key of the recording an item or a link names (`permissions.recording_identity`,
    digested so that it fits an index)."""
    identity = recording_identity(url=item.url, custom=item.custom)
    return hashlib.sha256(identity.encode()).hexdigest()


@dataclass(frozen=True)
class VideosLinked:
    added: list[VideoLink]
    already_linked: list[VideoLink]  # the space's links of recordings picked again


def video_links_add(*, space: VirtualSpace, items: Sequence[ContentItem], user) -> VideosLinked:
    """Link the items a content picker returned into the space, after its last video. A
    recording the space links already, or that the items name twice, is not linked again: the
    space's link of it is reported instead. Runs in the caller's transaction (the deep-linking
    return's, with its nonce's consumption); a link added meanwhile by another return of the
    same recording is found on a second reading rather than failing the return."""
    for attempt in range(2):
        existing = {
            video.recording_key: video
            for video in VideoLink.objects.filter(space=space).exclude(recording_key="")
        }
        start = VideoLink.objects.filter(space=space).aggregate(last=Max("position"))["last"] or 0
        fresh: dict[str, ContentItem] = {}
        already: dict[str, VideoLink] = {}
        for item in items:
            key = recording_key(item)
            if key in existing:
                already.setdefault(key, existing[key])
            else:
                fresh.setdefault(key, item)
        links = [
            VideoLink(
                space=space,
                title=item.title,
                text=item.text,
                url=item.url,
                custom=item.custom,
                thumbnail_url=item.thumbnail_url,
                document_target=item.document_target,
                width=item.width,
                height=item.height,
                recorded_on=item.recorded_on,
                duration_seconds=item.duration_seconds,
                recording_key=key,
                position=start + index,
                created_by=user,
            )
            for index, (key, item) in enumerate(fresh.items(), start=1)
        ]
        try:
            with transaction.atomic():  # a savepoint: a conflict leaves the caller's intact
                added = VideoLink.objects.bulk_create(links)
        except IntegrityError:
            if attempt:
                raise
            continue
        return VideosLinked(added=added, already_linked=list(already.values()))
    raise AssertionError("unreachable")  # pragma: no cover


def video_remove(*, video: VideoLink) -> None:
    video.delete()


@transaction.atomic
def video_move(*, video: VideoLink, offset: int) -> None:
    """Move a video up (-1) or down (+1) among its space's videos."""
    # Only the video rows: the default ordering would join the space and lock it as well.
    videos = list(
        VideoLink.objects.select_for_update(of=("self",))
        .filter(space_id=video.space_id)
        .order_by("position", "id")
    )
    index = next(i for i, v in enumerate(videos) if v.pk == video.pk)
    other = index + offset
    if not 0 <= other < len(videos):
        return
    videos[index], videos[other] = videos[other], videos[index]
    for position, item in enumerate(videos, start=1):
        item.position = position
    VideoLink.objects.bulk_update(videos, ["position"])


# --- the registration ------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationChanges:
    created: bool
    changes: list[tuple[str, str, str]]  # (field, old, new)
    registration: PanoptoRegistration


@transaction.atomic
def registration_configure(*, values: dict) -> RegistrationChanges:
    """Create or update the single Panopto registration from `values` (field → value; None
    leaves a field as it is). Raises ValidationError for an invalid result; writes nothing
    then."""
    registration = PanoptoRegistration.objects.select_for_update().filter(pk=1).first()
    created = registration is None
    if registration is None:
        registration = PanoptoRegistration(pk=1)
    changes: list[tuple[str, str, str]] = []
    for field, value in values.items():
        old = getattr(registration, field)
        if value is not None and value != old:
            setattr(registration, field, value)
            changes.append((field, str(old), str(value)))
    registration.full_clean()
    if created or changes:
        registration.save()
    return RegistrationChanges(created=created, changes=changes, registration=registration)


# --- retention -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PruneReport:
    cutoff: datetime.datetime
    launch_records: int
    consumed_tokens: int


def _delete_in_batches(
    queryset: QuerySet, *, batch_size: int, progress: Callable[[int, int], None] | None
) -> int:
    """Delete the rows in short transactions of `batch_size` rows each, oldest id first, so a
    large backlog never holds a long lock on a table that launches write to."""
    total = queryset.count()
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        deleted += queryset.model.objects.filter(pk__in=ids).delete()[0]
        if progress is not None:
            progress(deleted, max(total, deleted))


def launch_data_prune(
    *,
    now: datetime.datetime,
    retention_days: int,
    batch_size: int = 1000,
    progress: Callable[[str, int, int], None] | None = None,
) -> PruneReport:
    """Delete launch records older than `retention_days` and consumed single-use values whose
    `expires_at` has passed (docs/decisions/0001: the value they record can no longer be used,
    so forgetting it cannot let a replay through). Unexpired values are never touched.

    `progress(kind, deleted, total)` is called after every batch. Raises ValueError for a
    retention under one day (a slip of the finger must not erase the audit trail).
    """
    if retention_days < 1:
        raise ValueError("The retention must be at least one day.")
    cutoff = now - datetime.timedelta(days=retention_days)

    def report(kind: str) -> Callable[[int, int], None] | None:
        return (lambda deleted, total: progress(kind, deleted, total)) if progress else None

    records = _delete_in_batches(
        LaunchRecord.objects.older_than(cutoff),
        batch_size=batch_size,
        progress=report("launch_records"),
    )
    tokens = _delete_in_batches(
        ConsumedToken.objects.filter(expires_at__lt=now),
        batch_size=batch_size,
        progress=report("consumed_tokens"),
    )
    return PruneReport(cutoff=cutoff, launch_records=records, consumed_tokens=tokens)
