"""Whole launches from the button to the real pylti1p3 tool: who gets in, with which role."""

import json
import threading
import time

import jwt
import pytest
from django.test import Client
from django.utils import timezone

from panopto_link.lti import claims
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.models import FolderState
from tests.html import parse
from tests.lti_tool import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    ISSUER,
    TOOL_LAUNCH_URL,
    Pylti1p3Tool,
    authorization_params,
    form_fields,
    query,
    run_launch,
    tool_conf,
)

pytestmark = pytest.mark.django_db


def launch_as(client, user, space, tool, *, folder=None):
    client.force_login(user)
    result = run_launch(client, space.pk, folder=folder.pk if folder else None, tool=tool)
    assert result.action == TOOL_LAUNCH_URL
    assert "id_token" in result.fields, result.fields
    return result, tool.launch(result.fields, result.login.cookies)


def test_administrators_first_launch_creates_the_context_and_enters_as_instructor(
    client, world, tool
):
    result, launch = launch_as(client, world.admin, world.course, tool)
    data = launch.get_launch_data()
    folder = world.folder()
    assert launch.check_teacher_access() and not launch.check_student_access()
    assert data[claims.ROLES] == [claims.ROLE_INSTRUCTOR]
    assert data[claims.CONTEXT]["id"] == folder.context_id
    assert data[claims.CONTEXT]["label"] == "MAT101-EA"
    assert data[claims.CONTEXT]["type"] == [claims.CONTEXT_COURSE_OFFERING]
    assert data[claims.RESOURCE_LINK]["id"] == folder.resource_link_id
    assert data[claims.TARGET_LINK_URI] == TOOL_LAUNCH_URL
    assert data[claims.DEPLOYMENT_ID] == DEPLOYMENT_ID
    assert data["aud"] == data["azp"] == CLIENT_ID
    assert data["iss"] == ISSUER
    assert data["sub"] == str(world.admin.lti_subject)
    assert world.admin.username not in data["sub"] and data["sub"] != str(world.admin.pk)
    assert data[claims.LAUNCH_PRESENTATION]["return_url"].endswith(f"/spaces/{world.course.pk}/")
    assert folder.state == FolderState.CREATED and folder.created_by == world.admin
    assert result.fields["state"] == result.login.params["state"]
    assert (
        LaunchRecord.objects.filter(
            stage=LaunchStage.AUTHORIZATION,
            outcome=LaunchOutcome.ACCEPTED,
            reason="context_created",
        ).count()
        == 1
    )


@pytest.mark.parametrize("who", ["member", "guest_member", "public_guest"])
def test_others_enter_an_existing_context_as_learner(client, world, tool, who):
    world.create_context()
    _result, launch = launch_as(client, getattr(world, who), world.course, tool)
    data = launch.get_launch_data()
    assert not launch.check_teacher_access() and launch.check_student_access()
    expected = [claims.ROLE_LEARNER]
    if who == "public_guest":
        expected.append(claims.INSTITUTION_GUEST)
    assert data[claims.ROLES] == expected
    assert data[claims.CONTEXT]["id"] == world.folder().context_id


def test_dashboard_launch_names_the_linked_folders_the_user_may_enter(client, world, tool):
    world.create_context()
    subject_folder = world.create_context(world.subject)
    _result, launch = launch_as(client, world.member, world.course, tool)
    linked = json.loads(launch.get_launch_data()[claims.CUSTOM]["linked_folders"])
    assert linked == [
        {
            "context_id": subject_folder.context_id,
            "label": "MAT101",
            "title": "Analízis I",
            "role": "viewer",
        }
    ]


def test_linked_folder_launch_uses_its_own_context_and_role(client, world, tool):
    world.create_context()
    subject_folder = world.create_context(world.subject)
    _r, launch = launch_as(client, world.member, world.course, tool, folder=world.subject)
    data = launch.get_launch_data()
    assert data[claims.CONTEXT]["id"] == subject_folder.context_id
    assert data[claims.ROLES] == [claims.ROLE_LEARNER]
    # The course's administrator also administers the subject: Creator there.
    _r, launch = launch_as(Client(), world.admin, world.course, tool, folder=world.subject)
    assert launch.check_teacher_access()


def test_iat_is_an_integer_never_ahead_of_the_clock(client, world, tool):
    import time

    world.create_context()
    client.force_login(world.member)
    result = run_launch(client, world.course.pk, tool=tool)
    after = time.time()
    body = jwt.decode(result.fields["id_token"], options={"verify_signature": False})
    assert isinstance(body["iat"], int) and body["iat"] <= after
    assert 0 < body["exp"] - body["iat"] <= 600
    assert jwt.get_unverified_header(result.fields["id_token"])["kid"]


def test_initiation_sends_every_parameter_the_tool_needs(client, world):
    client.force_login(world.admin)
    response = client.post(f"/panopto/launch/{world.course.pk}/")
    assert response["Location"].startswith("https://panopto.example.com/Panopto/oidc/login?")
    params = query(response["Location"])
    assert params["iss"] == ISSUER
    assert params["login_hint"] == str(world.admin.lti_subject)
    assert params["target_link_uri"] == TOOL_LAUNCH_URL
    assert params["client_id"] == CLIENT_ID
    assert params["lti_deployment_id"] == DEPLOYMENT_ID
    # The hint is opaque to the tool: neither ids nor names can be read from it.
    hint = params["lti_message_hint"]
    assert "OKTATO" not in hint and str(world.course.pk) not in hint.split("gAAAAA")[0]
    record = LaunchRecord.objects.get(stage=LaunchStage.INITIATION)
    assert record.outcome == LaunchOutcome.ACCEPTED and record.user == world.admin
    assert record.role_sent == claims.ROLE_INSTRUCTOR


def test_refused_click_shows_the_reason_instead_of_redirecting(client, world):
    client.force_login(world.member)
    response = client.post(f"/panopto/launch/{world.course.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Available once the lecturer has opened the Panopto folder" in response.content.decode()
    back = parse(response).find("a", href=f"/spaces/{world.course.pk}/")
    assert back is not None and back.text == f"Back to the space ({world.course.name})"
    record = LaunchRecord.objects.get(stage=LaunchStage.INITIATION)
    assert (record.outcome, record.reason) == (LaunchOutcome.REFUSED, "context_not_created")


def test_no_licence_and_invisible_spaces_answer_404(client, world, licence):
    outsider_space = world.subject  # private, and public_guest is not a member
    client.force_login(world.public_guest)
    assert client.post(f"/panopto/launch/{outsider_space.pk}/").status_code == 404
    assert client.post("/panopto/launch/999999/").status_code == 404
    assert client.post(f"/panopto/launch/{world.course.pk}/", {"folder": "abc"}).status_code == 404
    client.force_login(world.admin)
    licence.is_enabled = False
    licence.save()
    assert client.post(f"/panopto/launch/{world.course.pk}/").status_code == 404
    assert client.get(f"/panopto/launch/{world.course.pk}/").status_code == 404


def test_launch_needs_a_signed_in_user(client, world):
    response = client.post(f"/panopto/launch/{world.course.pk}/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_launch_button_is_protected_against_cross_site_requests(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    assert client.post(f"/panopto/launch/{world.course.pk}/").status_code == 403


def test_authorization_endpoint_is_reachable_without_a_csrf_token(world, tool):
    """The tool's request carries no CSRF token: the endpoint must be exempt."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    page = client.get(f"/panopto/launch/{world.course.pk}/")
    token = page.cookies["csrftoken"].value
    initiation = client.post(f"/panopto/launch/{world.course.pk}/", {"csrfmiddlewaretoken": token})
    login = tool.login(query(initiation["Location"]))
    response = client.post("/lti/authorize/", login.params)
    assert "id_token" in form_fields(response.content.decode())[1]


# --- over real HTTP --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_pylti1p3_fetches_our_jwks_over_http(live_server, settings):
    from tests.factories import LicenceFactory, RegistrationFactory
    from tests.panopto_link.conftest import World

    LicenceFactory()
    RegistrationFactory()
    world = World()
    client = Client()
    tool = Pylti1p3Tool(tool_conf(key_set_url=live_server.url + "/.well-known/jwks.json"))
    _result, launch = launch_as(client, world.admin, world.course, tool)
    assert launch.check_teacher_access()


# --- simultaneous launches (PostgreSQL) -------------------------------------------------------

SIMULTANEOUS_LAUNCHES = 50


def postgresql_or_skip() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's real concurrency (the PostgreSQL pass runs it)")


def run_at_once(count: int, work, *, timeout: float = 120) -> None:
    """`work(index)` in `count` threads released together; each thread closes its own database
    connection. A thread still running after `timeout` seconds fails the test (a deadlock)."""
    from django.db import connection

    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_administrator_launches_create_the_context_once(settings):
    """50 clicks of the space's administrator at the same moment, before its folder exists:
    every launch is good, exactly one of them creates the context."""
    postgresql_or_skip()
    from tests.factories import LicenceFactory, RegistrationFactory
    from tests.panopto_link.conftest import World
    from tests.robustness_report import REPORT

    settings.RATE_LIMIT_LAUNCH = None  # one person's 50 clicks in a second, on purpose
    LicenceFactory()
    RegistrationFactory()
    world = World()
    clients = [Client() for _ in range(SIMULTANEOUS_LAUNCHES)]
    tool = Pylti1p3Tool(tool_conf(key_set=clients[0].get("/.well-known/jwks.json").json()))
    for client in clients:
        client.force_login(world.admin)
    logins: list = [None] * len(clients)
    results: list = [None] * len(clients)

    def launch(index: int) -> None:
        # Both platform steps run concurrently: the clicks (which create the folder row) and
        # the authorizations (which mark its context created).
        initiation = clients[index].post(f"/panopto/launch/{world.course.pk}/")
        assert initiation.status_code == 302, initiation.status_code
        logins[index] = tool.login(query(initiation["Location"]))
        response = clients[index].get(logins[index].auth_url)
        results[index] = form_fields(response.content.decode())[1]

    run_at_once(len(clients), launch)

    assert all("id_token" in fields for fields in results), results
    for fields, login in zip(results, logins, strict=True):
        assert tool.launch(fields, login.cookies).check_teacher_access()
    accepted = LaunchRecord.objects.filter(
        stage=LaunchStage.AUTHORIZATION, outcome=LaunchOutcome.ACCEPTED
    )
    assert accepted.count() == SIMULTANEOUS_LAUNCHES
    assert accepted.filter(reason="context_created").count() == 1
    assert world.folder().state == FolderState.CREATED
    REPORT.races.append(
        f"{SIMULTANEOUS_LAUNCHES} simultaneous first launches by one space's administrator: "
        f"{accepted.count()} good launches, "
        f"{accepted.filter(reason='context_created').count()} context creation"
    )


IMPORTING_MEMBERS = 24
IMPORTS = 8


@pytest.mark.django_db(transaction=True)
def test_members_launch_while_a_csv_import_changes_their_roles(settings):
    """An administrator imports memberships (all or nothing, in one transaction) while the
    members launch. The imports alternate between making every member an administrator of the
    course and of its linked subject, and making them plain members of both. No deadlock; every
    launch is decided on one consistent membership: its course role and its linked folder's role
    are both Creator or both Viewer, or it is refused because the role changed since the click."""
    postgresql_or_skip()
    from tests.factories import (
        CourseFactory,
        FolderFactory,
        FolderLinkFactory,
        LicenceFactory,
        MembershipFactory,
        RegistrationFactory,
        SpaceFactory,
        UserFactory,
    )
    from tests.robustness_report import REPORT
    from virtualspaces.models import MembershipRole
    from virtualspaces.services import memberships_import_csv

    settings.RATE_LIMIT_LAUNCH = None
    LicenceFactory()
    RegistrationFactory()
    subject = SpaceFactory(code="IMP101")
    course = CourseFactory(code="IMP101-EA", subject=subject)
    FolderLinkFactory(course=course, linked_space=subject)
    for space in (subject, course):
        FolderFactory(space=space, state=FolderState.CREATED, created_at=timezone.now())
    users = [UserFactory(username=f"IMP{index:03d}") for index in range(IMPORTING_MEMBERS)]
    for user in users:
        MembershipFactory(user=user, space=course, role=MembershipRole.MEMBER)

    def csv_file(role: str) -> bytes:
        rows = [f"{u.username},{code},{role}" for u in users for code in (course.code, "IMP101")]
        return ("\n".join(rows) + "\n").encode()

    files = {"promote": csv_file("administrator"), "demote": csv_file("member")}
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    seen: list[tuple[str, str | None]] = []
    imports: list = []

    imports_done = threading.Event()

    def launch_once(index: int) -> None:
        client = clients[index]
        initiation = client.post(f"/panopto/launch/{course.pk}/")
        assert initiation.status_code == 302, initiation.status_code
        login = query(initiation["Location"])
        response = client.get(
            "/lti/authorize/",
            authorization_params(login, nonce=f"n-{index}-{time.monotonic_ns()}", state="s"),
        )
        assert response.status_code == 200, response.status_code
        fields = form_fields(response.content.decode())[1]
        if "id_token" not in fields:
            assert fields["error_description"] == (
                "The user's role in the space changed since the launch began."
            ), fields
            seen.append(("role_changed", None))
            return
        token = jwt.decode(fields["id_token"], options={"verify_signature": False})
        course_role = "creator" if token[claims.ROLES] == [claims.ROLE_INSTRUCTOR] else "viewer"
        linked = json.loads(token[claims.CUSTOM]["linked_folders"])
        seen.append((course_role, linked[0]["role"]))

    def work(index: int) -> None:
        if index == len(clients):  # the administrator's thread: import, import, import…
            try:
                for number in range(IMPORTS):
                    which = "promote" if number % 2 == 0 else "demote"
                    result = memberships_import_csv(data=files[which])
                    assert result.imported, result.problems
                    imports.append(result)
                    time.sleep(0.1)  # spread over the launches: each state is seen by some
            finally:
                imports_done.set()
            return
        # Each member launches at least four times, and on while the imports run until both
        # memberships have been launched on (a fixed four could all fall while one import's
        # memberships stood, however long it held its rows); then once more on the last
        # import's memberships (plain members).
        launches = 0
        while launches < 4 or not (imports_done.is_set() or both_seen()):
            launch_once(index)
            launches += 1
        launch_once(index)

    def both_seen() -> bool:
        return {"creator", "viewer"} <= {course_role for course_role, _linked in seen}

    run_at_once(len(clients) + 1, work)

    assert len(imports) == IMPORTS
    accepted = [pair for pair in seen if pair[0] != "role_changed"]
    assert all(course_role == linked_role for course_role, linked_role in accepted), seen
    assert {pair[0] for pair in accepted} == {"creator", "viewer"}  # both memberships seen
    assert len(seen) >= IMPORTING_MEMBERS * 5
    REPORT.races.append(
        f"{IMPORTS} CSV imports of {IMPORTING_MEMBERS * 2} memberships while "
        f"{IMPORTING_MEMBERS} members launched {len(seen)} times: no deadlock; "
        f"{sum(1 for p in accepted if p[0] == 'creator')} launches as Creator and "
        f"{sum(1 for p in accepted if p[0] == 'viewer')} as Viewer, each on one consistent "
        f"membership; {len(seen) - len(accepted)} refused because the role changed after the click"
    )


def test_the_launch_page_of_a_linked_folder_names_it_and_posts_its_owner(client, world):
    """The GET page behind the button (templates/panopto_link/launch.html): a linked folder is
    said to be linked and its form names the folder's owner; the space's own folder does not."""
    client.force_login(world.admin)
    own = client.get(f"/panopto/launch/{world.course.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    linked = client.get(
        f"/panopto/launch/{world.course.pk}/?folder={world.subject.pk}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert own.status_code == linked.status_code == 200
    own_html, linked_html = own.content.decode(), linked.content.decode()
    assert "A folder linked to" not in own_html and 'name="folder"' not in own_html
    assert "Your first visit creates the space's Panopto folder." in own_html
    assert f"A folder linked to {world.course.name}." in linked_html
    assert f'<input type="hidden" name="folder" value="{world.subject.pk}">' in linked_html
    assert f"Your first visit creates the Panopto folder of {world.subject.name}." in linked_html
