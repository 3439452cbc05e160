"""Issue 24's fault tests: taking Panopto access back survives a worker killed in the middle of
a job and a Panopto down for minutes — every revocation happens, and once in effect.

Against the stand-in served by the live server (real HTTP, its WSDLs, zeep). The kill test
runs the real worker (`manage.py panopto_worker`) as a process of its own on the test's
database, so it runs in the PostgreSQL pass (.ci/run), where another process can share it.
Time is moved, not slept: a retry's due time is brought forward as the clock would bring it,
and the portal's memory that Panopto failed a moment ago is kept short."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from panopto_link.models import AccessJob, JobState
from panopto_link.panopto_api.services import folder_found_in_panopto
from panopto_link.simulator.models import Folder, FolderAccess, ToolUser
from tests import world as world_module
from tests.factories import MembershipFactory, UserFactory
from tests.panopto_link.panopto_api import conftest as api_conftest
from tests.panopto_link.panopto_api import test_access as access_tests
from virtualspaces.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]

# The stand-in, its API settings and the launched course, as the access calls' tests set them.
world = world_module.world
stand_in_api = api_conftest.stand_in_api
fresh_clients = api_conftest._fresh_clients
standin = access_tests.standin
jwks_fetches = access_tests.jwks_fetches
stand_in_jwks_fetches = access_tests.stand_in_jwks_fetches
launched = access_tests.launched
enter = access_tests.enter
folder_page = access_tests.folder_page
work = api_conftest.run_the_worker


def members_in_panopto(world, folder: Folder, count: int):
    """`count` more members of the (private) course who entered its folder as Viewers."""
    api_conftest.private(world)
    people = []
    for number in range(count):
        person = UserFactory(username=f"TAG{number:03d}X")
        MembershipFactory(user=person, space=world.course)
        people.append((person, enter(person, world.course)))
    folder_found_in_panopto(folder=world.folder(), panopto_id=str(folder.public_id))
    return people


def holds(person, folder: Folder) -> bool:
    tool_user = ToolUser.objects.filter(subject=str(person.lti_subject)).first()
    return FolderAccess.objects.filter(user=tool_user, folder=folder).exists()


def move_time_past_the_backoff() -> None:
    """Every retry due now, as after its backoff."""
    for job in AccessJob.objects.filter(state=JobState.PENDING):
        DBTaskResult.objects.filter(pk=job.task_id, status="READY").update(run_after=job.created_at)


def test_panopto_down_for_minutes_every_revocation_happens_once(
    world, launched, stand_in_api, settings
):
    student, folder = launched
    people = members_in_panopto(world, folder, 3)
    settings.OUTBOUND_RETRY_SECONDS = 0.1
    settings.OUTBOUND_BREAKER_SECONDS = 0.1
    settings.PANOPTO_SIM_API_DOWN = True
    Membership.objects.filter(space=world.course, user__in=[p for p, _c in people]).delete()
    Membership.objects.filter(space=world.course, user=world.member).delete()
    assert AccessJob.objects.filter(state=JobState.PENDING).count() == 4

    # Panopto is down for ten minutes of the jobs' clock: each job is tried at its backoff
    # (30 s, 1, 2, 4 minutes …) and keeps waiting.
    for _minute in range(5):
        move_time_past_the_backoff()
        time.sleep(0.15)
        work()
    jobs = list(AccessJob.objects.all())
    assert all(job.state == JobState.PENDING for job in jobs)
    assert all(job.attempts >= 5 and "503" in job.last_error for job in jobs), [
        (job.attempts, job.last_error) for job in jobs
    ]
    assert all(holds(person, folder) for person, _client in people)

    settings.PANOPTO_SIM_API_DOWN = False
    move_time_past_the_backoff()
    time.sleep(0.15)
    work()
    for job in AccessJob.objects.all():
        assert job.state == JobState.DONE, (job.last_error, job.outcome)
        assert [line["code"] for line in job.outcome] == ["taken_back"]
    for person, client in [*people, (world.member, student)]:
        assert not holds(person, folder)
        assert folder_page(client, folder).status_code == 404
    lecturer = ToolUser.objects.get(subject=str(world.admin.lti_subject))
    assert FolderAccess.objects.filter(user=lecturer, folder=folder).exists()

    # Delivered again (a task run twice): nothing more happens, the outcome is unchanged.
    before = list(AccessJob.objects.values_list("pk", "outcome", "finished_at"))
    for job in AccessJob.objects.all():
        DBTaskResult.objects.create(
            args_kwargs={"args": [job.pk], "kwargs": {}},
            task_path="panopto_link.jobs.tasks.run_access_job",
            queue_name="default",
            backend_name="default",
            run_after=job.created_at,
        )
    work()
    assert list(AccessJob.objects.values_list("pk", "outcome", "finished_at")) == before


def worker_process(*, log: Path) -> subprocess.Popen:
    """The real worker, a process of its own on the test's database."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        # Longer than the stand-in's delay below: the worker is inside its call when killed.
        "OUTBOUND_TIMEOUT_SECONDS": "5",
    }
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "manage.py", "panopto_worker", "--no-reload", "--interval", "0.2",
             "--no-startup-delay"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip


def wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    jobs = list(AccessJob.objects.values_list("state", "attempts", "last_error"))
    raise AssertionError(f"timed out waiting for {what}: {jobs}")


def test_the_worker_killed_in_the_middle_of_a_job_finishes_it_after_restarting(
    world, launched, stand_in_api, settings, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("another process shares the test's database in the PostgreSQL pass")
    student, folder = launched
    members_in_panopto(world, folder, 0)
    world.course.is_public = False
    world.course.save()
    # Panopto slow: the worker is inside its call when it is killed.
    settings.PANOPTO_SIM_API_DELAY_SECONDS = 3
    Membership.objects.filter(space=world.course, user=world.member).delete()
    job = AccessJob.objects.get()

    worker = worker_process(log=tmp_path / "worker-1.log")
    try:
        wait_for(
            lambda: DBTaskResult.objects.filter(pk=job.task_id, status="RUNNING").exists(),
            seconds=30,
            what="the worker to take the job",
        )
        time.sleep(1)  # inside the call to the (slow) stand-in
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    job.refresh_from_db()
    assert job.state == JobState.PENDING  # killed: nothing finished it
    assert DBTaskResult.objects.get(pk=job.task_id).status == "RUNNING"  # and nobody will
    assert holds(world.member, folder)

    settings.PANOPTO_SIM_API_DELAY_SECONDS = 0
    restarted = worker_process(log=tmp_path / "worker-2.log")

    def finished() -> bool:
        # The killed worker's claim on fetching the WSDL (in the shared cache) runs out by
        # itself within its call's timeout; an attempt before that waits for it and is retried
        # after its backoff. Time moved past both: the cache's entries expired, the retry due.
        if DBTaskResult.objects.filter(status="READY", run_after__gt=timezone.now()).exists():
            cache.clear()
            move_time_past_the_backoff()
        return AccessJob.objects.filter(pk=job.pk, state=JobState.DONE).exists()

    try:
        wait_for(finished, seconds=60, what="the restarted worker to finish the job")
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=30)
    assert restarted.returncode == 0, (tmp_path / "worker-2.log").read_text()
    job.refresh_from_db()
    assert [line["code"] for line in job.outcome] == ["taken_back"]
    killed_task = DBTaskResult.objects.filter(exception_class_path="worker_lost").get()
    assert killed_task.status == "FAILED"
    assert not holds(world.member, folder)
    assert folder_page(student, folder).status_code == 404
