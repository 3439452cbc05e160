"""The seam between a tool's part of the portal and the LTI platform: plain data, standard
library only (and the protocol's own dataclasses).

A tool's part (for Panopto: `panopto_link.launch`) turns a decision of its policy into a
`LaunchPlan` — who enters which context with which roles and what the message says. The
platform (this package) seals the plan's request into the message hint, re-asks the tool's part
for the plan at the authorization (SPEC §3 "at this moment"), signs it and writes the audit row.
Nothing here knows what a folder or a video is.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from panopto_link.lti.messages import Context, LaunchUser

# What a tool's part needs to decide the same launch again later: small integers naming its
# own objects (for Panopto: the space clicked in, the space owning the folder, a video). The
# platform seals it into the hint and hands it back; it never reads it.
LaunchRequest = Mapping[str, int]


@dataclass(frozen=True)
class ToolRegistration:
    """What the platform knows of a registered tool (LTI Core §3.1.3)."""

    client_id: str
    deployment_id: str
    login_url: str
    launch_url: str
    redirect_uris: tuple[str, ...]
    jwks_url: str
    tool_origins: tuple[str, ...]  # where content the tool returns may point
    is_enabled: bool
    is_complete: bool  # as the tool's policy defines it (Panopto: permissions.py)
    # Custom keys content the tool returns may not set: the platform sends them itself.
    reserved_custom_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LaunchPlan:
    """What one launch says, decided by the tool's part: everything the id_token carries but
    who signs it, for which deployment, and the tool's nonce."""

    message_type: str
    user: LaunchUser
    roles: tuple[str, ...]
    context: Context
    target_link_uri: str
    document_target: str  # "frame", "iframe" or "window" (LTI Core §5.4.4)
    return_url: str
    # An LtiResourceLinkRequest names its resource link (LTI Core §5.3.5); an
    # LtiDeepLinkingRequest names the picker's title instead (Deep Linking 2.0 §4.4.1).
    resource_link_id: str = ""
    title: str = ""
    deep_link_return_url: str = ""
    custom: Mapping[str, str] = field(default_factory=dict)
    request: LaunchRequest = field(default_factory=dict)
    # For the audit: the portal space the launch came from, and the tool's part's own facts
    # about what it sent (Panopto: its privacy level and identifier), which the platform keeps
    # in the accepted launch record without reading them.
    space_id: int | None = None
    audit: Mapping[str, str] = field(default_factory=dict)
    # The launch creates its context in the tool (the first launch of a Panopto folder); the
    # tool's part makes it so when the id_token is issued (`LaunchTool.issued`).
    creates_context: bool = False
