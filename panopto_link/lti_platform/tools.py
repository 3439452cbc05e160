"""Where a tool plugs into the platform (docs/decisions/0007): a tool's part of the portal
implements `LaunchTool`, and registers it when its app is ready. The platform's endpoints find
the tool by the client id a request names.

Panopto is the only tool today (`panopto_link.launch.PanoptoTool`). A second one — another
video platform, a plagiarism checker — would bring its own registration model, its own policy
and its own `LaunchTool`; the message hint, the authorization endpoint, the signing keys, the
JWKS, the deep-linking verification and the audit would serve it unchanged.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from panopto_link.lti.deep_linking import ContentItem
from panopto_link.lti_platform.plan import LaunchPlan, LaunchRequest, ToolRegistration


class ToolMoment(Protocol):
    """A tool as it stands at this moment: its registration and its policy's answers, read once
    for the request that asks (SPEC §3: decisions are taken "at this moment")."""

    @property
    def registration(self) -> ToolRegistration | None:
        """The tool's registration (enabled or not, complete or not); None when it has none.
        Whether an incomplete one may launch is the tool's policy's to say, in `replan`."""

    def replan(self, *, user: Any, message_type: str, request: LaunchRequest) -> LaunchPlan:
        """The plan of this launch now, as the click made it. Raises LtiError (AccessDenied…)
        when the policy no longer allows it."""

    def issued(self, *, user: Any, plan: LaunchPlan) -> bool:
        """Called in the authorization's transaction once the id_token is made: the tool's part
        records what the launch does (creates the context). True when it changed anything."""

    def accept_content(
        self, *, user: Any, request: LaunchRequest, items: Sequence[ContentItem]
    ) -> "AcceptedContent":
        """Store what the tool's content picker returned (Deep Linking 2.0 §4.5), in the
        return's transaction. Raises LtiError when the policy no longer allows it."""


class AcceptedContent(Protocol):
    """What a tool's part stored, as the audit row records it."""

    @property
    def space_id(self) -> int: ...

    @property
    def context_id(self) -> str: ...

    @property
    def summary(self) -> str:
        """What was done, in a few words."""


class LaunchTool(Protocol):
    def now(
        self,
        *,
        user: Any = None,
        request: LaunchRequest | None = None,
        client_id: str | None = None,
    ) -> ToolMoment:
        """The tool at this moment: its registration and what its policy starts from, and —
        given a user and a request — what deciding that request for the user needs, read
        together (the launch is bound by round trips to the database). Given a `client_id`,
        the request is read only when the tool is registered under that client id: the
        platform asks every tool with the client id first, and only the one named reads more
        than its registration."""


_tools: list[LaunchTool] = []


def tool_register(tool: LaunchTool) -> None:
    if tool not in _tools:
        _tools.append(tool)


def tool_for_client(
    client_id: str, *, user: Any = None, request: LaunchRequest | None = None
) -> ToolMoment | None:
    """The tool registered under `client_id`, as it stands now (see `LaunchTool.now`); None
    for an unknown client. Each tool is asked with the client id, so a tool that is not the one
    named reads its registration only. A client id no database can store (a NUL character)
    names no tool, and is never handed to one."""
    if not client_id or "\x00" in client_id:
        return None
    for tool in _tools:
        moment = tool.now(user=user, request=request, client_id=client_id)
        registration = moment.registration
        if registration is not None and registration.client_id == client_id:
            return moment
    return None


# --- a tool's words on the launch records (the platform's admin shows them) -------------------


class LaunchWords(Protocol):
    """A tool's words for what its launches carry, shown on the launch records."""

    def role(self, role: str) -> str | None:
        """The role URI in the tool's terms; None when the tool has no word of its own."""

    def sent(self, sent: Mapping[str, Any]) -> str:
        """A record's `sent` in words; empty when the record is not the tool's."""

    def reason(self, code: str) -> str | None:
        """One of the tool's own refusal reasons (a stored code) in words; None for a code
        that is not the tool's."""

    def contexts(self, context_ids: Collection[str]) -> Mapping[str, "ContextName"]:
        """What the tool calls each of these contexts (for Panopto: a space's folder), in one
        lookup for a page of records; those it does not know are left out."""


@dataclass(frozen=True)
class ContextName:
    """A context as the launch records name it: its label, and the platform's space that owns
    it (which differs from the record's space when the launch went to a linked context)."""

    label: str
    owner_space_id: int | None


_launch_words: list[LaunchWords] = []


def launch_words_register(words: LaunchWords) -> None:
    if words not in _launch_words:
        _launch_words.append(words)


def launch_words_registered() -> tuple[LaunchWords, ...]:
    return tuple(_launch_words)
