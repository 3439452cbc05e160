"""Today's date in the portal's time zone: the one clock the pages read, so that a test can set
it (`monkeypatch.setattr(clock, "today", ...)`; callers write `clock.today()`, never a copy)."""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()
