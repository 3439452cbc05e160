"""The platform's half of the configuration self-test (`manage.py panopto_check`, and the button
on the registration's admin page): checks of the issuer, of the platform's own JWKS and OpenID
configuration as tools fetch them, of its signing keys, and of the server's clock against a
tool's answers. Each check says pass, warn or fail, and what to do. The tool's part adds its
own checks (Panopto: `panopto_link.self_test`) and runs the probes.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.outbound import Probe
from panopto_link.lti.origins import same_origin
from panopto_link.lti_platform import keys
from panopto_link.lti_platform.issuer import absolute_url
from panopto_link.lti_platform.models import KeyState, PlatformKey

PRODUCTION = "production"
# A clock this far from a tool's (seconds) is worth a warning; beyond the second, launches fail:
# tools allow little or no leeway for `iat` (pylti1p3 none at all).
CLOCK_WARN_SECONDS = 5
CLOCK_FAIL_SECONDS = 60


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 - a check's outcome, not a password
    WARN = "warn"
    FAIL = "fail"

    @property
    def label(self) -> Promise:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.PASS: gettext_lazy("pass"),
    Status.WARN: gettext_lazy("warn"),
    Status.FAIL: gettext_lazy("fail"),
}


@dataclass(frozen=True)
class CheckResult:
    key: str  # a stable name, for tests and scripts
    title: str
    status: Status
    detail: str
    action: str = ""  # what to do, when it did not pass


def own_urls() -> dict[str, str]:
    """The platform's URLs under the issuer, as tools are told them."""
    return {
        "jwks": absolute_url(reverse("lti_platform:jwks")),
        "openid_configuration": absolute_url(reverse("lti_platform:openid_configuration")),
        "authorize": absolute_url(reverse("lti_platform:authorize")),
    }


def check_issuer(*, environment: str, served_origin: str | None) -> CheckResult:
    """LTI_ISSUER: an https origin in production, a host this portal serves, and — when asked
    from a page — the origin that page is served on."""
    issuer = settings.LTI_ISSUER
    title = _("The platform's issuer (LTI_ISSUER)")

    def result(status: Status, detail: str, action: str = "") -> CheckResult:
        return CheckResult("issuer", title, status, detail, action)

    parts = urlsplit(issuer)
    if not issuer or parts.scheme not in ("http", "https") or not parts.hostname:
        return result(
            Status.FAIL,
            _("LTI_ISSUER is not an http(s) URL: “%(issuer)s”.") % {"issuer": issuer},
            _("Set LTI_ISSUER to the portal's public address, e.g. https://neptun.example.edu."),
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return result(
            Status.FAIL,
            _("LTI_ISSUER has a path or query: “%(issuer)s”.") % {"issuer": issuer},
            _(
                "Use scheme and host only (no path, no trailing slash): the portal's LTI URLs "
                "are built under it."
            ),
        )
    if not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        return result(
            Status.FAIL,
            _(
                "The issuer's host %(host)s is not in ALLOWED_HOSTS: the portal refuses "
                "requests to it."
            )
            % {"host": parts.hostname},
            _("Add %(host)s to ALLOWED_HOSTS, or correct LTI_ISSUER.") % {"host": parts.hostname},
        )
    if served_origin and not same_origin(served_origin, issuer):
        return result(
            Status.FAIL,
            _(
                "This page is served at %(served)s, but LTI_ISSUER is %(issuer)s: Panopto is "
                "told the issuer's address, and sessions and cookies belong to the one served."
            )
            % {"served": served_origin, "issuer": issuer},
            _(
                "Set LTI_ISSUER to the address the portal is served on (behind a proxy, check "
                "that it sends X-Forwarded-Proto and the public Host)."
            ),
        )
    if parts.scheme != "https":
        if environment == PRODUCTION:
            return result(
                Status.FAIL,
                _("The issuer is plain http in production: %(issuer)s.") % {"issuer": issuer},
                _(
                    "Serve the portal over HTTPS and set LTI_ISSUER to its https:// address; "
                    "LTI 1.3 requires TLS for every message."
                ),
            )
        if environment != "development":
            return result(
                Status.WARN,
                _("The issuer is plain http: %(issuer)s.") % {"issuer": issuer},
                _("Use HTTPS outside development: browsers drop the tool's cookies without it."),
            )
    return result(Status.PASS, _("%(issuer)s, served by this portal.") % {"issuer": issuer})


def jwks_key_problems(document: object) -> tuple[list[str], list[str]]:
    """The kids of the usable RS256 signing keys of a JWK Set, and what is wrong with the rest."""
    usable: list[str] = []
    problems: list[str] = []
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return usable, [_("the document is not a JWK Set (it has no “keys” list)")]
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(_("key %(n)d is not an object") % {"n": index})
        elif entry.get("kty") != "RSA" or entry.get("alg", "RS256") != "RS256":
            problems.append(_("key %(n)d is not an RS256 key") % {"n": index})
        elif not entry.get("kid"):
            problems.append(_("key %(n)d has no kid") % {"n": index})
        elif entry.get("use", "sig") != "sig":
            problems.append(_("key %(n)d is not a signing key") % {"n": index})
        else:
            usable.append(str(entry["kid"]))
    return usable, problems


def no_answer(probe: Probe) -> str:
    """Why a probe brought no usable answer, in words."""
    if not probe.answered:
        return _("%(url)s did not answer: %(error)s.") % {"url": probe.url, "error": probe.error}
    if probe.error:
        return _("%(url)s answered %(status)d, but %(error)s.") % {
            "url": probe.url,
            "status": probe.status,
            "error": probe.error,
        }
    return _("%(url)s answered %(status)d.") % {"url": probe.url, "status": probe.status}


def check_own_jwks(probe: Probe) -> CheckResult:
    """The JWKS answers at the issuer's URL with the platform's RS256 keys."""
    title = _("The portal's JWKS at the issuer's URL")
    action = _(
        "Panopto fetches the portal's public keys here to verify every launch: make %(url)s "
        "reachable over the issuer's address (proxy, firewall, ALLOWED_HOSTS)."
    ) % {"url": probe.url}
    if probe.status != 200 or probe.document is None:
        return CheckResult("own_jwks", title, Status.FAIL, no_answer(probe), action)
    kids, problems = jwks_key_problems(probe.document)
    if not kids or problems:
        return CheckResult(
            "own_jwks",
            title,
            Status.FAIL,
            _("The key set is not usable: %(problems)s.")
            % {"problems": "; ".join(problems) or _("no key")},
            action,
        )
    return CheckResult(
        "own_jwks",
        title,
        Status.PASS,
        ngettext(
            "%(url)s publishes %(count)d RS256 key: %(kids)s.",
            "%(url)s publishes %(count)d RS256 keys: %(kids)s.",
            len(kids),
        )
        % {"url": probe.url, "count": len(kids), "kids": ", ".join(kids)},
    )


def check_own_openid_configuration(probe: Probe) -> CheckResult:
    """The OpenID configuration answers at the issuer's URL and names the issuer's own URLs."""
    title = _("The portal's OpenID configuration at the issuer's URL")
    if probe.status != 200 or not isinstance(probe.document, dict):
        return CheckResult(
            "own_openid_configuration",
            title,
            Status.FAIL,
            no_answer(probe),
            _("Make %(url)s reachable over the issuer's address.") % {"url": probe.url},
        )
    urls = own_urls()
    expected = {
        "issuer": settings.LTI_ISSUER,
        "jwks_uri": urls["jwks"],
        "authorization_endpoint": urls["authorize"],
    }
    wrong = [name for name, value in expected.items() if probe.document.get(name) != value]
    if wrong:
        return CheckResult(
            "own_openid_configuration",
            title,
            Status.FAIL,
            _("It names other values than this portal's for: %(names)s.")
            % {"names": ", ".join(wrong)},
            _(
                "Another server answers at the issuer's address, or a proxy rewrites the "
                "answer: check where LTI_ISSUER's host points."
            ),
        )
    return CheckResult(
        "own_openid_configuration",
        title,
        Status.PASS,
        _("%(url)s names this issuer, its JWKS and its authorization endpoint.")
        % {"url": probe.url},
    )


def check_signing_keys(own_jwks: Probe) -> CheckResult:
    """A current signing key that can be decrypted, the next one published, no previous key
    past its grace period, and the published key set as the database has it."""
    title = _("The platform's signing keys")
    states = dict(
        PlatformKey.objects.exclude(state=KeyState.RETIRED)
        .values_list("kid", "state")
        .order_by("created_at")
    )
    current = [kid for kid, state in states.items() if state == KeyState.CURRENT]
    if not current:
        return CheckResult(
            "signing_keys",
            title,
            Status.FAIL,
            _("There is no current signing key."),
            _("Run manage.py lti_rotate_key to create the first key set."),
        )
    try:
        keys.signing_key()
    except ImproperlyConfigured as error:
        return CheckResult(
            "signing_keys",
            title,
            Status.FAIL,
            str(error),
            _("Set LTI_KEY_ENCRYPTION_KEY to the key the signing keys were encrypted with."),
        )
    published = set()
    if own_jwks.status == 200 and isinstance(own_jwks.document, dict):
        published = {
            entry.get("kid")
            for entry in own_jwks.document.get("keys") or []
            if isinstance(entry, dict)
        }
        retired = set(
            PlatformKey.objects.filter(state=KeyState.RETIRED, kid__in=published).values_list(
                "kid", flat=True
            )
        )
        if retired:
            return CheckResult(
                "signing_keys",
                title,
                Status.FAIL,
                _("Retired keys are still published: %(kids)s.") % {"kids": ", ".join(retired)},
                _(
                    "Another server (or a stale cache) serves an old key set at the issuer's "
                    "address; the portal publishes only its next, current and previous keys."
                ),
            )
        if current[0] not in published:
            return CheckResult(
                "signing_keys",
                title,
                Status.FAIL,
                _("The current key %(kid)s is not in the published key set.") % {"kid": current[0]},
                _(
                    "The key set is kept for up to a minute after a rotation: run the check "
                    "again; if it stays, another server answers at the issuer's address."
                ),
            )
    grace = datetime.timedelta(seconds=settings.LTI_KEY_GRACE_PERIOD)
    overdue = list(
        PlatformKey.objects.filter(
            state=KeyState.PREVIOUS, deactivated_at__lt=timezone.now() - grace
        ).values_list("kid", flat=True)
    )
    if overdue:
        return CheckResult(
            "signing_keys",
            title,
            Status.WARN,
            _("Previous keys are still published past their grace period: %(kids)s.")
            % {"kids": ", ".join(overdue)},
            _("Run manage.py lti_rotate_key, which retires them (schedule it quarterly)."),
        )
    if KeyState.NEXT not in states.values():
        return CheckResult(
            "signing_keys",
            title,
            Status.WARN,
            _("No next key is published, so the next rotation cannot be seamless."),
            _("Run manage.py lti_rotate_key."),
        )
    return CheckResult(
        "signing_keys",
        title,
        Status.PASS,
        ngettext(
            "%(kid)s signs; %(count)d key published, none retired or overdue.",
            "%(kid)s signs; %(count)d keys published, none retired or overdue.",
            len(states),
        )
        % {"kid": current[0], "count": len(states)},
    )


def check_clock(probes: Iterable[Probe], *, party: str) -> CheckResult:
    """The server's clock against the Date header of `party`'s answers: launches carry the time
    they were issued, which the tool compares with its own clock."""
    title = _("The server's clock")
    dated = [probe for probe in probes if probe.date is not None]
    if not dated:
        return CheckResult(
            "clock",
            title,
            Status.WARN,
            _("%(party)s sent no Date header to compare with.") % {"party": party},
            _("Make sure the server's clock is synchronised (NTP, e.g. systemd-timesyncd)."),
        )
    # Date has whole seconds and is set before the answer travels: the smallest difference
    # is the best estimate.
    skews = [probe.date.timestamp() - probe.received_at for probe in dated if probe.date]
    skew = min(skews, key=abs)
    seconds = round(abs(skew))
    if seconds == 0:  # "0 s behind" says a difference there is none of: it matches
        detail = _("This server's clock matches %(party)s's.")
    elif skew < 0:
        detail = _("This server's clock is %(seconds)d s ahead of %(party)s's.")
    else:
        detail = _("This server's clock is %(seconds)d s behind %(party)s's.")
    detail = detail % {"seconds": seconds, "party": party}
    action = _("Synchronise the server's clock (NTP, e.g. systemd-timesyncd).")
    if abs(skew) > CLOCK_FAIL_SECONDS:
        return CheckResult("clock", title, Status.FAIL, detail, action)
    if abs(skew) > CLOCK_WARN_SECONDS:
        return CheckResult("clock", title, Status.WARN, detail, action)
    return CheckResult("clock", title, Status.PASS, detail)


def counts(results: Sequence[CheckResult]) -> dict[Status, int]:
    return {status: sum(1 for r in results if r.status is status) for status in Status}
