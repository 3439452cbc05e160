"""The LTI platform's public module: everything a tool's part of the portal (Panopto:
`panopto_link`) calls, and nothing else of the platform is imported by it (an import contract
in pyproject.toml holds that). What crosses the seam is plain data (`plan`); see
docs/decisions/0007 and 0017.

- plug in: `tool_register` (a `LaunchTool`), `launch_words_register` (the records in words);
- a launch: `login_initiation_url` at the click, `login_initiation_refused` for a refused one;
- the picker's return: `receive_content`, `ContentRefused`;
- the records: `context_launched`, `client_issued`, `last_launches` (IT's "why" page);
- addresses: `absolute_url`;
- the self-test: the platform's own checks and helpers the tool's checks reuse.
"""

from panopto_link.lti_platform.content import ContentRefused, receive_content
from panopto_link.lti_platform.initiation import login_initiation_refused, login_initiation_url
from panopto_link.lti_platform.issuer import absolute_url
from panopto_link.lti_platform.plan import LaunchPlan, LaunchRequest, ToolRegistration
from panopto_link.lti_platform.records import (
    RecordSeen,
    client_issued,
    context_launched,
    last_launches,
)
from panopto_link.lti_platform.self_test import (
    PRODUCTION,
    CheckResult,
    Status,
    check_clock,
    check_issuer,
    check_own_jwks,
    check_own_openid_configuration,
    check_signing_keys,
    counts,
    jwks_key_problems,
    no_answer,
    own_urls,
)
from panopto_link.lti_platform.tools import (
    AcceptedContent,
    ContextName,
    LaunchTool,
    LaunchWords,
    ToolMoment,
    launch_words_register,
    tool_register,
)

__all__ = [
    "PRODUCTION",
    "AcceptedContent",
    "CheckResult",
    "ContentRefused",
    "ContextName",
    "LaunchPlan",
    "LaunchRequest",
    "LaunchTool",
    "LaunchWords",
    "RecordSeen",
    "Status",
    "ToolMoment",
    "ToolRegistration",
    "absolute_url",
    "check_clock",
    "check_issuer",
    "check_own_jwks",
    "check_own_openid_configuration",
    "check_signing_keys",
    "client_issued",
    "context_launched",
    "counts",
    "jwks_key_problems",
    "last_launches",
    "launch_words_register",
    "login_initiation_refused",
    "login_initiation_url",
    "no_answer",
    "own_urls",
    "receive_content",
    "tool_register",
]
