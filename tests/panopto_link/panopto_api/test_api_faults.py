"""Panopto's API hung and down (issue 23 items 1 and 7): a Panopto whose API accepts connections
and never answers costs the jobs their short timeouts once, after which the circuit breaker
refuses the calls at once; a launch and the portal's pages never wait for it (they never call
it: decision 18); and once Panopto answers again, the next run after the breaker's pause
confirms what the failed runs could not."""

import datetime
import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core import breaker
from panopto_link.models import FolderState, PanoptoFolder
from panopto_link.panopto_api import soap
from panopto_link.services import registration_configure
from panopto_link.simulator.models import Folder as StandInFolder
from tests.factories import FolderFactory, SpaceFactory
from tests.panopto_link.test_launch_flow import launch_as
from tests.silent_server import SilentServer

pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = timezone.now() - datetime.timedelta(hours=1)


@pytest.fixture(params=["soap", "rest"])
def api(request):
    """The API settings of the stand-in: SOAP alone, or SOAP and the REST client."""
    return request.getfixturevalue("stand_in_api" if request.param == "soap" else "stand_in_rest")


@pytest.fixture
def hung(api, settings):
    """The registration's site URL on a server that accepts and never answers."""
    stand_in_api = api
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.5
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0.05
    settings.OUTBOUND_BREAKER_FAILURES = 1
    settings.OUTBOUND_BREAKER_SECONDS = 1
    settings.OUTBOUND_RETRY_SECONDS = 1
    server = SilentServer()
    url = server.start("/panopto/")
    live_site = stand_in_api.site_url
    registration_configure(values={"site_url": url})
    yield server, live_site
    server.stop()


def confirm_timed() -> tuple[float, str]:
    out = io.StringIO()
    started = time.monotonic()
    with pytest.raises(CommandError):
        call_command("panopto_confirm", stdout=out)
    return time.monotonic() - started, out.getvalue()


def test_a_hung_api_costs_the_job_its_timeouts_then_nothing_and_recovery_follows(hung):
    server, live_site = hung
    folder = FolderFactory(
        space=SpaceFactory(code="MAT101"), state=FolderState.CREATED, created_at=LONG_AGO
    )
    StandInFolder.objects.create(context_id=folder.context_id, name="MAT101")
    first, _out = confirm_timed()
    assert first < 3  # the WSDL's two tries of 0.5 s and a backoff, not a hang
    assert breaker.is_open(soap.PARTY)
    accepted = server.accepted
    second, _out = confirm_timed()
    assert second < 0.2 and server.accepted == accepted  # refused at once, no connection
    folder.refresh_from_db()
    assert folder.state == FolderState.CREATED and not folder.panopto_id  # nothing changed
    # Panopto answers again: after the breaker's pause (1 s here) the next run confirms.
    registration_configure(values={"site_url": live_site})
    time.sleep(1.2)
    out = io.StringIO()
    call_command("panopto_confirm", stdout=out)
    assert "1 found" in out.getvalue()
    folder.refresh_from_db()
    assert folder.panopto_id
    assert not breaker.is_open(soap.PARTY)


def test_a_launch_and_the_pages_do_not_wait_for_a_hung_api(world, tool, client, hung):
    # A folder confirmed long ago, due for the re-check (by its id, with REST): no page asks.
    other = FolderFactory(
        space=SpaceFactory(code="OLD101"), state=FolderState.CREATED, created_at=LONG_AGO
    )
    PanoptoFolder.objects.filter(pk=other.pk).update(
        panopto_id="5e1f7e57-0000-4000-8000-000000000001", panopto_checked_at=LONG_AGO
    )
    started = time.monotonic()
    _result, launch = launch_as(client, world.admin, world.course, tool)
    assert launch.check_teacher_access()
    assert client.get(f"/spaces/{world.course.pk}/").status_code == 200
    assert client.get("/studies/information/panopto/").status_code == 200
    assert time.monotonic() - started < 2.0
    server, _live = hung
    assert server.accepted == 0  # nothing asked Panopto's API
    assert PanoptoFolder.objects.get(space=world.course).state == FolderState.CREATED


# --- the REST API's re-check (docs/decisions/0021) -----------------------------------------------


def confirmed_long_ago(code: str) -> PanoptoFolder:
    folder = FolderFactory(
        space=SpaceFactory(code=code), state=FolderState.CREATED, created_at=LONG_AGO
    )
    stand_in = StandInFolder.objects.create(context_id=folder.context_id, name=code)
    PanoptoFolder.objects.filter(pk=folder.pk).update(
        panopto_id=str(stand_in.public_id), panopto_checked_at=LONG_AGO
    )
    folder.refresh_from_db()
    return folder


def recheck_timed() -> float:
    started = time.monotonic()
    with pytest.raises(CommandError, match="could not be asked"):
        call_command("panopto_confirm", "--recheck-hours=0.5", stdout=io.StringIO())
    return time.monotonic() - started


@pytest.mark.parametrize("api", ["rest"], indirect=True)
def test_a_hung_rest_api_costs_the_recheck_its_timeouts_and_leaves_folders_as_they_were(hung):
    server, _live = hung
    folder = confirmed_long_ago("KEM301")
    StandInFolder.objects.filter(public_id=folder.panopto_id).delete()  # deleted meanwhile
    assert recheck_timed() < 3  # the token's two tries of 0.5 s and a backoff, not a hang
    assert breaker.is_open(soap.PARTY) and server.accepted >= 1
    accepted = server.accepted
    assert recheck_timed() < 0.2 and server.accepted == accepted  # the breaker: no connection
    after = PanoptoFolder.objects.get(pk=folder.pk)
    assert after.state == FolderState.CREATED and after.panopto_id == folder.panopto_id
    assert after.panopto_checked_at == folder.panopto_checked_at


def test_a_rest_api_that_is_down_leaves_folders_as_they_were(stand_in_rest, settings):
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0
    folder = confirmed_long_ago("KEM302")
    StandInFolder.objects.filter(public_id=folder.panopto_id).delete()
    settings.PANOPTO_SIM_API_DOWN = True
    assert recheck_timed() < 3
    after = PanoptoFolder.objects.get(pk=folder.pk)
    assert after.state == FolderState.CREATED and after.panopto_id == folder.panopto_id
