"""The folder block — a folder's state and its "Continue to the Panopto system" button — as the
Home screen and Studies → Information → Panopto show it, and the Panopto page's folder rows.
A page repeats the block dozens of times, so it is built in Python (its words translated and its
URLs made once per page) and rendered by one Jinja2 template (docs/decisions/0014); what a user
may do comes from the decisions the selectors attach, as everywhere."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone, localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.dates import short_date_formatter
from core.names import person_name
from core.urls import url_maker
from panopto_link.models import FolderState, PanoptoRegistration
from panopto_link.panopto_api.recordings import RecentRecording, recent_recordings
from panopto_link.permissions import (
    ConfigurationFix,
    FolderDecision,
    PanoptoRole,
    configuration_fix,
    recordings_shown,
)
from panopto_link.reasons import PanoptoReason
from panopto_link.selectors import (
    FolderEntry,
    FolderRow,
    PanoptoSetting,
    folder_openers,
    request_panopto_setting,
)

# Recordings a compact block (a row of the Panopto page) lists; the Home screen's block lists
# all that are kept (`panopto_api.recordings.SHOWN`).
COMPACT_RECORDINGS_SHOWN = 1


@dataclass(frozen=True)
class RecordingLine:
    """One of a folder's newest recordings as the block lists it."""

    title: str
    date: str
    length: str
    thumbnail: str  # an absolute URL on the Panopto site, or ""


def recording_lines(
    recordings: tuple[RecentRecording, ...],
    short_date: Callable[[datetime.date], str],
    zone: datetime.tzinfo,
) -> tuple[RecordingLine, ...]:
    """The lines of a folder's recordings, their dates in `zone` (the page's time zone, looked
    up once per page) and the page's short date format."""
    return tuple(
        RecordingLine(
            title=recording.title,
            date=short_date(localtime(recording.start_time, zone)) if recording.start_time else "",
            length=recording.duration_text,
            thumbnail=recording.thumbnail_url,
        )
        for recording in recordings
    )


@dataclass(frozen=True)
class StateBadge:
    css: str
    label: str | Promise


def folder_state(entry: FolderEntry) -> StateBadge:
    """The folder's own facts, as a badge (not a decision: the button says what one may do) —
    except that while the Panopto registration is off or incomplete no folder is anything to
    the user but unavailable (issue 25: "Opened" beside a button that takes nobody in)."""
    folder = entry.folder
    if entry.decision.refusal is PanoptoReason.REGISTRATION_INCOMPLETE:
        return StateBadge("disabled", _("not available"))
    if folder is not None and not folder.is_enabled:
        return StateBadge("disabled", _("not enabled"))
    if folder is not None and folder.is_created:
        return StateBadge("created", FolderState.CREATED.label)
    return StateBadge("not-created", _("not opened yet"))


def people_sentence(users) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
    names = [person_name(user) for user in users]
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


@dataclass(frozen=True)
class ConfigurationHelp:
    """What an IT administrator is told beside an inactive button: what to fix, and where."""

    missing_fields: list[str]
    registration_disabled: bool
    folder_disabled: bool
    admin_url: str | None


def configuration_help(
    user, registration: PanoptoRegistration | None, entry: FolderEntry
) -> ConfigurationHelp | None:
    """The help `permissions.configuration_fix` asks for, with a link to the admin page when
    the user may change it there."""
    fix = configuration_fix(is_staff=user.is_staff, refusal=entry.decision.refusal)
    if fix is ConfigurationFix.REGISTRATION:
        shown = registration or PanoptoRegistration()  # an empty one lacks every field
        if registration is None:
            url = reverse("admin:panopto_link_panoptoregistration_add")
        else:
            url = reverse("admin:panopto_link_panoptoregistration_change", args=[registration.pk])
        return ConfigurationHelp(
            missing_fields=shown.missing_field_labels(),
            registration_disabled=registration is not None and not registration.is_enabled,
            folder_disabled=False,
            admin_url=url if user.has_perm("panopto_link.change_panoptoregistration") else None,
        )
    if fix is ConfigurationFix.FOLDER and entry.folder is not None:
        url = reverse("admin:panopto_link_panoptofolder_change", args=[entry.folder.pk])
        return ConfigurationHelp(
            missing_fields=[],
            registration_disabled=False,
            folder_disabled=True,
            admin_url=url if user.has_perm("panopto_link.change_panoptofolder") else None,
        )
    return None


class Words:
    """The block's words in the request's language, each looked up once per page."""

    @cached_property
    def own_folder(self) -> str:
        return _("Panopto folder of the space")

    @cached_property
    def go(self) -> str:
        return _("Continue to the Panopto system")

    @cached_property
    def as_creator(self) -> str:
        return _("You will enter as a Creator.")

    @cached_property
    def as_guest(self) -> str:
        return _("You will enter as a Viewer, as a guest of the space.")

    @cached_property
    def as_viewer(self) -> str:
        return _("You will enter as a Viewer.")

    @cached_property
    def new_tab(self) -> str:
        return _("Panopto opens in a new tab.")

    @cached_property
    def opened_in_new_tab(self) -> str:
        return _("The Panopto folder opened in a new tab; this page stays open.")

    @cached_property
    def first_visit(self) -> str:
        return _("Your first visit creates the space's Panopto folder.")

    @cached_property
    def newest_recordings(self) -> str:
        return _("Newest recordings in Panopto")

    @cached_property
    def newest_recording(self) -> str:
        return _("Newest recording in Panopto")

    @cached_property
    def for_it(self) -> str:
        return _("For IT administrators")

    @cached_property
    def registration_disabled(self) -> str:
        return _("The Panopto registration is disabled.")

    @cached_property
    def missing_fields(self) -> str:
        return _("Missing fields of the Panopto registration:")

    @cached_property
    def folder_disabled(self) -> str:
        return _("This space's Panopto folder is switched off in the admin.")

    @cached_property
    def enable_folder(self) -> str:
        return _("Enable the folder in the admin")

    @cached_property
    def complete_registration(self) -> str:
        return _("Complete the registration in the admin")

    @cached_property
    def linked_to(self) -> str:
        return _("Linked to your courses:")

    def enter_as(self, decision: FolderDecision) -> str:
        """The role a launch grants, in a sentence (role names change form in Hungarian)."""
        if decision.role is PanoptoRole.CREATOR:
            return self.as_creator
        return self.as_guest if decision.is_guest else self.as_viewer

    def reason(self, entry: FolderEntry, openers: list) -> str:
        """Why an inactive button takes nobody in, as the text beside it; a folder waiting for
        its administrators' first visit names them, as the Panopto page does."""
        if entry.decision.refusal is PanoptoReason.CONTEXT_NOT_CREATED and openers:
            return ngettext(
                "Available once %(names)s has opened the Panopto folder.",
                "Available once one of %(names)s has opened the Panopto folder.",
                len(openers),
            ) % {"names": people_sentence(openers)}
        return str(entry.message or "")

    def first_visit_of(self, entry: FolderEntry) -> str:
        if entry.is_linked:
            return _("Your first visit creates the Panopto folder of %(space)s.") % {
                "space": entry.owner.name
            }
        return self.first_visit


@dataclass(frozen=True)
class FolderBlock:
    """One folder block, ready to render: `space_pk` is the page's space (the launch URL's);
    `entry` its own folder or a linked one; `compact` leaves out the folder's name where the
    page names it already."""

    entry: FolderEntry
    space_pk: int
    launch_url: str
    state: StateBadge
    enter_as: str
    first_visit: str
    help: ConfigurationHelp | None
    new_tab: bool
    compact: bool
    # SPEC §7: the folder's newest recordings, from the cache, for who may enter it now.
    recordings: tuple["RecordingLine", ...] = ()
    reason: str = ""  # why the button is inactive, shown beside it

    @property
    def decision(self) -> FolderDecision:
        return self.entry.decision

    @property
    def dom_id(self) -> str:
        return f"panopto-{self.space_pk}-{self.entry.owner.pk}"


class FolderBlocks:
    """Builds a page's folder blocks: one lookup of each word and one URL reversal per page."""

    def __init__(self, request: HttpRequest, setting: PanoptoSetting) -> None:
        self.request = request
        self.setting = setting
        self.words = Words()
        self.launch_url = url_maker("panopto_link:launch")
        self.space_url = url_maker("virtualspaces:space_home")
        self.short_date = short_date_formatter()
        self.zone = get_current_timezone()
        # The newest recordings of the page's folders, when the page fetched them at once
        # (`keep_recordings_of`): one round trip to the cache for all its groups of rows.
        self.kept_recordings: dict[str, tuple[RecentRecording, ...]] | None = None
        self.openers: dict[int, list] = {}  # space id → who opens its waiting folder
        # One masked CSRF token for the page's forms: Jinja2's `csrf_input` masks anew, with
        # fresh randomness, at each of its dozens of uses (BREACH needs a new mask per answer,
        # not per form).
        self.csrf_input = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )

    def prefetch_openers(self, entries: list[FolderEntry]) -> None:
        """Look up, in one query, who opens each of `entries` that waits for its first visit:
        the blocks name them (a page shows its own folder and its linked ones)."""
        waiting = {
            entry.owner.pk
            for entry in entries
            if entry.decision.refusal is PanoptoReason.CONTEXT_NOT_CREATED
        } - set(self.openers)
        found = folder_openers(waiting)
        self.openers.update({pk: found.get(pk, []) for pk in waiting})

    def recordings_of(self, entries: list[FolderEntry]) -> dict[str, tuple[RecentRecording, ...]]:
        """The kept newest recordings of the folders among `entries` whose recordings the
        user may see (`permissions.recordings_shown`): one round trip to the cache, no query,
        never a call to Panopto (docs/decisions/0018)."""
        return recent_recordings(
            entry.folder.panopto_id
            for entry in entries
            if entry.folder is not None and recordings_shown(entry.decision)
        )

    def block(
        self,
        space_pk: int,
        entry: FolderEntry,
        *,
        compact: bool = False,
        recordings: dict[str, tuple[RecentRecording, ...]] | None = None,
        openers: list | None = None,
    ) -> FolderBlock:
        decision = entry.decision
        shown = (
            recordings.get(entry.folder.panopto_id, ())
            if recordings and entry.folder is not None and recordings_shown(decision)
            else ()
        )
        if compact:
            # The Panopto page lists every folder of the user's spaces: the newest recording
            # of each, the space's Home screen the newest few (SPEC §7, docs/panopto-api.md).
            shown = shown[:COMPACT_RECORDINGS_SHOWN]
        return FolderBlock(
            entry=entry,
            space_pk=space_pk,
            launch_url=self.launch_url(space_pk),
            state=folder_state(entry),
            enter_as=self.words.enter_as(decision),
            first_visit=self.words.first_visit_of(entry) if decision.creates_context else "",
            help=(
                None
                if decision.active
                else configuration_help(self.request.user, self.setting.registration, entry)
            ),
            new_tab=self.setting.opens_in_new_tab,
            compact=compact,
            recordings=recording_lines(shown, self.short_date, self.zone),
            reason="" if decision.active else self.words.reason(entry, openers or []),
        )

    def render(self, template: str, context: dict) -> SafeString:
        html = render_to_string(
            template,
            {"words": self.words, "csrf": self.csrf_input, **context},
            using="jinja2",
        )
        return mark_safe(html)  # noqa: S308 - Jinja2 autoescapes every value it writes

    def folder(self, space_pk: int, entry: FolderEntry) -> SafeString:
        """The block of one folder (the Home screen's)."""
        recordings = self.recordings_of([entry])
        if entry.decision.refusal is PanoptoReason.CONTEXT_NOT_CREATED:
            if entry.owner.pk not in self.openers:
                self.prefetch_openers([entry])
            openers = self.openers.get(entry.owner.pk, [])
        else:
            openers = []
        block = self.block(space_pk, entry, recordings=recordings, openers=openers)
        return self.render("panopto_link/_folder.html", {"block": block})

    def keep_recordings_of(self, rows: list[FolderRow]) -> None:
        """Fetch the newest recordings of all the page's rows now, in one round trip, for the
        `rows` calls of its groups that follow."""
        self.kept_recordings = self.recordings_of([row.entry for row in rows])

    def rows(self, rows: list[FolderRow]) -> SafeString:
        """The Panopto page's rows, each with its compact block."""
        recordings = (
            self.kept_recordings
            if self.kept_recordings is not None
            else self.recordings_of([row.entry for row in rows])
        )
        return self.render(
            "panopto_link/_folder_rows.html",
            {
                "rows": [
                    (
                        row,
                        self.block(
                            row.launch_space.pk, row.entry, compact=True, recordings=recordings
                        ),
                    )
                    for row in rows
                ],
                "space_url": self.space_url,
            },
        )


_REQUEST_ATTR = "_panopto_folder_blocks"


def folder_blocks(request: HttpRequest) -> FolderBlocks:
    """The page's builder of folder blocks, made once per request."""
    blocks = getattr(request, _REQUEST_ATTR, None)
    if blocks is None:
        blocks = FolderBlocks(request, request_panopto_setting(request))
        setattr(request, _REQUEST_ATTR, blocks)
    return blocks
