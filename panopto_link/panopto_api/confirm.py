"""Confirming folders with Panopto's API (SPEC §7, "Confirm"; `manage.py panopto_confirm`, run
on a timer — docs/decisions/0018): a folder the portal holds created — by its administrator's
first launch, or provisioned — is looked up by its external id, in batches, and Panopto's id
kept; a folder Panopto lacks counts as not created again (members wait, the administrator's
next launch creates it anew). Never in a request: a page or a launch never waits for Panopto.

A folder whose Panopto id is known (a re-check) is asked for by that id with the REST API's
`GET /folders/{id}` when the REST client is configured: a folder deleted in Panopto answers 404
whatever its external id (docs/decisions/0021). Without the REST client, and for folders not
yet confirmed, the SOAP lookup by external id is the way.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from panopto_link.models import FolderState, PanoptoFolder
from panopto_link.panopto_api import rest, soap
from panopto_link.panopto_api.connection import ApiConnection
from panopto_link.panopto_api.mapping import folder_external_id
from panopto_link.panopto_api.services import folder_found_in_panopto, folder_missing_in_panopto

BATCH = 50  # external ids per GetAllFoldersByExternalId call
# A folder marked created a moment ago may not exist in Panopto yet: the id_token of its first
# launch is still on its way there. Looked up only after this long.
GRACE = datetime.timedelta(minutes=2)


@dataclass
class ConfirmReport:
    found: list[PanoptoFolder] = field(default_factory=list)
    missing: list[PanoptoFolder] = field(default_factory=list)
    unavailable: str = ""  # why the run stopped, if it did


def folders_to_confirm(*, recheck_older_than: datetime.timedelta | None = None) -> list:
    """Created folders never looked up (or created again since); with `recheck_older_than`,
    also those last looked up longer ago than that (to notice folders deleted in Panopto)."""
    now = timezone.now()
    unconfirmed = Q(panopto_id="")
    if recheck_older_than is not None:
        unconfirmed |= Q(panopto_checked_at__lt=now - recheck_older_than)
    return list(
        PanoptoFolder.objects.filter(
            unconfirmed, state=FolderState.CREATED, created_at__lte=now - GRACE
        )
        .select_related("space")
        .order_by("created_at", "pk")
    )


def confirm(folders: Sequence[PanoptoFolder], *, connection: ApiConnection) -> ConfirmReport:
    """Look the folders up and record what Panopto says: by external id with SOAP, BATCH at a
    time; those with a Panopto id by that id with REST, when it is configured. Stops at the
    first call Panopto does not answer (the rest are looked up at the next run)."""
    report = ConfirmReport()
    by_id = [folder for folder in folders if folder.panopto_id] if connection.has_rest else []
    by_external_id = [folder for folder in folders if folder not in by_id]
    _confirm_by_external_id(by_external_id, connection=connection, report=report)
    if not report.unavailable:
        _confirm_by_id(by_id, connection=connection, report=report)
    return report


def _confirm_by_id(
    folders: Sequence[PanoptoFolder], *, connection: ApiConnection, report: ConfirmReport
) -> None:
    for folder in folders:
        try:
            found = rest.folder(connection, folder.panopto_id)
        except (rest.PanoptoApiUnavailable, rest.PanoptoApiRefused) as error:
            report.unavailable = str(error)
            return
        if found is not None:
            folder_found_in_panopto(folder=folder, panopto_id=folder.panopto_id)
            report.found.append(folder)
        elif folder_missing_in_panopto(folder=folder):
            report.missing.append(folder)


def _confirm_by_external_id(
    folders: Sequence[PanoptoFolder], *, connection: ApiConnection, report: ConfirmReport
) -> None:
    for start in range(0, len(folders), BATCH):
        batch = folders[start : start + BATCH]
        ids = {folder_external_id(folder.context_id): folder for folder in batch}
        try:
            found = soap.folders_by_external_id(connection, list(ids))
        except (soap.PanoptoApiUnavailable, soap.PanoptoApiRefused) as error:
            report.unavailable = str(error)
            return
        for external_id, folder in ids.items():
            if external_id in found:
                folder_found_in_panopto(folder=folder, panopto_id=found[external_id].id)
                report.found.append(folder)
            elif folder_missing_in_panopto(folder=folder):
                report.missing.append(folder)
