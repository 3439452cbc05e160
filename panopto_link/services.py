"""Every write of the Panopto part: folders and their links, video links, the registration,
and the pruning of old launch data. (The LTI platform writes its own: audit rows and consumed
values in `lti_platform/services.py`, signing keys in `lti_platform/keys.py`.)"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.csv_rows import CsvImportResult, CsvRowProblem, in_chunks, read_csv_rows
from panopto_link.lti.deep_linking import ContentItem
from panopto_link.lti_platform.api import context_launched
from panopto_link.models import (
    FolderLink,
    FolderState,
    PanoptoFolder,
    PanoptoLicence,
    PanoptoRegistration,
    VideoLink,
)
from panopto_link.panopto_api.secret import application_key_decrypt, application_key_encrypt
from panopto_link.permissions import (
    existing_context_may_be_given,
    recording_identity,
)
from panopto_link.selectors import folder_context_used
from virtualspaces.models import VirtualSpace


def folder_ensure(*, space: VirtualSpace) -> PanoptoFolder:
    """The space's folder, created (with its permanent context id) on first need."""
    folder, _created = PanoptoFolder.objects.get_or_create(space=space)
    return folder


def folder_mark_created(*, context_id: str, user: Any) -> bool:
    """Mark the folder with this context id created by `user`, when it is not yet: a
    conditional update, not read-then-write, so of many simultaneous first launches exactly one
    changes the row (and every one of them is a valid launch). True for the one that did."""
    changed = PanoptoFolder.objects.filter(
        context_id=context_id, state=FolderState.NOT_CREATED
    ).update(
        state=FolderState.CREATED,
        created_at=timezone.now(),
        created_by=user,
        # Created again after Panopto's API had not found it: to be looked up afresh.
        panopto_missing_since=None,
        panopto_id="",
    )
    return changed == 1


def folder_mark_context_used(*, folder: PanoptoFolder) -> None:
    """Record that a launch names the folder's context id now (its message hint is about to be
    issued): from then on the id never changes (the database's trigger holds it). One
    conditional update, made by the first launch only."""
    now = timezone.now()
    PanoptoFolder.objects.filter(pk=folder.pk, context_used_at__isnull=True).update(
        context_used_at=now
    )
    folder.context_used_at = folder.context_used_at or now


def folders_ensure(spaces: Sequence[VirtualSpace]) -> int:
    """Every one of `spaces` has its folder, created in bulk where missing (the demo's seed).
    Returns how many were created."""
    with_folder = set(
        PanoptoFolder.objects.filter(space__in=spaces).values_list("space_id", flat=True)
    )
    created = PanoptoFolder.objects.bulk_create(
        [PanoptoFolder(space=space) for space in spaces if space.pk not in with_folder]
    )
    return len(created)


@transaction.atomic
def folder_link_create(
    *, course: VirtualSpace, linked_space: VirtualSpace, position: int = 0
) -> FolderLink:
    """Link another space's folder into a course space; raises ValidationError for a
    non-course space, a self-link or a duplicate."""
    return folder_link_save(
        link=FolderLink(course=course, linked_space=linked_space, position=position)
    )


@transaction.atomic
def folder_link_save(*, link: FolderLink) -> FolderLink:
    """Save a new or changed link (from `folder_link_create` or the admin), validated again,
    with the linked space's folder ensured."""
    link.full_clean()
    link.save()
    folder_ensure(space=link.linked_space)
    return link


def folder_links_create_missing(pairs: Sequence[tuple[VirtualSpace, int]]) -> int:
    """Link each (course, linked space id) not linked yet, in bulk (the demo's seed: each
    course to its subject, whose folders `folders_ensure` made). Returns how many."""
    linked = set(FolderLink.objects.values_list("course_id", "linked_space_id"))
    new = [
        FolderLink(course=course, linked_space_id=space_id)
        for course, space_id in pairs
        if (course.pk, space_id) not in linked
    ]
    FolderLink.objects.bulk_create(new)
    return len(new)


def licence_save(*, licence: PanoptoLicence) -> PanoptoLicence:
    """Save a licence period (the admin, the demo's seed), validated: it cannot end before
    it starts."""
    licence.full_clean()
    licence.save()
    return licence


# --- existing Panopto folders (issue 12) -----------------------------------------------------

# LTI Core §5.4.1: a context id is at most 255 ASCII characters; Panopto keys folders by it as
# written, so no spaces or control characters (a pasted value keeps no stray whitespace).
CONTEXT_ID_FORMAT = re.compile(r"[\x21-\x7e]{1,255}")


@dataclass(frozen=True)
class GivenContext:
    folder: PanoptoFolder
    changed: bool  # False: the folder already had this existing folder's context id


def existing_context_problem(
    *, space: VirtualSpace, context_id: str, folder: PanoptoFolder | None
) -> str | None:
    """Why `space` cannot be given the existing folder's `context_id`, in words; None when it
    can (or already has it)."""
    if not CONTEXT_ID_FORMAT.fullmatch(context_id):
        return _(
            "A context id is 1 to 255 characters of plain ASCII text, without spaces: copy it "
            "exactly as Panopto or the earlier integration shows it."
        )
    if folder is not None and folder.context_id == context_id and folder.is_existing_folder:
        return None
    holder = (
        PanoptoFolder.objects.filter(context_id=context_id)
        .exclude(space=space)
        .select_related("space")
        .first()
    )
    if holder is not None:
        return _("The context id already belongs to the space “%(code)s”.") % {
            "code": holder.space.code
        }
    if context_launched(context_id, outside_space_id=space.pk):
        return _("The context id was already used by launches of another space.")
    if folder is not None and not existing_context_may_be_given(
        is_created=folder.is_created, context_used=folder_context_used(folder)
    ):
        return _(
            "The space's Panopto folder has already been launched with its own context id, "
            "which Panopto keys the folder by; it can no longer be changed."
        )
    return None


def _give_existing_context(
    *, space: VirtualSpace, context_id: str, folder: PanoptoFolder | None, user: Any
) -> GivenContext | None:
    """Write one checked row; None when a launch overtook the check (the conditional update
    found the folder used)."""
    now = timezone.now()
    if folder is None:
        folder = PanoptoFolder.objects.create(
            space=space,
            context_id=context_id,
            state=FolderState.CREATED,
            created_at=now,
            created_by=user,
            is_existing_folder=True,
        )
        return GivenContext(folder=folder, changed=True)
    if folder.context_id == context_id and folder.is_existing_folder:
        return GivenContext(folder=folder, changed=False)
    # Conditional: a launch that names the old context id first wins, and this changes nothing.
    changed = PanoptoFolder.objects.filter(
        pk=folder.pk, state=FolderState.NOT_CREATED, context_used_at__isnull=True
    ).update(
        context_id=context_id,
        state=FolderState.CREATED,
        created_at=now,
        created_by=user,
        is_existing_folder=True,
    )
    if not changed:
        return None
    folder.refresh_from_db()
    return GivenContext(folder=folder, changed=True)


@transaction.atomic
def folder_give_existing_context(
    *, space: VirtualSpace, context_id: str, user: Any = None
) -> GivenContext:
    """Give the space's Panopto folder the context id of a folder that already exists in
    Panopto (from an earlier integration), and count the folder as created: its members may
    enter at once. Only while the folder's own context id has never been used
    (`permissions.existing_context_may_be_given`); one context id belongs to one space.

    Raises ValidationError saying why not. Giving a folder the id it already has changes
    nothing."""
    context_id = context_id.strip()
    folder = PanoptoFolder.objects.select_for_update().filter(space=space).first()
    problem = existing_context_problem(space=space, context_id=context_id, folder=folder)
    if problem is not None:
        raise ValidationError(problem, code="context_not_given")
    given = _give_existing_context(space=space, context_id=context_id, folder=folder, user=user)
    if given is None:
        raise ValidationError(
            _("A launch used the folder's own context id a moment ago; it can no longer change."),
            code="context_used",
        )
    return given


EXISTING_FOLDER_HEADER_CELLS = {"space code", "space", "code", "kód", "tér kódja", "a tér kódja"}


def _is_existing_folder_header(row: list[str]) -> bool:
    return len(row) >= 2 and (
        row[0].lower() in EXISTING_FOLDER_HEADER_CELLS
        or row[1].lower().replace("_", " ") in {"context id", "kontextusazonosító"}
    )


def existing_folders_import_csv(*, data: bytes, user: Any = None) -> CsvImportResult:
    """Give spaces the context ids of folders that already exist in Panopto, from CSV rows
    `space code, context id`, as `folder_give_existing_context` does for one.

    Every row is checked first; if any is wrong, nothing is written and the result lists every
    problem. Otherwise all rows are written in one transaction (a launch overtaking a row's
    check rolls all of it back and is listed). Importing the same file again changes nothing.
    Raises CsvFileError when the file itself cannot be read."""
    rows = read_csv_rows(
        data,
        is_header=_is_existing_folder_header,
        no_rows_message=_("The file has no rows of space codes and context ids."),
    )
    result = CsvImportResult(rows=len(rows))
    codes = {row[0] for _line, row in rows if row}
    # In chunks: a parameter limit (core.csv_rows).
    spaces = {
        space.code: space
        for chunk in in_chunks(codes)
        for space in VirtualSpace.objects.filter(code__in=chunk)
    }
    folders = {
        folder.space_id: folder
        for chunk in in_chunks(space.pk for space in spaces.values())
        for folder in PanoptoFolder.objects.filter(space_id__in=chunk)
    }
    wanted: dict[str, tuple[str, int]] = {}  # space code → (context id, line)
    owners: dict[str, tuple[str, int]] = {}  # context id → (space code, line)
    checked: list[tuple[VirtualSpace, str]] = []
    for line, row in rows:
        reason = None
        if len(row) != 2:
            reason = _("Expected 2 columns (space code, context id), found %(count)d.") % {
                "count": len(row)
            }
        else:
            code, context_id = row
            space = spaces.get(code)
            earlier = wanted.get(code)
            owner = owners.get(context_id)
            if space is None:
                reason = _("No virtual space with the code “%(code)s”.") % {"code": code}
            elif earlier is not None and earlier[0] != context_id:
                reason = _(
                    "The same space already appears on line %(line)d with another context id."
                ) % {"line": earlier[1]}
            elif owner is not None and owner[0] != code:
                reason = _(
                    "The same context id is already given to the space “%(code)s” on line %(line)d."
                ) % {"code": owner[0], "line": owner[1]}
            elif earlier is None:
                reason = existing_context_problem(
                    space=space, context_id=context_id, folder=folders.get(space.pk)
                )
                if reason is None:
                    wanted[code] = (context_id, line)
                    owners[context_id] = (code, line)
                    checked.append((space, context_id))
        if reason:
            result.problems.append(CsvRowProblem(line=line, row=tuple(row), reason=reason))
    if result.problems:
        return result
    with transaction.atomic():
        locked = {
            folder.space_id: folder
            for chunk in in_chunks(space.pk for space, _context in checked)
            for folder in PanoptoFolder.objects.select_for_update(of=("self",))
            .filter(space_id__in=chunk)
            .order_by("space_id")
        }
        for space, context_id in checked:
            given = _give_existing_context(
                space=space, context_id=context_id, folder=locked.get(space.pk), user=user
            )
            if given is None:
                transaction.set_rollback(True)
                line = wanted[space.code][1]
                result.problems.append(
                    CsvRowProblem(
                        line=line,
                        row=(space.code, context_id),
                        reason=_(
                            "A launch used the folder's own context id a moment ago; it can no "
                            "longer change."
                        ),
                    )
                )
                result.created = result.unchanged = 0
                return result
            if given.changed:
                result.created += 1
            else:
                result.unchanged += 1
    return result


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


def video_links_add(
    *, space: VirtualSpace, items: Sequence[ContentItem], user: Any
) -> VideosLinked:
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


# How a change of the application key is told: never its value, old or new.
APPLICATION_KEY_STORED = "stored, encrypted"
APPLICATION_KEY_REMOVED = "removed"


def registration_application_key_apply(
    *, registration: PanoptoRegistration, application_key: str
) -> tuple[str, str, str] | None:
    """Put `application_key` (encrypted; "" removes it) on `registration`, unsaved. Returns the
    change as (field, old, new) in words that never contain the key, or None when the
    registration already holds this key. Raises ImproperlyConfigured when
    LTI_KEY_ENCRYPTION_KEY is missing."""
    application_key = application_key.strip()
    held = registration.api_key_encrypted
    if not application_key:
        if not held:
            return None
        registration.api_key_encrypted = ""
        return ("api_key_encrypted", APPLICATION_KEY_STORED, APPLICATION_KEY_REMOVED)
    if held:
        try:
            if application_key_decrypt(held) == application_key:
                return None
        except ImproperlyConfigured:
            pass  # encrypted with a key no longer configured: replace it
    registration.api_key_encrypted = application_key_encrypt(application_key)
    return ("api_key_encrypted", APPLICATION_KEY_STORED if held else "", APPLICATION_KEY_STORED)


@transaction.atomic
def registration_configure(*, values: dict[str, Any]) -> RegistrationChanges:
    """Create or update the single Panopto registration from `values` (field → value; None
    leaves a field as it is; `api_application_key` is the plain application key, stored
    encrypted, "" removing it). Raises ValidationError for an invalid result; writes nothing
    then."""
    registration = PanoptoRegistration.objects.select_for_update().filter(pk=1).first()
    created = registration is None
    if registration is None:
        registration = PanoptoRegistration(pk=1)
    changes: list[tuple[str, str, str]] = []
    values = dict(values)
    application_key = values.pop("api_application_key", None)
    for field, value in values.items():
        old = getattr(registration, field)
        if value is not None and value != old:
            setattr(registration, field, value)
            changes.append((field, str(old), str(value)))
    if application_key is not None:
        change = registration_application_key_apply(
            registration=registration, application_key=application_key
        )
        if change is not None:
            changes.append(change)
    registration.full_clean()
    if created or changes:
        registration.save()
    return RegistrationChanges(created=created, changes=changes, registration=registration)
