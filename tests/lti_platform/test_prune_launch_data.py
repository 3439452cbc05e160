"""`manage.py prune_launch_data`: launch records past the retention and expired single-use
values go, in batches with progress; everything younger — above all an unexpired consumed hint,
whose loss would let a replay through — stays."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from panopto_link.lti_platform.models import (
    ConsumedToken,
    LaunchOutcome,
    LaunchRecord,
    LaunchStage,
)
from panopto_link.lti_platform.retention import launch_data_prune

pytestmark = pytest.mark.django_db


def records_aged(*days: float) -> None:
    now = timezone.now()
    LaunchRecord.objects.bulk_create(
        LaunchRecord(
            created_at=now - datetime.timedelta(days=age),
            stage=LaunchStage.AUTHORIZATION,
            outcome=LaunchOutcome.ACCEPTED,
        )
        for age in days
    )


def consumed(value: str, *, expires_in: datetime.timedelta) -> None:
    ConsumedToken.objects.create(
        kind=ConsumedToken.Kind.MESSAGE_HINT, value=value, expires_at=timezone.now() + expires_in
    )


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("prune_launch_data", *args, stdout=out)
    return out.getvalue()


def test_records_past_the_configured_retention_are_deleted_with_progress(settings):
    settings.LAUNCH_RECORD_RETENTION_DAYS = 30
    records_aged(*([40] * 5), 31, 29, 1, 0)
    consumed("old", expires_in=datetime.timedelta(seconds=-1))
    consumed("live", expires_in=datetime.timedelta(minutes=5))
    output = run("--batch-size", "2")
    assert "Retention: 30 days" in output
    assert "launch records: 2/6" in output and "launch records: 6/6" in output
    assert "expired single-use values: 1/1" in output
    assert "Deleted 6 launch records and 1 expired single-use values." in output
    ages = sorted(
        (timezone.now() - created).days
        for created in LaunchRecord.objects.values_list("created_at", flat=True)
    )
    assert ages == [0, 1, 29]
    assert list(ConsumedToken.objects.values_list("value", flat=True)) == ["live"]


def test_an_unexpired_consumed_hint_is_never_pruned_so_its_replay_stays_refused():
    consumed("in-flight", expires_in=datetime.timedelta(seconds=1))
    report = launch_data_prune(now=timezone.now(), retention_days=1)
    assert report.consumed_tokens == 0
    assert ConsumedToken.objects.filter(value="in-flight").exists()


def test_the_command_line_retention_overrides_the_setting(settings):
    settings.LAUNCH_RECORD_RETENTION_DAYS = 365
    records_aged(10, 3)
    assert "Deleted 1 launch records" in run("--retention-days", "5")
    assert LaunchRecord.objects.count() == 1


def test_a_dry_run_counts_and_deletes_nothing():
    records_aged(400, 1)
    consumed("old", expires_in=datetime.timedelta(days=-1))
    output = run("--dry-run")
    assert "Dry run: 1 launch records and 1 expired single-use values would be deleted." in output
    assert LaunchRecord.objects.count() == 2 and ConsumedToken.objects.count() == 1


@pytest.mark.parametrize("args", [["--retention-days", "0"], ["--batch-size", "0"]])
def test_a_retention_or_batch_under_one_is_refused(args):
    records_aged(1)
    with pytest.raises(CommandError):
        run(*args)
    assert LaunchRecord.objects.count() == 1


def test_the_service_refuses_a_retention_under_a_day():
    with pytest.raises(ValueError, match="at least one day"):
        launch_data_prune(now=timezone.now(), retention_days=0)
