"""The configuration self-test of the Panopto connection (`manage.py panopto_check` and the
button on the registration's admin page): every check with pass, warn or fail and what to do.

The Panopto part's checks — the registration, Panopto's JWKS and login URL, the redirect URIs,
which site the portal points at — and the platform's (`lti_platform.self_test`: the issuer, its
own JWKS and OpenID configuration, the signing keys, the clock). Every outbound request is one
probe through `core.outbound` (`http_probe`: `OUTBOUND_TIMEOUT_SECONDS` at most), all made at
once, so a page asking for the test waits for the slowest only.
"""

import contextlib
import datetime
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import self_test_hooks, shared_cache
from core.outbound import Probe, http_probe
from panopto_link.lti.origins import origin
from panopto_link.lti_platform.api import (
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
from panopto_link.models import PanoptoRegistration
from panopto_link.panopto_api.self_test import (
    ApiCheckOutcome,
    ApiCheckPlan,
    api_check_call,
    api_check_plan,
    api_check_results,
    rest_check_call,
    rest_check_result,
)
from panopto_link.panopto_api.self_test_access import (
    AccessCheckOutcome,
    access_check_call,
    access_check_result,
)
from panopto_link.selectors import panopto_setting


@dataclass(frozen=True)
class SelfTestReport:
    environment: str
    issuer: str
    results: tuple[CheckResult, ...]

    @property
    def failed(self) -> bool:
        return any(result.status is Status.FAIL for result in self.results)

    @property
    def counts(self) -> dict[Status, int]:
        return counts(self.results)


def check_registration(registration: PanoptoRegistration | None) -> CheckResult:
    title = _("The Panopto registration")
    if registration is None:
        return CheckResult(
            "registration",
            title,
            Status.FAIL,
            _("There is no Panopto registration."),
            _(
                "Create it with manage.py panopto_configure (docs/connecting-panopto.md) or in "
                "the admin."
            ),
        )
    if not registration.is_enabled:
        return CheckResult(
            "registration",
            title,
            Status.FAIL,
            _("The registration is switched off: every Panopto button is inactive."),
            _("Enable it in the admin or with manage.py panopto_configure --enable."),
        )
    missing = registration.missing_field_labels()
    if missing:
        return CheckResult(
            "registration",
            title,
            Status.FAIL,
            _("Required fields are empty: %(fields)s.") % {"fields": ", ".join(missing)},
            _(
                "Copy the values from Panopto's identity provider page "
                "(manage.py panopto_configure)."
            ),
        )
    return CheckResult(
        "registration",
        title,
        Status.PASS,
        _("Complete: client id %(client)s, deployment %(deployment)s.")
        % {"client": registration.client_id, "deployment": registration.deployment_id},
    )


def check_licence(licence_valid: bool) -> CheckResult:
    title = _("The Panopto licence")
    if not licence_valid:
        return CheckResult(
            "licence",
            title,
            Status.WARN,
            _("No enabled licence covers today: the portal shows nothing of Panopto."),
            _("Add or extend the licence under Panopto licences in the admin."),
        )
    return CheckResult("licence", title, Status.PASS, _("An enabled licence covers today."))


def check_tool_jwks(registration: PanoptoRegistration | None, answer: Probe | None) -> CheckResult:
    """Panopto's JWKS answers with RS256 keys that have kids (they verify the videos its
    content picker returns)."""
    title = _("Panopto's JWKS URL")
    action = _(
        "Check the JWKS URL against Panopto's identity provider page, and that this server "
        "can reach it (proxy, firewall, certificate)."
    )
    if registration is None or answer is None:
        return CheckResult("tool_jwks", title, Status.FAIL, _("No JWKS URL is registered."), action)
    if answer.status != 200 or answer.document is None:
        return CheckResult("tool_jwks", title, Status.FAIL, no_answer(answer), action)
    kids, problems = jwks_key_problems(answer.document)
    if not kids:
        return CheckResult(
            "tool_jwks",
            title,
            Status.FAIL,
            _("It has no usable RS256 key with a kid: %(problems)s.")
            % {"problems": "; ".join(problems) or _("no key")},
            action,
        )
    detail = ngettext(
        "%(count)d RS256 key: %(kids)s.", "%(count)d RS256 keys: %(kids)s.", len(kids)
    ) % {"count": len(kids), "kids": ", ".join(kids)}
    if problems:
        return CheckResult(
            "tool_jwks",
            title,
            Status.WARN,
            detail + " " + _("Left out: %(problems)s.") % {"problems": "; ".join(problems)},
            _("Only the keys listed can verify Panopto's answers."),
        )
    return CheckResult("tool_jwks", title, Status.PASS, detail)


def check_login_url(registration: PanoptoRegistration | None, answer: Probe | None) -> CheckResult:
    """Panopto's login URL answers without a server error (without launch parameters it is
    expected to refuse, with a 4xx or a redirect)."""
    title = _("Panopto's login URL")
    action = _(
        "Check the login URL against Panopto's identity provider page, and that Panopto is up."
    )
    if registration is None or answer is None:
        return CheckResult(
            "login_url", title, Status.FAIL, _("No login URL is registered."), action
        )
    if not answer.answered or (answer.status or 0) >= 500:
        return CheckResult("login_url", title, Status.FAIL, no_answer(answer), action)
    return CheckResult(
        "login_url",
        title,
        Status.PASS,
        _("%(url)s answered %(status)d without a launch, as expected.")
        % {"url": answer.url, "status": answer.status},
    )


def check_tool_urls(registration: PanoptoRegistration | None, *, environment: str) -> CheckResult:
    """The redirect URIs share the launch URL's origin (the id_token is posted only there), and
    in production every Panopto URL is https."""
    title = _("Panopto's redirect URIs")
    if registration is None or not registration.launch_url:
        return CheckResult(
            "redirect_uris", title, Status.FAIL, _("No launch URL is registered."), ""
        )
    # Where the id_token may go, compared as RFC 6454 does; the redirect URI a login sends is
    # still matched exactly against this list (`lti.auth_request`).
    expected = origin(registration.launch_url)
    launch_origin = expected or registration.launch_url
    foreign = [uri for uri in registration.redirect_uri_list if origin(uri) != expected]
    if foreign:
        return CheckResult(
            "redirect_uris",
            title,
            Status.FAIL,
            _("Not on the launch URL's origin %(origin)s: %(uris)s.")
            % {"origin": launch_origin, "uris": ", ".join(foreign)},
            _(
                "The id_token is posted to a redirect URI: give only the URLs Panopto's "
                "identity provider page lists, on Panopto's own site."
            ),
        )
    urls = [
        registration.login_url,
        registration.launch_url,
        registration.deep_linking_url,
        registration.jwks_url,
        *registration.redirect_uri_list,
    ]
    plain = [url for url in urls if url and urlsplit(url).scheme != "https"]
    if plain and environment == PRODUCTION:
        return CheckResult(
            "redirect_uris",
            title,
            Status.FAIL,
            _("Plain http in production: %(urls)s.") % {"urls": ", ".join(plain)},
            _("Use Panopto's https:// URLs."),
        )
    return CheckResult(
        "redirect_uris",
        title,
        Status.PASS,
        ngettext(
            "%(count)d redirect URI, on %(origin)s.",
            "%(count)d redirect URIs, all on %(origin)s.",
            len(registration.redirect_uri_list),
        )
        % {"count": len(registration.redirect_uri_list), "origin": launch_origin},
    )


def check_environment(registration: PanoptoRegistration | None, *, environment: str) -> CheckResult:
    """A portal that is not production must not point at the production Panopto site, and the
    production portal's registration should say it is the production site."""
    title = _("Which Panopto site this portal points at")
    if registration is None:
        return CheckResult(
            "environment",
            title,
            Status.PASS,
            _("PORTAL_ENVIRONMENT is %(environment)s; no registration yet.")
            % {"environment": environment},
        )
    if environment != PRODUCTION and registration.is_production_site:
        return CheckResult(
            "environment",
            title,
            Status.WARN,
            _(
                "This is a %(environment)s portal (PORTAL_ENVIRONMENT), but its registration is "
                "marked as the production Panopto site: its launches create real folders and "
                "accounts there."
            )
            % {"environment": environment},
            _(
                "Register the Panopto test site instead (manage.py panopto_configure), or set "
                "PORTAL_ENVIRONMENT=production if this is the production portal."
            ),
        )
    if environment == PRODUCTION and not registration.is_production_site:
        return CheckResult(
            "environment",
            title,
            Status.WARN,
            _("The production portal's registration is not marked as the production Panopto site."),
            _(
                "Tick “production Panopto site” (or panopto_configure --production-site), so "
                "that a test portal restored from this database is warned."
            ),
        )
    site = registration.site_url or registration.launch_url
    return CheckResult(
        "environment",
        title,
        Status.PASS,
        _("A %(environment)s portal pointing at %(site)s.")
        % {"environment": environment, "site": site},
    )


Prober = Callable[[str, bool], Probe]


def _probe(url: str, want_json: bool) -> Probe:
    return http_probe(url, want_json=want_json)


def _api_calls(plan: ApiCheckPlan) -> tuple[ApiCheckOutcome, AccessCheckOutcome]:
    """The SOAP checks' calls, in one thread: the access check reads the folder the mapping's
    lookup found when no folder is confirmed yet."""
    outcome = api_check_call(plan)
    return outcome, access_check_call(plan, outcome)


def run_self_test(*, served_origin: str | None = None, prober: Prober = _probe) -> SelfTestReport:
    """Run every check. `served_origin` is the scheme://host the asking page was served on
    (None from the command line). The outbound probes run at the same time, each within
    `OUTBOUND_TIMEOUT_SECONDS`."""
    environment = settings.PORTAL_ENVIRONMENT
    setting = panopto_setting()
    registration = setting.registration
    own = own_urls()
    wanted: dict[str, tuple[str, bool]] = {
        "own_jwks": (own["jwks"], True),
        "own_openid_configuration": (own["openid_configuration"], True),
    }
    if registration is not None and registration.jwks_url:
        wanted["tool_jwks"] = (registration.jwks_url, True)
    if registration is not None and registration.login_url:
        wanted["login_url"] = (registration.login_url, False)
    api_plan = api_check_plan(registration)
    with ThreadPoolExecutor(max_workers=len(wanted) + 2) as pool:
        api_future = pool.submit(_api_calls, api_plan)  # beside the probes, not after
        rest_future = pool.submit(rest_check_call, api_plan)
        futures = {name: pool.submit(prober, url, json_) for name, (url, json_) in wanted.items()}
        answers = {name: future.result() for name, future in futures.items()}
        api_outcome, access_outcome = api_future.result()
        rest_outcome = rest_future.result()
    tool_answers = [answers[name] for name in ("tool_jwks", "login_url") if name in answers]
    results = (
        check_registration(registration),
        check_licence(setting.licence_valid),
        check_issuer(environment=environment, served_origin=served_origin),
        check_own_jwks(answers["own_jwks"]),
        check_own_openid_configuration(answers["own_openid_configuration"]),
        check_tool_jwks(registration, answers.get("tool_jwks")),
        check_login_url(registration, answers.get("login_url")),
        check_tool_urls(registration, environment=environment),
        check_signing_keys(answers["own_jwks"]),
        check_clock(tool_answers, party=_("Panopto")),
        check_environment(registration, environment=environment),
        *api_check_results(api_plan, api_outcome),
        access_check_result(api_plan, access_outcome),
        rest_check_result(api_plan, rest_outcome),
        # The layers above's own (the eduID sign-in's: one identity to Panopto, issue 26).
        *(
            result
            for result in (check(registration) for check in self_test_hooks.registered())
            if result is not None
        ),
    )
    return SelfTestReport(environment=environment, issuer=settings.LTI_ISSUER, results=results)


# --- the last report, for the staff who may see it but not run it ----------------------------

_LAST_REPORT_KEY = "panopto-self-test:last-report"
LAST_REPORT_KEPT_SECONDS = 30 * 86_400


@dataclass(frozen=True)
class KeptReport:
    report: SelfTestReport
    ran_at: datetime.datetime
    ran_by: str


def self_test_report_keep(report: SelfTestReport, *, ran_by: str) -> None:
    """Keep `report` in the shared cache as the last one (for `LAST_REPORT_KEPT_SECONDS`), in the
    words of whoever ran it. Without the cache it is not kept: the report is a convenience, and
    running the test again makes a fresh one."""
    kept = KeptReport(report=report, ran_at=timezone.now(), ran_by=ran_by)
    with contextlib.suppress(shared_cache.SharedCacheUnavailable):
        shared_cache.set(_LAST_REPORT_KEY, kept, LAST_REPORT_KEPT_SECONDS)


def self_test_last_report() -> KeptReport | None:
    """The last report kept, if any (None as well while the shared cache is down)."""
    try:
        kept = shared_cache.get(_LAST_REPORT_KEY)
    except shared_cache.SharedCacheUnavailable:
        return None
    return kept if isinstance(kept, KeptReport) else None
