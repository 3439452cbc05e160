"""The platform's writes besides its keys (`keys.py`): the audit row of every launch step, and
the consumption of single-use values. Each has one writer, here — and so each launch step and
refusal is counted in the metrics here (core.metrics), once its row is committed."""

import datetime
from collections.abc import Sequence
from enum import StrEnum
from functools import cache, partial
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Field
from django.utils import timezone

from core import metrics, shared_cache
from core.rate_limits import Taken, configured_rate, rate_limit_take
from panopto_link.lti.messages import personal_claims
from panopto_link.lti.reasons import Reason
from panopto_link.lti.text import plain_text
from panopto_link.lti_platform.models import (
    ConsumedToken,
    LaunchOutcome,
    LaunchRecord,
    LaunchStage,
)
from panopto_link.lti_platform.plan import LaunchPlan


class AlreadyUsed(Exception):
    """The single-use value has been consumed before."""


def _step_counted(*, stage: LaunchStage, outcome: LaunchOutcome, reason: StrEnum | None) -> None:
    """Count a launch step in the metrics once the transaction that wrote its row commits (at
    once outside one): a row rolled back was no step, so the counts are the audit's."""
    transaction.on_commit(
        partial(
            metrics.launch_step_counted,
            step=stage.value,
            outcome=outcome.value,
            reason=reason.value if reason else "",
        )
    )


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


def sent_of(plan: LaunchPlan) -> dict:
    """What a launch with `plan` tells the tool, as its accepted record keeps it: the names of
    the personal claims (never their values), the custom parameters' keys, where the tool
    opens, and the tool's part's own facts."""
    return {
        "claims": list(personal_claims(plan.user)),
        "custom": sorted(plan.custom),
        "document_target": plan.document_target,
        "tool": dict(plan.audit),
    }


def accepted_once(
    *,
    kind: ConsumedToken.Kind,
    value: str,
    lifetime: int,
    stage: LaunchStage,
    plan: LaunchPlan,
    user,
    client_id: str,
    reason: StrEnum | None = None,
) -> None:
    """Consume a single-use value and write the accepted audit row of the step it lets through,
    as one: both or neither. Raises AlreadyUsed (nothing written then).

    On PostgreSQL it is one statement — the consumption in a data-modifying CTE, the record
    inserted from its result — so a launch's writes cost one round trip and no BEGIN/COMMIT
    (docs/decisions/0011); elsewhere (SQLite, embedded) one transaction of two statements."""
    consumed = ConsumedToken(
        kind=kind, value=value, expires_at=timezone.now() + datetime.timedelta(seconds=lifetime)
    )
    record = _accepted_record(
        stage=stage, plan=plan, user=user, client_id=client_id, hint_id=value, reason=reason
    )
    if connection.vendor != "postgresql":
        with transaction.atomic():
            single_use_consume(kind=kind, value=value, lifetime=lifetime)
            record.save(force_insert=True)
            _step_counted(stage=stage, outcome=LaunchOutcome.ACCEPTED, reason=reason)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _consumed_and_recorded_sql(),
            {**_insert_values("consumed", consumed), **_insert_values("record", record)},
        )
        if cursor.rowcount != 1:
            raise AlreadyUsed(kind)
    _step_counted(stage=stage, outcome=LaunchOutcome.ACCEPTED, reason=reason)


def _insert_fields(model: type[models.Model]) -> list[Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _insert_values(prefix: str, instance: models.Model) -> dict[str, Any]:
    """The instance's values for `_consumed_and_recorded_sql`, each named by its column."""
    return {
        f"{prefix}_{field.column}": field.get_db_prep_save(
            getattr(instance, field.attname), connection
        )
        for field in _insert_fields(type(instance))
    }


@cache
def _consumed_and_recorded_sql() -> str:
    qn = connection.ops.quote_name
    consumed_fields = _insert_fields(ConsumedToken)
    record_fields = _insert_fields(LaunchRecord)

    def names(fields: list[Field]) -> str:
        return ", ".join(qn(field.column) for field in fields)

    def values(prefix: str, fields: list[Field]) -> str:
        return ", ".join(f"%({prefix}_{field.column})s" for field in fields)

    unique = ", ".join(  # the consumedtoken_once constraint
        qn(field.column) for field in consumed_fields if field.name in ("kind", "value")
    )
    # Only quoted names from the models' metadata are formatted in; every value is a named
    # parameter.
    return (
        f"WITH consumed AS (INSERT INTO {qn(ConsumedToken._meta.db_table)} "  # noqa: S608
        f"({names(consumed_fields)}) VALUES ({values('consumed', consumed_fields)}) "
        f"ON CONFLICT ({unique}) DO NOTHING RETURNING 1) "
        f"INSERT INTO {qn(LaunchRecord._meta.db_table)} ({names(record_fields)}) "
        f"SELECT {values('record', record_fields)} FROM consumed"
    )


def _accepted_record(
    *,
    stage: LaunchStage,
    plan: LaunchPlan,
    user,
    client_id: str,
    hint_id: str,
    reason: StrEnum | None,
) -> LaunchRecord:
    return LaunchRecord(
        stage=stage,
        outcome=LaunchOutcome.ACCEPTED,
        reason=reason.value if reason else "",
        user=user if user is not None and user.is_authenticated else None,
        space_id=plan.space_id,
        context_id=plain_text(plan.context.id, 255),
        role_sent=plain_text(" ".join(plan.roles), 200),
        message_type=plain_text(plan.message_type, 64),
        client_id=plain_text(client_id, 255),
        hint_id=plain_text(hint_id, 64),
        sent=sent_of(plan),
    )


def launch_record_accepted(
    *,
    stage: LaunchStage,
    plan: LaunchPlan,
    user,
    client_id: str,
    hint_id: str,
    reason: StrEnum | None = None,
) -> LaunchRecord:
    """The audit row of a step that went ahead with `plan`: what it sent, and to whom."""
    record = _accepted_record(
        stage=stage, plan=plan, user=user, client_id=client_id, hint_id=hint_id, reason=reason
    )
    record.save(force_insert=True)
    _step_counted(stage=stage, outcome=LaunchOutcome.ACCEPTED, reason=reason)
    return record


def launch_record_write(
    *,
    stage: LaunchStage,
    outcome: LaunchOutcome,
    reason: StrEnum | None = None,
    detail: str = "",
    user=None,
    space_id: int | None = None,
    context_id: str = "",
    roles: Sequence[str] = (),
    message_type: str = "",
    client_id: str = "",
    hint_id: str = "",
    sent: dict | None = None,
) -> LaunchRecord:
    """Write the audit row of one launch step (and count it). Text may come from the request (a
    parameter's name in a refusal), so it is cut to its column and made plain: the record of a
    hostile request must be written too (PostgreSQL refuses NUL in text)."""
    record = LaunchRecord.objects.create(
        stage=stage,
        outcome=outcome,
        reason=reason.value if reason else "",
        detail=plain_text(detail, 500),
        user=user if user is not None and user.is_authenticated else None,
        space_id=space_id,
        context_id=plain_text(context_id, 255),
        role_sent=plain_text(" ".join(roles), 200),
        message_type=plain_text(message_type, 64),
        client_id=plain_text(client_id, 255),
        hint_id=plain_text(hint_id, 64),
        sent=sent or {},
    )
    _step_counted(stage=stage, outcome=outcome, reason=reason)
    return record


# --- refusals, and a flood of them (docs/decisions/0008) -------------------------------------

# Which row counts a flood in this window, while the shared cache is down.
_flood_rows = LocMemCache("panopto-audit-flood", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def launch_refusal_write(
    *,
    stage: LaunchStage,
    reason: StrEnum,
    detail: str,
    user,
    client_address: str,
    space_id: int | None = None,
    client_id: str = "",
    hint_id: str = "",
) -> int | None:
    """The audit row of a refused step. Every refusal is a row of its own within a budget:
    `RATE_LIMIT_SIGNED_IN_REFUSALS` per signed-in user, `RATE_LIMIT_ANONYMOUS_REFUSALS` per
    client address for the anonymous. Beyond it, the window's refusals of that user or address
    are counted in one row (reason `flood`, `attempts`): a flood cannot fill the table or drown
    real events, signed in or not. Returns None for a refusal recorded on its own; for a
    counted one, the seconds until the window ends, and the caller answers 429. Either way the
    metrics count the refusal by its own reason."""
    signed_in = user is not None and user.is_authenticated
    if signed_in:
        rate = configured_rate("RATE_LIMIT_SIGNED_IN_REFUSALS")
        scope, identity = "signed_in_refusal", str(user.pk)
        who = f"Refusals of user {user.pk}"
    else:
        rate = configured_rate("RATE_LIMIT_ANONYMOUS_REFUSALS")
        scope, identity = "anonymous_refusal", client_address
        who = f"Anonymous refusals from {client_address}"
    if rate is not None:
        taken = rate_limit_take(scope=scope, identity=identity, rate=rate)
        if not taken.allowed:
            _flood_count(
                stage=stage, reason=reason, who=who, user=user if signed_in else None, taken=taken
            )
            _step_counted(stage=stage, outcome=LaunchOutcome.REFUSED, reason=reason)
            return taken.retry_after
    launch_record_write(
        stage=stage,
        outcome=LaunchOutcome.REFUSED,
        reason=reason,
        detail=detail,
        user=user,
        space_id=space_id,
        client_id=client_id,
        hint_id=hint_id,
    )
    return None


def _flood_count(*, stage: LaunchStage, reason: StrEnum, who: str, user, taken: Taken) -> None:
    """Add one attempt to the window's flood row of this user or address (one UPDATE), or
    open it."""
    key = f"audit-flood:{taken.key}"
    try:
        row_id = shared_cache.get(key)
    except shared_cache.SharedCacheUnavailable:
        row_id = _flood_rows.get(key)
    if row_id is not None and (
        LaunchRecord.objects.filter(pk=row_id).update(attempts=F("attempts") + 1)
    ):
        return
    # Not launch_record_write, which would count a refusal `flood`: the metrics count each of
    # these refusals by its own reason (launch_refusal_write).
    row = LaunchRecord.objects.create(
        stage=stage,
        outcome=LaunchOutcome.REFUSED,
        reason=Reason.FLOOD.value,
        user=user,
        detail=plain_text(
            f"{who} beyond the limit, counted here until the window ends; the first was "
            f"{reason.value}.",
            500,
        ),
    )
    try:
        shared_cache.set(key, row.pk, taken.retry_after + 1)
    except shared_cache.SharedCacheUnavailable:
        _flood_rows.set(key, row.pk, taken.retry_after + 1)
