"""The platform's writes besides its keys (`keys.py`): the audit row of every launch step, and
the consumption of single-use values. Each has one writer, here."""

import datetime
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from panopto_link.lti.reasons import Reason
from panopto_link.lti.text import plain_text
from panopto_link.models import ConsumedToken, LaunchOutcome, LaunchRecord, LaunchStage


class AlreadyUsed(Exception):
    """The single-use value has been consumed before."""


def single_use_consume(*, kind: ConsumedToken.Kind, value: str, lifetime: int) -> None:
    """Consume a single-use value (a message hint's id, a deep-linking nonce or data id):
    inserting it is the consumption, and the unique index refuses a second use on every app
    server at once (docs/decisions/0001). `lifetime` is how long, in seconds, the value itself
    could still be used; its row may be pruned after that.

    Raises AlreadyUsed. Runs in the caller's transaction without a savepoint: a refusal ends
    the whole transaction (the caller lets the exception leave its atomic block), which saves
    two round trips on every launch.
    """
    try:
        with transaction.atomic(savepoint=False):
            ConsumedToken.objects.create(
                kind=kind,
                value=value,
                expires_at=timezone.now() + datetime.timedelta(seconds=lifetime),
            )
    except IntegrityError:
        raise AlreadyUsed(kind) from None


def launch_record_write(
    *,
    stage: LaunchStage,
    outcome: LaunchOutcome,
    reason: Reason | None = None,
    detail: str = "",
    user=None,
    space_id: int | None = None,
    context_id: str = "",
    roles: Sequence[str] = (),
    message_type: str = "",
    client_id: str = "",
    hint_id: str = "",
) -> LaunchRecord:
    """Write the audit row of one launch step. Text may come from the request (a parameter's
    name in a refusal), so it is cut to its column and made plain: the record of a hostile
    request must be written too (PostgreSQL refuses NUL in text)."""
    return LaunchRecord.objects.create(
        stage=stage,
        outcome=outcome,
        reason=reason.value if reason else "",
        detail=plain_text(detail, 500),
        user=user if user is not None and user.is_authenticated else None,
        space_id=space_id,
        context_id=plain_text(context_id, 64),
        role_sent=plain_text(" ".join(roles), 200),
        message_type=plain_text(message_type, 64),
        client_id=plain_text(client_id, 255),
        hint_id=plain_text(hint_id, 64),
    )
