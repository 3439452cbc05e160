"""`manage.py lti_rotate_key`: promote the next signing key, keep the previous one published
for a grace period, create a new next key, and retire previous keys past the grace period."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from panopto_link.lti_platform.keys import KeyRotationRefused, keys_rotate
from panopto_link.lti_platform.models import KeyState, PlatformKey


class Command(BaseCommand):
    help = "Rotate the LTI platform's signing keys (creates the first key set when none exists)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--grace-period",
            type=int,
            default=settings.LTI_KEY_GRACE_PERIOD,
            help="Seconds a previous key stays published after it stopped signing "
            "(default: LTI_KEY_GRACE_PERIOD, %(default)s).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Rotate even if the next key was published less than LTI_JWKS_MAX_AGE ago "
            "(a tool with an older cached key set may then refuse launches for a while).",
        )

    def handle(self, *args, grace_period: int, force: bool, **options) -> None:
        minimum = settings.LTI_ID_TOKEN_LIFETIME + settings.LTI_JWKS_MAX_AGE
        if grace_period < minimum:
            self.stderr.write(
                self.style.WARNING(
                    f"A grace period under {minimum} s (token lifetime + JWKS cache time) can "
                    "make tokens signed just before the rotation fail verification."
                )
            )
        try:
            report = keys_rotate(
                grace_seconds=grace_period, min_next_age_seconds=0 if force else None
            )
        except KeyRotationRefused as refusal:
            raise CommandError(f"{refusal} Use --force to rotate anyway.") from refusal
        if report.promoted:
            self.stdout.write(f"Signing key (current): {report.promoted}")
        if report.demoted:
            self.stdout.write(f"Previous key, published for {grace_period} s: {report.demoted}")
        self.stdout.write(f"Next key, published before it signs: {report.created_next}")
        for kid in report.retired:
            self.stdout.write(f"Retired: {kid}")
        published = PlatformKey.objects.exclude(state=KeyState.RETIRED).count()
        self.stdout.write(self.style.SUCCESS(f"Done. {published} keys published in the JWKS."))
