"""Fetch the eduID identity provider's (or the federation's) metadata from SAML_IDP_METADATA
and keep it for the sign-ins (issue 26): run every hour by a timer on one host. Through
core.outbound: a short timeout, the document checked (operator's signature, validUntil) before
it is kept, the last good copy kept when a fetch fails. Exits 1 when no new copy was had."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import outbound
from portal.eduid import config, federation


class Command(BaseCommand):
    help = "Fetch and check the eduID metadata (SAML_IDP_METADATA) and keep it for sign-ins."

    def handle(self, *args, **options) -> None:
        url = settings.SAML_IDP_METADATA
        if not url.startswith(("https://", "http://")):
            raise CommandError("SAML_IDP_METADATA is not a URL: there is nothing to fetch.")
        before = outbound.kept_copy(url)
        self.stdout.write(f"Fetching {url} …")
        try:
            text = config.fetch_metadata(refresh=True)
        except config.MetadataUnavailable as error:
            raise CommandError(f"No copy of the metadata: {error}") from error
        after = outbound.kept_copy(url)
        if after is None or (before is not None and after.fetched_at <= before.fetched_at):
            kept = (
                datetime.datetime.fromtimestamp(before.fetched_at, datetime.UTC) if before else None
            )
            raise CommandError(
                "The fetch failed (see the warning above); the last good copy, fetched at "
                f"{kept:%Y-%m-%d %H:%M} UTC, stays in use."
                if kept
                else "The fetch failed; there is no copy."
            )
        expires = federation.valid_until(text)
        self.stdout.write(
            self.style.SUCCESS(
                f"Kept: {len(text) // 1024} KiB, checked"
                + (" (signature verified)" if settings.SAML_IDP_METADATA_CERT else "")
                + (f", valid until {expires:%Y-%m-%d %H:%M} UTC." if expires else ".")
            )
        )
