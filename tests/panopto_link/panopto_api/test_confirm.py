"""Confirm (issue 23 item 5): `manage.py panopto_confirm`, a scheduled job, looks the created
folders up in Panopto's API (the stand-in) and keeps Panopto's folder id; a folder Panopto lacks
— never created there, or deleted since — counts as not created again: members see "not
created in Panopto" and wait, and its administrator's next launch creates it anew."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import override as translation_override

from panopto_link.models import FolderState, PanoptoFolder
from panopto_link.permissions import (
    FolderFacts,
    FolderStanding,
    folder_standing,
)
from panopto_link.reasons import PanoptoReason as Reason
from panopto_link.refusals import refusal_message
from panopto_link.selectors.spaces import _facts
from panopto_link.services import folder_mark_created
from panopto_link.simulator.models import Folder as StandInFolder
from tests.factories import FolderFactory, SpaceFactory
from tests.metrics import Counted
from tests.panopto_link.test_permissions import ADMIN, MEMBER, decide
from virtualspaces.models import SpaceType

pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = timezone.now() - datetime.timedelta(hours=1)


def created(code: str, *, in_panopto: bool, when=LONG_AGO) -> PanoptoFolder:
    folder = FolderFactory(
        space=SpaceFactory(code=code), state=FolderState.CREATED, created_at=when
    )
    if in_panopto:
        StandInFolder.objects.create(context_id=folder.context_id, name=code)
    return folder


def run(*args) -> str:
    out = io.StringIO()
    call_command("panopto_confirm", *args, stdout=out)
    return out.getvalue()


def test_a_folder_panopto_has_gets_panoptos_id(stand_in_api):
    folder = created("MAT101", in_panopto=True)
    out = run()
    assert "1 folders looked up: 1 found, 0 not found in Panopto." in out
    folder.refresh_from_db()
    stand_in = StandInFolder.objects.get(context_id=folder.context_id)
    assert folder.panopto_id == str(stand_in.public_id)
    assert folder.panopto_checked_at is not None and folder.state == FolderState.CREATED


def test_a_folder_panopto_lacks_counts_as_not_created_and_members_wait(stand_in_api):
    folder = created("FIZ101", in_panopto=False)
    out = run()
    assert "FIZ101: not found in Panopto" in out
    folder.refresh_from_db()
    assert folder.state == FolderState.NOT_CREATED and folder.panopto_missing_since
    facts = _facts(folder)
    assert facts.missing_in_panopto and not facts.is_created


def test_a_folder_deleted_in_panopto_later_is_noticed_by_the_recheck(stand_in_api):
    folder = created("KEM101", in_panopto=True)
    run()
    StandInFolder.objects.filter(context_id=folder.context_id).delete()
    assert "0 folders looked up" in run()  # confirmed a moment ago: not asked again
    PanoptoFolder.objects.filter(pk=folder.pk).update(panopto_checked_at=LONG_AGO)
    assert "KEM101: not found in Panopto" in run("--recheck-hours=0.5")
    folder.refresh_from_db()
    assert folder.state == FolderState.NOT_CREATED


def test_a_folder_just_created_is_given_time_to_appear_in_panopto(stand_in_api):
    created("NEW101", in_panopto=False, when=timezone.now())
    assert "0 folders looked up" in run()


def test_the_administrators_next_launch_creates_it_again_and_it_is_looked_up_afresh(
    stand_in_api,
):
    folder = created("BIO101", in_panopto=False)
    run()
    assert folder_mark_created(context_id=folder.context_id, user=None)
    folder.refresh_from_db()
    assert folder.state == FolderState.CREATED and folder.panopto_missing_since is None


def test_panopto_down_stops_the_run_and_changes_nothing(stand_in_api, settings):
    folder = created("MAT102", in_panopto=False)
    settings.PANOPTO_SIM_API_DOWN = True
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0
    with pytest.raises(CommandError, match="could not be asked"):
        run()
    folder.refresh_from_db()
    assert folder.state == FolderState.CREATED and folder.panopto_missing_since is None


def test_without_api_settings_there_is_nothing_to_confirm(db):
    created("MAT103", in_panopto=False)
    assert "not configured" in run()
    assert PanoptoFolder.objects.get().state == FolderState.CREATED


# --- the re-check by Panopto's id, with REST (docs/decisions/0021) -----------------------------


def calls(counted, operation: str) -> float:
    return counted(
        "neptun_outbound_calls_total", party="panopto_api", operation=operation, outcome="ok"
    )


def confirmed_long_ago(code: str) -> PanoptoFolder:
    folder = created(code, in_panopto=True)
    run()
    PanoptoFolder.objects.filter(pk=folder.pk).update(panopto_checked_at=LONG_AGO)
    folder.refresh_from_db()
    assert folder.panopto_id
    return folder


def test_with_rest_a_folder_deleted_in_panopto_is_noticed_by_its_id(stand_in_rest):
    folder = confirmed_long_ago("KEM201")
    StandInFolder.objects.filter(public_id=folder.panopto_id).delete()
    with Counted() as counted:
        out = run("--recheck-hours=0.5")
    assert "KEM201: not found in Panopto" in out
    assert calls(counted, "folder") == 1 and calls(counted, "GetAllFoldersByExternalId") == 0
    folder.refresh_from_db()
    assert folder.state == FolderState.NOT_CREATED and not folder.panopto_id


def test_with_rest_a_folder_panopto_has_under_its_id_stays_confirmed_whatever_its_external_id(
    stand_in_rest,
):
    # Renamed or re-keyed in Panopto (its external id no longer the context id): the lookup by
    # external id would call it missing; by its id, Panopto still has it.
    folder = confirmed_long_ago("KEM202")
    StandInFolder.objects.filter(public_id=folder.panopto_id).update(context_id="re-keyed")
    with Counted() as counted:
        out = run("--recheck-hours=0.5")
    assert "1 folders looked up: 1 found" in out and calls(counted, "folder") == 1
    folder.refresh_from_db()
    assert folder.state == FolderState.CREATED and folder.panopto_checked_at > LONG_AGO


def test_with_rest_a_folder_without_panoptos_id_is_still_looked_up_by_external_id(
    stand_in_rest,
):
    folder = created("KEM203", in_panopto=True)
    with Counted() as counted:
        assert "1 found" in run()
    assert calls(counted, "GetAllFoldersByExternalId") == 1 and calls(counted, "folder") == 0
    folder.refresh_from_db()
    assert folder.panopto_id


def test_without_rest_the_recheck_asks_soap_by_external_id(stand_in_api):
    folder = confirmed_long_ago("KEM204")
    StandInFolder.objects.filter(public_id=folder.panopto_id).delete()
    with Counted() as counted:
        assert "KEM204: not found in Panopto" in run("--recheck-hours=0.5")
    assert calls(counted, "GetAllFoldersByExternalId") == 1 and calls(counted, "folder") == 0


def test_with_rest_down_the_recheck_stops_and_changes_nothing(stand_in_rest, settings):
    folder = confirmed_long_ago("KEM205")
    StandInFolder.objects.filter(public_id=folder.panopto_id).delete()
    settings.PANOPTO_SIM_API_DOWN = True
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0
    with pytest.raises(CommandError, match="could not be asked"):
        run("--recheck-hours=0.5")
    folder.refresh_from_db()
    assert folder.state == FolderState.CREATED and folder.panopto_id


# --- what a member and the administrator are told (the policy) ------------------------------


MISSING = FolderFacts(is_enabled=True, is_created=False, missing_in_panopto=True)


def test_members_are_told_not_created_in_panopto_and_wait():
    decision = decide(MEMBER, folder=MISSING)
    assert not decision.active and decision.shown
    assert decision.refusal is Reason.CONTEXT_MISSING_IN_PANOPTO
    assert folder_standing(decision) is FolderStanding.WAITING
    assert "Not created in Panopto" in str(refusal_message(decision.refusal, SpaceType.COURSE))


def test_the_administrator_may_open_it_again_which_creates_it():
    decision = decide(ADMIN, folder=MISSING)
    assert decision.active and decision.creates_context


# --- the Home screen ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Not created in Panopto: Panopto does not have this space's folder."),
        ("hu", "Nincs létrehozva a Panoptóban: a Panoptóban nincs meg a tér mappája."),
    ],
)
def test_a_members_home_screen_says_not_created_in_panopto(
    client, registration, stand_in_api, language, text
):
    from django.urls import reverse

    from tests.factories import LicenceFactory, MembershipFactory, UserFactory
    from tests.html import parse
    from tests.panopto_link.test_screens import assert_inactive_with_message, folder_block

    LicenceFactory()
    folder = created("GEO101", in_panopto=False)
    run()
    user = UserFactory()
    MembershipFactory(user=user, space=folder.space)
    client.force_login(user)
    response = client.get(
        reverse("virtualspaces:space_home", args=[folder.space.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    document = parse(response.content)
    block = folder_block(document, folder.space, folder.space)
    with translation_override(language):
        message = str(refusal_message(Reason.CONTEXT_MISSING_IN_PANOPTO, folder.space.space_type))
    assert message.startswith(text)
    assert_inactive_with_message(document, block, message)
