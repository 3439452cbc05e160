"""The platform looks a tool up by the client id of a request first (issue 22): every
registered tool is asked with the client id, and a tool that is not the one named reads only
its registration, not the space the request names."""

from dataclasses import dataclass, field

from panopto_link.lti_platform import tools
from panopto_link.lti_platform.plan import ToolRegistration


@dataclass
class Moment:
    registration: ToolRegistration | None


@dataclass
class RecordingTool:
    """A tool that says what it was asked, and reads the request only for its own client."""

    client_id: str
    asked: list[dict] = field(default_factory=list)
    requests_read: int = 0

    def now(self, *, user=None, request=None, client_id=None):
        self.asked.append({"client_id": client_id, "request": request})
        if request is not None and client_id == self.client_id:
            self.requests_read += 1
        return Moment(registration=_registration(self.client_id))


def _registration(client_id: str) -> ToolRegistration:
    return ToolRegistration(
        client_id=client_id,
        deployment_id="d",
        login_url="https://tool.example/login",
        launch_url="https://tool.example/launch",
        redirect_uris=("https://tool.example/launch",),
        jwks_url="https://tool.example/jwks",
        tool_origins=("https://tool.example",),
        is_enabled=True,
        is_complete=True,
    )


def test_every_tool_is_asked_with_the_client_id_and_only_the_named_one_reads_the_request(
    monkeypatch,
):
    other, named = RecordingTool("other-tool"), RecordingTool("panopto")
    monkeypatch.setattr(tools, "_tools", [other, named])

    moment = tools.tool_for_client("panopto", user=object(), request={"space": 7})

    assert moment is not None and moment.registration.client_id == "panopto"
    assert other.asked == [{"client_id": "panopto", "request": {"space": 7}}]
    assert (other.requests_read, named.requests_read) == (0, 1)


def test_an_unknown_client_finds_no_tool_and_no_tool_reads_the_request(monkeypatch):
    first, second = RecordingTool("a"), RecordingTool("b")
    monkeypatch.setattr(tools, "_tools", [first, second])

    assert tools.tool_for_client("c", user=object(), request={"space": 7}) is None
    assert first.requests_read == second.requests_read == 0
