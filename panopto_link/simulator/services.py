"""Every write of the stand-in: its registration of the portal, and what a validated launch
changes (the user, the folder created on an instructor's first launch, who may enter which
folder as what)."""

import datetime
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from panopto_link.lti import claims
from panopto_link.simulator.models import (
    ApiClient,
    ApiProvider,
    ExternalGroup,
    Folder,
    FolderAccess,
    FolderRole,
    PlatformRegistration,
    Recording,
    ToolUser,
)

# Seeded into every new folder, for the content picker of deep linking: (title, description,
# minutes). Demo data in the university's language, not interface text.
SAMPLE_RECORDINGS = (
    ("1. előadás – Bevezetés", "A félév menete, követelmények, az első témakör.", 94),
    ("2. előadás – Alapfogalmak", "Definíciók és az első példák.", 88),
    ("Konzultáció a zárthelyi előtt", "Kérdések és válaszok, mintafeladatok.", 57),
)


class NotProvisioned(Exception):
    """A Viewer launched into a context whose folder no Creator has created yet."""

    def __init__(self, *, title: str, label: str) -> None:
        super().__init__(title)
        self.title = title
        self.label = label


@transaction.atomic
def registration_configure(
    *,
    issuer: str,
    client_id: str,
    deployment_ids: list[str],
    auth_login_url: str,
    key_set_url: str,
    public_origin: str,
    promised_claims: list[str] | None = None,
    username_parameter: str | None = None,
) -> tuple[PlatformRegistration, list[str]]:
    """Create or update the stand-in's registration of the portal; returns it and the names of
    the fields that changed (empty when nothing did). `promised_claims` and
    `username_parameter` left None keep what the registration has."""
    registration = PlatformRegistration.objects.select_for_update().filter(pk=1).first()
    created = registration is None
    registration = registration or PlatformRegistration(pk=1)
    wanted = {
        "issuer": issuer,
        "client_id": client_id,
        "deployment_ids": "\n".join(deployment_ids),
        "auth_login_url": auth_login_url,
        "key_set_url": key_set_url,
        "public_origin": public_origin.rstrip("/"),
    }
    if promised_claims is not None:
        wanted["promised_claims"] = "\n".join(promised_claims)
    if username_parameter is not None:
        wanted["username_parameter"] = username_parameter
    changed = [name for name, value in wanted.items() if getattr(registration, name) != value]
    for name in changed:
        setattr(registration, name, wanted[name])
    if created or changed:
        registration.full_clean()
        registration.save()
    return registration, changed


def folder_name(*, title: str, label: str) -> str:
    """Panopto names a course folder after the context: "<title> (<label>)"."""
    title, label = title.strip(), label.strip()
    if title and label:
        return f"{title} ({label})"
    return title or label


def _folder_create(*, context_id: str, title: str, label: str, creator: ToolUser | None) -> Folder:
    folder = Folder.objects.create(
        context_id=context_id,
        name=folder_name(title=title, label=label)[:500] or context_id,
        context_label=label[:255],
        created_by=creator,
    )
    now = timezone.now()
    Recording.objects.bulk_create(
        Recording(
            folder=folder,
            title=title_,
            description=description,
            duration_seconds=minutes * 60,
            recorded_at=now - datetime.timedelta(days=7 * (len(SAMPLE_RECORDINGS) - position)),
            position=position,
        )
        for position, (title_, description, minutes) in enumerate(SAMPLE_RECORDINGS)
    )
    return folder


def _access_set(*, user: ToolUser, folder: Folder, role: str) -> None:
    FolderAccess.objects.update_or_create(user=user, folder=folder, defaults={"role": role})


def _launch_user(*, body: Mapping, username: str) -> ToolUser:
    """The launching user: the one this issuer's `sub` names; else the user Panopto's API
    created under the same username (SyncExternalUser), who from now on is this `sub`'s, as
    Panopto matches a launch to an account by username; else a new user."""
    wanted = {
        "username": username,
        "first_name": str(body.get("given_name") or "")[:150],
        "last_name": str(body.get("family_name") or "")[:150],
        "name": str(body.get("name") or "")[:300],
        "email": str(body.get("email") or "")[:254],
        "last_launch_at": timezone.now(),
    }
    user = ToolUser.objects.select_for_update().filter(issuer=body["iss"], subject=body["sub"])
    found = user.first()
    if found is None and username:
        found = (
            ToolUser.objects.select_for_update()
            .filter(subject="", username=username)
            .order_by("pk")
            .first()
        )
    if found is None:
        return ToolUser.objects.create(issuer=body["iss"], subject=body["sub"], **wanted)
    found.issuer, found.subject = body["iss"], body["sub"]
    for name, value in wanted.items():
        setattr(found, name, value)
    found.save()
    return found


@dataclass(frozen=True)
class LaunchEntry:
    """Where a launch leaves the user: the folder launched into and their role in it."""

    user: ToolUser
    folder: Folder
    role: str
    created_folder: bool


def _linked_folders(custom: Mapping) -> list[dict]:
    """The custom claim `linked_folders`: a JSON list of {context_id, label, title, role}.
    Anything malformed is ignored, not trusted halfway."""
    raw = custom.get("linked_folders") if isinstance(custom, Mapping) else None
    try:
        entries = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    if not isinstance(entries, list):
        return []
    return [
        entry
        for entry in entries[:50]
        if isinstance(entry, dict) and isinstance(entry.get("context_id"), str)
    ]


@transaction.atomic
def launch_enter(*, body: Mapping, is_instructor: bool, username: str = "") -> LaunchEntry:
    """Apply a validated resource-link launch: record the user (with the `username` Panopto
    would match them on), create the context's folder on an instructor's first launch
    (Creator), refuse a learner before that (NotProvisioned), and give access to the linked
    folders the platform names that exist here."""
    user = _launch_user(body=body, username=username[:255])
    context = body.get(claims.CONTEXT) or {}
    context_id = str(context.get("id") or "")
    title, label = str(context.get("title") or ""), str(context.get("label") or "")
    if not context_id:
        raise NotProvisioned(title=title, label=label)
    folder = Folder.objects.filter(context_id=context_id).first()
    created_folder = False
    if folder is None:
        if not is_instructor:
            raise NotProvisioned(title=title, label=label)
        folder = _folder_create(context_id=context_id, title=title, label=label, creator=user)
        created_folder = True
    role = FolderRole.CREATOR if is_instructor else FolderRole.VIEWER
    _access_set(user=user, folder=folder, role=role)

    linked = _linked_folders(body.get(claims.CUSTOM) or {})
    existing = {
        f.context_id: f
        for f in Folder.objects.filter(context_id__in=[entry["context_id"] for entry in linked])
    }
    for entry in linked:
        linked_folder = existing.get(entry["context_id"])
        if linked_folder is not None and linked_folder != folder:
            is_creator = entry.get("role") == FolderRole.CREATOR
            linked_role = FolderRole.CREATOR if is_creator else FolderRole.VIEWER
            _access_set(user=user, folder=linked_folder, role=linked_role)
    return LaunchEntry(user=user, folder=folder, role=role, created_folder=created_folder)


# The external groups ProvisionExternalCourseWithRoles gives a folder, by role asked for:
# "{externalId}_viewers|_creators|_publishers" as Panopto's Moodle block names them
# (`panopto_data::sync_external_user`), and the access each has to the folder.
PROVISIONED_GROUPS = {
    "Viewer": ("_viewers", FolderRole.VIEWER),
    "Creator": ("_creators", FolderRole.CREATOR),
    "Publisher": ("_publishers", FolderRole.CREATOR),
}


@transaction.atomic
def folder_provision(
    *, external_id: str, name: str, provider_name: str = "", roles: tuple[str, ...] = ()
) -> tuple[Folder, bool]:
    """The folder of `external_id` (a launch's context id), created with `name` if there is
    none (Panopto's ProvisionExternalCourseWithRoles): (folder, created). The next LTI launch
    with this context id lands in it, a member's too. With a provider, the folder has the
    external group of each role in `roles` (created once; an existing folder gets the missing
    ones, as provisioning again does)."""
    folder = Folder.objects.select_for_update().filter(context_id=external_id).first()
    created = folder is None
    if folder is None:
        folder = _folder_create(context_id=external_id, title=name, label="", creator=None)
    if provider_name:
        for role in roles:
            if role not in PROVISIONED_GROUPS:
                continue
            suffix, access = PROVISIONED_GROUPS[role]
            ExternalGroup.objects.get_or_create(
                provider_name=provider_name,
                external_id=external_id + suffix,
                defaults={"name": f"{folder.name}{suffix}"[:500], "folder": folder, "role": access},
            )
    return folder, created


@transaction.atomic
def user_sync_external(
    *,
    provider_name: str,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    external_group_ids: list[str],
) -> ToolUser:
    """`UserManagement.SyncExternalUser`, called as the user: the user of that username,
    created if Panopto has none, their name and e-mail address updated, and their membership of
    the provider's external groups **replaced** by the groups named (names of groups Panopto
    does not have are passed over). Other groups are left alone."""
    user = ToolUser.objects.select_for_update().filter(username=username).order_by("pk").first()
    first_name, last_name = first_name.strip()[:150], last_name.strip()[:150]
    if user is None:
        user = ToolUser.objects.create(
            issuer="",
            subject="",
            username=username[:255],
            first_name=first_name,
            last_name=last_name,
            email=email[:254],
        )
    else:
        if first_name or last_name:
            user.first_name, user.last_name = first_name, last_name
        user.email = email[:254] or user.email
        user.save(update_fields=["first_name", "last_name", "email"])
    wanted = set(
        ExternalGroup.objects.filter(
            provider_name=provider_name, external_id__in=external_group_ids
        ).values_list("pk", flat=True)
    )
    current = set(
        user.external_groups.filter(provider_name=provider_name).values_list("pk", flat=True)
    )
    if current - wanted:
        user.external_groups.remove(*(current - wanted))
    if wanted - current:
        user.external_groups.add(*(wanted - current))
    return user


@transaction.atomic
def group_remove_members(*, provider_name: str, external_id: str, user_ids: list[str]) -> bool:
    """`UserManagement.RemoveMembersFromExternalGroup`: False when there is no such group."""
    group = ExternalGroup.objects.filter(
        provider_name=provider_name, external_id=external_id
    ).first()
    if group is None:
        return False
    group.members.remove(*ToolUser.objects.filter(public_id__in=user_ids))
    return True


@transaction.atomic
def folder_users_grant(*, folder: Folder, user_ids: list[str], role: str) -> None:
    """`AccessManagement.GrantUsersAccessToFolder`: a user-level grant of `role` (a creator's
    grant is not lowered to a viewer's)."""
    for user in ToolUser.objects.filter(public_id__in=user_ids):
        existing = FolderAccess.objects.filter(user=user, folder=folder).first()
        if existing is not None and existing.role == FolderRole.CREATOR:
            continue
        _access_set(user=user, folder=folder, role=role)


@transaction.atomic
def folder_users_revoke(*, folder: Folder, user_ids: list[str], role: str) -> int:
    """`AccessManagement.RevokeUsersAccessFromFolder`: the users' grants of `role` taken
    back; how many there were."""
    deleted, _by_model = FolderAccess.objects.filter(
        folder=folder, role=role, user__public_id__in=user_ids
    ).delete()
    return deleted


def api_provider_ensure(*, instance_name: str) -> ApiProvider:
    """The identity provider `instance_name` of the stand-in's API, created with a new random
    application key if it has none (as Panopto generates one); an existing key is kept."""
    provider, _created = ApiProvider.objects.get_or_create(
        instance_name=instance_name,
        defaults={"application_key": secrets.token_hex(16)},
    )
    return provider


def api_client_ensure(*, client_id: str, name: str) -> ApiClient:
    """The REST API client `client_id`, created with a new random secret if there is none (as
    Panopto generates one); an existing secret is kept."""
    client, _created = ApiClient.objects.get_or_create(
        client_id=client_id,
        defaults={"name": name, "client_secret": secrets.token_urlsafe(24)},
    )
    return client
