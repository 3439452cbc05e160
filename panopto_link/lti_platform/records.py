"""What the launch records tell a tool's part: whether launches went ahead with a context id or
for a client. The records are the platform's; a tool asks these questions, never the table."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage


def context_launched(context_id: str, *, outside_space_id: int | None = None) -> bool:
    """A launch went ahead naming this context id: an accepted launch record names it (one
    query; the records of a deleted space count too). With `outside_space_id`, only launches
    of another space, or of one deleted since, count."""
    records = LaunchRecord.objects.filter(context_id=context_id, outcome=LaunchOutcome.ACCEPTED)
    if outside_space_id is not None:
        records = records.filter(Q(space__isnull=True) | ~Q(space_id=outside_space_id))
    return records.exists()


def client_issued(client_id: str) -> bool:
    """The tool registered as `client_id` has received an id_token (one query)."""
    return LaunchRecord.objects.filter(
        client_id=client_id,
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.ACCEPTED,
    ).exists()


@dataclass(frozen=True)
class RecordSeen:
    """One launch record as IT's explanations show it (plain data across the seam)."""

    created_at: datetime.datetime
    stage: str
    outcome: str
    reason: str
    role_sent: str


def last_launches(*, user_id: int, space_id: int, count: int = 5) -> list[RecordSeen]:
    """The person's newest launch records of the space (one query)."""
    records = LaunchRecord.objects.filter(user_id=user_id, space_id=space_id).order_by(
        "-created_at", "-pk"
    )[:count]
    return [
        RecordSeen(
            created_at=record.created_at,
            stage=record.get_stage_display(),
            outcome=record.get_outcome_display(),
            reason=record.reason,
            role_sent=record.role_sent,
        )
        for record in records
    ]
