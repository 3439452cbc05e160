"""The platform's retention (`manage.py prune_launch_data`): launch records past the retention
period and consumed single-use values that have expired are deleted, in short batches."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from panopto_link.lti_platform.models import ConsumedToken, LaunchRecord


@dataclass(frozen=True)
class PruneReport:
    cutoff: datetime.datetime
    launch_records: int
    consumed_tokens: int


def _delete_in_batches(
    queryset: QuerySet, *, batch_size: int, progress: Callable[[int, int], None] | None
) -> int:
    """Delete the rows in short transactions of `batch_size` rows each, oldest id first, so a
    large backlog never holds a long lock on a table that launches write to."""
    total = queryset.count()
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        deleted += queryset.model.objects.filter(pk__in=ids).delete()[0]
        if progress is not None:
            progress(deleted, max(total, deleted))


def launch_data_prune(
    *,
    now: datetime.datetime,
    retention_days: int,
    batch_size: int = 1000,
    progress: Callable[[str, int, int], None] | None = None,
) -> PruneReport:
    """Delete launch records older than `retention_days` and consumed single-use values whose
    `expires_at` has passed (docs/decisions/0001: the value they record can no longer be used,
    so forgetting it cannot let a replay through). Unexpired values are never touched.

    `progress(kind, deleted, total)` is called after every batch. Raises ValueError for a
    retention under one day (a slip of the finger must not erase the audit trail).
    """
    if retention_days < 1:
        raise ValueError("The retention must be at least one day.")
    cutoff = now - datetime.timedelta(days=retention_days)

    def report(kind: str) -> Callable[[int, int], None] | None:
        return (lambda deleted, total: progress(kind, deleted, total)) if progress else None

    records = _delete_in_batches(
        LaunchRecord.objects.older_than(cutoff),
        batch_size=batch_size,
        progress=report("launch_records"),
    )
    tokens = _delete_in_batches(
        ConsumedToken.objects.filter(expires_at__lt=now),
        batch_size=batch_size,
        progress=report("consumed_tokens"),
    )
    return PruneReport(cutoff=cutoff, launch_records=records, consumed_tokens=tokens)
