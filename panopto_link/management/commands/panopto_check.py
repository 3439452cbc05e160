"""`manage.py panopto_check`: the configuration self-test of the Panopto connection — each check
with pass, warn or fail and what to do — for an IT administrator after a change, and for a
deployment pipeline: the exit status is 1 when any check fails (warnings do not fail)."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from panopto_link.lti_platform.api import Status
from panopto_link.self_test import run_self_test


class Command(BaseCommand):
    help = (
        "Check the Panopto connection: the registration, the issuer, the portal's and "
        "Panopto's endpoints, the signing keys, the clock and the environment. Exits with "
        "status 1 when a check fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="text for a person (default), json for a pipeline.",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language of the report (default: the portal's, LANGUAGE_CODE).",
        )

    def handle(self, *args, format: str, language: str | None, **options) -> None:
        with translation.override(language or translation.get_language()):
            report = run_self_test()
            if format == "json":
                self.stdout.write(json.dumps(self.as_json(report), ensure_ascii=False, indent=2))
            else:
                self.write_text(report)
            failed = report.counts[Status.FAIL]
        if failed:
            raise CommandError(f"{failed} check(s) failed.", returncode=1)

    def as_json(self, report) -> dict:
        return {
            "environment": report.environment,
            "issuer": report.issuer,
            "failed": report.failed,
            "checks": [
                {
                    "check": result.key,
                    "status": result.status.value,
                    "title": result.title,
                    "detail": result.detail,
                    "action": result.action,
                }
                for result in report.results
            ],
        }

    def write_text(self, report) -> None:
        style = {
            Status.PASS: self.style.SUCCESS,
            Status.WARN: self.style.WARNING,
            Status.FAIL: self.style.ERROR,
        }
        self.stdout.write(
            translation.gettext("Panopto self-test: %(environment)s portal, issuer %(issuer)s")
            % {"environment": report.environment, "issuer": report.issuer}
        )
        for result in report.results:
            mark = f"[{str(result.status.label).upper():4}]"
            self.stdout.write(f"{style[result.status](mark)} {result.title}")
            self.stdout.write(f"       {result.detail}")
            if result.action and result.status is not Status.PASS:
                self.stdout.write(
                    "       "
                    + translation.gettext("What to do: %(action)s") % {"action": result.action}
                )
        counts = report.counts
        self.stdout.write(
            translation.gettext(
                "%(total)d checks: %(passed)d passed, %(warned)d warnings, %(failed)d failed."
            )
            % {
                "total": len(report.results),
                "passed": counts[Status.PASS],
                "warned": counts[Status.WARN],
                "failed": counts[Status.FAIL],
            }
        )
