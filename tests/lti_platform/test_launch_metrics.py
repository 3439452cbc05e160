"""Launch steps and their refusals are counted where their audit rows are written
(panopto_link.lti_platform.services), once the rows are committed: the metrics say what the
launch records say, refusals by their reason codes, an anonymous flood's refusals one by one
though its records are folded into one row. The authorization's time is a histogram. The same
summed over two gunicorn workers: tests/portal/test_metrics_workers.py."""

import pytest
from django.db import transaction
from django.test import Client

from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.lti_platform.services import launch_record_write
from panopto_link.reasons import PanoptoReason
from tests.lti_tool import query, run_launch
from tests.metrics import Counted

pytestmark = pytest.mark.django_db

STEPS = "neptun_lti_launch_steps_total"
REFUSALS = "neptun_lti_launch_refusals_total"
AUTHORIZATION = "neptun_lti_authorization_duration_seconds"


def test_a_launch_counts_its_two_steps_and_the_authorizations_time(
    client, world, tool, django_capture_on_commit_callbacks
):
    world.create_context()
    client.force_login(world.member)
    with Counted() as counted, django_capture_on_commit_callbacks(execute=True):
        result = run_launch(client, world.course.pk, tool=tool)
    assert "id_token" in result.fields
    steps = {name: value for name, value in counted.added().items() if name[0] == STEPS}
    assert steps == {
        (STEPS, (("outcome", "accepted"), ("step", "initiation"))): 1,
        (STEPS, (("outcome", "accepted"), ("step", "authorization"))): 1,
    }
    assert counted(f"{AUTHORIZATION}_count", outcome="issued") == 1
    assert counted(f"{AUTHORIZATION}_bucket", outcome="issued", le="+Inf") == 1
    # Nothing else: no refusal, no rate limit, no outage.
    assert {name for name, _labels in counted.added()} == {
        STEPS,
        f"{AUTHORIZATION}_count",
        f"{AUTHORIZATION}_sum",
        f"{AUTHORIZATION}_bucket",
    }
    assert 0 < counted(f"{AUTHORIZATION}_sum", outcome="issued") < 10


def test_the_first_launch_creating_the_context_is_counted_once(
    client, world, tool, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)
    with Counted() as counted, django_capture_on_commit_callbacks(execute=True):
        result = run_launch(client, world.course.pk, tool=tool)
    assert "id_token" in result.fields
    assert counted(STEPS, step="initiation", outcome="accepted") == 1
    assert counted(STEPS, step="authorization", outcome="accepted") == 1
    assert LaunchRecord.objects.filter(reason="context_created").count() == 1


def test_a_step_is_counted_only_once_its_record_is_committed(django_capture_on_commit_callbacks):
    with Counted() as counted:
        with django_capture_on_commit_callbacks() as waiting:
            launch_record_write(
                stage=LaunchStage.INITIATION,
                outcome=LaunchOutcome.REFUSED,
                reason=PanoptoReason.NO_LICENCE,
            )
        assert counted(STEPS, step="initiation", outcome="refused") == 0
        for callback in waiting:  # the commit
            callback()
    assert counted(STEPS, step="initiation", outcome="refused") == 1
    assert counted(REFUSALS, step="initiation", reason="no_licence") == 1


def test_a_record_rolled_back_is_no_step(django_capture_on_commit_callbacks):
    with (
        Counted() as counted,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        launch_record_write(
            stage=LaunchStage.INITIATION,
            outcome=LaunchOutcome.REFUSED,
            reason=PanoptoReason.NO_LICENCE,
        )
        raise RuntimeError("the transaction fails after the record")
    assert counted.added() == {}
    assert not LaunchRecord.objects.exists()


def test_a_refused_click_is_counted_by_its_reason(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.member)  # the folder's context is not created yet
    with Counted() as counted, django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/panopto/launch/{world.course.pk}/").status_code == 403
    assert counted.added() == {
        (STEPS, (("outcome", "refused"), ("step", "initiation"))): 1,
        (REFUSALS, (("reason", "context_not_created"), ("step", "initiation"))): 1,
    }


def test_a_replayed_hint_is_a_refused_authorization_by_its_reason(
    client, world, tool, django_capture_on_commit_callbacks
):
    world.create_context()
    client.force_login(world.member)
    with django_capture_on_commit_callbacks(execute=True):
        result = run_launch(client, world.course.pk, tool=tool)
    with Counted() as counted, django_capture_on_commit_callbacks(execute=True):
        replay = client.get(result.login.auth_url)
    assert 'name="error"' in replay.content.decode()
    assert counted(STEPS, step="authorization", outcome="refused") == 1
    assert counted(REFUSALS, step="authorization", reason="hint_replayed") == 1
    assert counted(f"{AUTHORIZATION}_count", outcome="refused") == 1
    assert counted(f"{AUTHORIZATION}_count", outcome="issued") == 0


def test_an_anonymous_flood_is_counted_refusal_by_refusal_as_its_row_counts_them(
    client, world, tool, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMIT_ANONYMOUS_REFUSALS = (3, 60)
    world.create_context()
    client.force_login(world.member)
    initiation = client.post(f"/panopto/launch/{world.course.pk}/")
    login = tool.login(query(initiation["Location"])).params
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    with Counted() as counted, django_capture_on_commit_callbacks(execute=True):
        statuses = [attacker.get("/lti/authorize/", login).status_code for _ in range(10)]
    assert statuses == [200] * 3 + [429] * 7  # login_required posted back, then 429
    # Every refusal by its own reason, none as `flood` …
    assert counted(STEPS, step="authorization", outcome="refused") == 10
    assert counted(REFUSALS, step="authorization", reason="not_signed_in") == 10
    assert counted(REFUSALS, step="authorization", reason="flood") == 0
    # … as many as the records hold, the flood's row counting its attempts …
    records = LaunchRecord.objects.filter(stage=LaunchStage.AUTHORIZATION)
    assert sum(record.attempts for record in records) == 10
    # … and the seven beyond the limit as refusals of that rate limit.
    assert counted("neptun_rate_limit_refusals_total", limit="anonymous_refusal") == 7
