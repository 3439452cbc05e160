"""The access jobs' tests. Panopto's access calls are answered by `PanoptoAccess`, a record of
who holds access to which folder with the two calls' contract (idempotent revocation; can be
made down), put in at the one seam the jobs call (`panopto_link.jobs.calls`). The calls
themselves, against the stand-in's SOAP side: tests/panopto_link/panopto_api/test_access.py,
and the jobs end to end against it: test_revocation_jobs.py there and tests/faults/.
"""

import dataclasses

import pytest

from panopto_link.jobs import calls
from panopto_link.panopto_api import access, soap
from panopto_link.services import registration_configure
from tests.factories import RegistrationFactory


@dataclasses.dataclass
class PanoptoAccess:
    grants: set[tuple[str, str]] = dataclasses.field(default_factory=set)  # (folder, user)
    down: bool = False
    refusing: bool = False
    revocations: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    calls: int = 0

    def grant(self, folder_id: str, username: str) -> None:
        self.grants.add((folder_id, username))

    def revoke_folder_access(self, connection, *, folder_id: str, username: str):
        self.calls += 1
        if self.down:
            raise soap.PanoptoApiUnavailable("RevokeUsersAccessFromFolder: HTTP 503")
        if self.refusing:
            raise soap.PanoptoApiRefused("RevokeUsersAccessFromFolder: unknown folder")
        held = (folder_id, username) in self.grants
        if held:
            self.grants.discard((folder_id, username))
            self.revocations.append((folder_id, username))
        return access.RevokeResult(
            username=username,
            folder_id=folder_id,
            user_exists=True,
            roles=("Viewer",) if held else (),
        )


@pytest.fixture
def panopto(monkeypatch):
    access = PanoptoAccess()
    monkeypatch.setattr(calls, "revoke_folder_access", access.revoke_folder_access)
    return access


@pytest.fixture
def api_settings(db):
    RegistrationFactory()
    registration_configure(
        values={
            "site_url": "https://panopto.example.com/",
            "api_provider_name": "neptun",
            "api_user": "portal-api",
            "api_application_key": "an-application-key",
        }
    )
