"""The stand-in's content picker: the tool's side of Deep Linking 2.0.

An instructor's validated LtiDeepLinkingRequest is kept by pylti1p3 under its launch id while
the picker page is open (`picker_open`); the choice posted back from that page finds it again
only for the same signed-in stand-in user (`picker_restore`), and is answered once, with
pylti1p3's DeepLink response signed by the stand-in's key (`picker_answer`).

Each returned item has the shape of Panopto's own (issue 21; docs/connecting-panopto.md, from
Panopto's Moodle and Blackboard integrations): an ltiResourceLink to the one launch URL every
recording shares, the recording named only in its opaque custom map (`context_delivery`, the
delivery id Panopto's Blackboard plugin sends), an `iframe` of 720×480 and a `thumbnail` of
128×72. The platform's later launch of it is a resource-link launch with that custom map,
which the stand-in routes to the recording (`launch_recording_id`)."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.templatetags.static import static
from django.utils.translation import gettext as _
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch
from pylti1p3.deep_link_resource import DeepLinkResource

from panopto_link.lti import claims
from panopto_link.simulator.lti import (
    LAUNCH_DATA_SECONDS,
    LaunchRefused,
    LaunchTarget,
    nonce_consume,
    own_url,
    tool_conf,
)
from panopto_link.simulator.models import (
    Folder,
    FolderAccess,
    FolderRole,
    PlatformRegistration,
    Recording,
    ToolUser,
)

# The custom parameter of a returned item that names its recording (LTI Core §5.4.6): the
# one Panopto's Blackboard plugin sends to open one delivery (`custom_context_delivery`).
RECORDING_PARAM = "context_delivery"
THUMBNAIL = "panopto_simulator/thumbnail.svg"
THUMBNAIL_SIZE = (128, 72)  # Panopto's thumbnails (its Moodle plugins' default)
VIEWER_SIZE = (720, 480)  # Panopto's embed size (its Moodle plugins' default iframe)


class PickerGone(Exception):
    """The picker's request is unknown or expired, or belongs to someone other than the
    signed-in stand-in user (`reason` "picker_unknown"), or was answered already
    ("picker_answered")."""

    def __init__(self, reason: str = "picker_unknown") -> None:
        super().__init__(reason)
        self.reason = reason


class ChoiceInvalid(Exception):
    """The posted choice cannot be returned; the message says what to change."""


@dataclass(frozen=True)
class Picker:
    """An open content picker: the deep-linking request and the folder it chooses from."""

    launch: DjangoMessageLaunch
    folder: Folder
    recordings: list[Recording]

    @property
    def launch_id(self) -> str:
        return self.launch.get_launch_id()

    @property
    def settings(self) -> Mapping:
        return self.launch.get_launch_data()[claims.DEEP_LINKING_SETTINGS]

    @property
    def accept_multiple(self) -> bool:
        # Absent means one item only (Deep Linking 2.0 §4.4.1); pylti1p3 allows "true" strings.
        return self.settings.get("accept_multiple") in (True, "true")

    @property
    def title(self) -> str:
        """What the platform calls the place the content goes (its settings' title)."""
        title = self.settings.get("title")
        return title if isinstance(title, str) else ""


class RecordingResource(DeepLinkResource):
    """pylti1p3's ltiResourceLink item, with the properties it has no setter for: `text`,
    `thumbnail`, and the `window`/`iframe` presentation hint (Deep Linking 2.0 §3.2)."""

    def __init__(
        self, *, text: str, thumbnail: dict, presentation: dict, recording: dict | None = None
    ) -> None:
        super().__init__()
        self._text = text
        self._thumbnail = thumbnail
        self._presentation = presentation
        self._recording = recording or {}

    def to_dict(self) -> dict[str, object]:
        item = super().to_dict()
        item["text"] = self._text
        item["thumbnail"] = self._thumbnail
        item.update(self._presentation)
        item.update(self._recording)  # recorded_at, duration: what the portal shows beside it
        return item


def iso_duration(seconds: int) -> str:
    """An ISO 8601 duration: 5640 → "PT1H34M"."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours}H" if hours else "", f"{minutes}M" if minutes else ""]
    parts.append(f"{seconds}S" if seconds or not (hours or minutes) else "")
    return "PT" + "".join(parts)


def picker_open(launch: DjangoMessageLaunch, *, folder: Folder) -> Picker:
    """The picker of a validated deep-linking request (pylti1p3 has saved it) over `folder`."""
    return Picker(launch=launch, folder=folder, recordings=list(folder.recordings.all()))


def picker_restore(
    request, registration: PlatformRegistration, *, launch_id: str, user: ToolUser
) -> Picker:
    """The open picker `launch_id` names, for the signed-in stand-in `user` only: the request
    must be a deep-linking request for that very user, who must still be a Creator of the
    context's folder. Raises PickerGone."""
    if not launch_id.startswith("lti1p3-launch-") or len(launch_id) > 100:
        raise PickerGone
    try:
        launch = DjangoMessageLaunch.from_cache(
            launch_id,
            request,
            tool_conf(registration),
            launch_data_storage=DjangoCacheDataStorage(),
        )
    except Exception:  # pylti1p3: "Launch data not found" (expired), or an unknown issuer
        raise PickerGone from None
    body = launch.get_launch_data()
    if (
        body.get(claims.MESSAGE_TYPE) != claims.DEEP_LINKING_REQUEST
        or body.get("iss") != user.issuer
        or body.get("sub") != user.subject
    ):
        raise PickerGone
    context_id = str((body.get(claims.CONTEXT) or {}).get("id") or "")
    access = (
        FolderAccess.objects.select_related("folder")
        .filter(user=user, folder__context_id=context_id, role=FolderRole.CREATOR)
        .first()
    )
    if access is None:
        raise PickerGone
    return picker_open(launch, folder=access.folder)


def picker_choice(picker: Picker, chosen_ids: Iterable[str]) -> list[Recording]:
    """The recordings of the picker's folder that were chosen, in the folder's order.
    Raises ChoiceInvalid for no choice, a recording not in the folder, or several where the
    platform accepts one."""
    chosen = set(chosen_ids)
    recordings = [r for r in picker.recordings if str(r.public_id) in chosen]
    if not chosen or len(recordings) != len(chosen):
        raise ChoiceInvalid(_("Choose at least one recording of the folder, or cancel."))
    if len(recordings) > 1 and not picker.accept_multiple:
        raise ChoiceInvalid(_("Only one recording can be added here: choose one."))
    return recordings


def _presentation(targets: object) -> dict:
    """The presentation hint for a recording, as Panopto gives it: an `iframe` of its embed
    size where the platform accepts one, else a window of that size, else none."""
    width, height = VIEWER_SIZE
    accepted = targets if isinstance(targets, list) else []
    if "iframe" in accepted:
        return {"iframe": {"width": width, "height": height}}
    if "window" in accepted:
        return {"window": {"targetName": "_blank", "width": width, "height": height}}
    return {}


def recording_resource(
    registration: PlatformRegistration, recording: Recording, *, presentation: dict
) -> RecordingResource:
    """The ltiResourceLink item of a recording: the launch URL every recording shares, and the
    recording named in the custom map; a launch of it opens the recording's viewer."""
    width, height = THUMBNAIL_SIZE
    thumbnail_url = registration.public_origin.rstrip("/") + static(THUMBNAIL)
    return (
        RecordingResource(
            text=recording.description,
            thumbnail={"url": thumbnail_url, "width": width, "height": height},
            presentation=presentation,
            recording={
                "recorded_at": recording.recorded_at.isoformat(),
                "duration": iso_duration(recording.duration_seconds),
            },
        )
        .set_title(recording.title)
        .set_url(own_url(registration, "launch"))
        .set_custom_params({RECORDING_PARAM: str(recording.public_id)})
    )


@dataclass(frozen=True)
class PickerAnswer:
    return_url: str
    jwt: str
    count: int


def picker_answer(
    picker: Picker,
    registration: PlatformRegistration,
    *,
    recordings: list[Recording],
    msg: str = "",
) -> PickerAnswer:
    """Answer the picker's request once: pylti1p3's LtiDeepLinkingResponse with the chosen
    recordings (none when cancelled), the platform's `data` value returned unchanged, and
    `msg` for the user. Raises PickerGone when the request was answered already."""
    if not nonce_consume("deep-link-answer:" + picker.launch_id, keep_seconds=LAUNCH_DATA_SECONDS):
        raise PickerGone("picker_answered")
    presentation = _presentation(picker.settings.get("accept_presentation_document_targets"))
    deep_link = picker.launch.get_deep_link()
    message = deep_link.get_message_jwt(
        [recording_resource(registration, r, presentation=presentation) for r in recordings]
    )
    if message.get(claims.DL_DATA) is None:
        del message[claims.DL_DATA]  # only a data value the platform sent goes back
    if msg:
        message[claims.DL_MSG] = msg
    message[claims.DL_LOG] = (
        f"{len(recordings)} recording(s) returned from the folder {picker.folder.name}"
    )
    return PickerAnswer(
        return_url=picker.settings["deep_link_return_url"],
        jwt=deep_link.encode_jwt(message),
        count=len(recordings),
    )


def launch_recording_id(target: LaunchTarget, body: Mapping) -> uuid.UUID | None:
    """The recording a resource-link launch opens: the one its custom `context_delivery` names
    (the items the picker returns), or its target when that is a viewer URL (links the picker
    returned before issue 21); when both are present they must agree. None for a launch into
    the dashboard. Raises LaunchRefused."""
    custom = body.get(claims.CUSTOM)
    named = custom.get(RECORDING_PARAM) if isinstance(custom, Mapping) else None
    if named is None:
        return target.recording_id
    try:
        recording_id = uuid.UUID(str(named))
    except ValueError:
        raise LaunchRefused("bad_recording", "The custom context_delivery is not a UUID.") from None
    if target.recording_id is not None and target.recording_id != recording_id:
        raise LaunchRefused(
            "recording_mismatch",
            "The custom context_delivery names another recording than the target link URI.",
        )
    return recording_id
