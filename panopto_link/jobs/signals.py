"""Panopto hears a membership end from its own side (`virtualspaces` knows nothing of Panopto):
a receiver of the membership's `pre_delete` writes the revocation job while the rows it reads
still exist, in the deleting transaction — Django's deletion sends `pre_delete` for every
membership it deletes (one removed in the admin, a queryset's delete such as the expiry sweep
or a CSV replace, and the cascade of a deleted space or person) inside its own atomic block,
before it deletes anything. Nothing is lost if the process dies after the commit.

A role change is heard the same way: virtualspaces' `membership_roles_changed`, sent by the
services that change roles in their transaction; an administrator made a member (or guest)
gets a job that takes back the Creator role of the space's own folder only (issue 24)."""

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import pre_delete

from core.clock import today
from panopto_link.jobs.services import (
    creator_revocation_on_role_change,
    revocation_on_membership_end,
)
from panopto_link.models import JobReason, PanoptoRegistration
from panopto_link.permissions import panopto_creator_role
from panopto_link.selectors.jobs import folders_given_by
from virtualspaces.models import Membership, VirtualSpace
from virtualspaces.signals import membership_roles_changed


def _reason(instance: Membership, origin: Any) -> JobReason:
    """What started the deletion (Django's `origin`: the instance or queryset deleted)."""
    started = origin.model if isinstance(origin, QuerySet) else type(origin)
    if started is VirtualSpace:
        return JobReason.SPACE_DELETED
    if origin is not None and started is not Membership:
        return JobReason.PERSON_DELETED
    if instance.ends_on is not None and instance.ends_on < today():
        return JobReason.MEMBERSHIP_EXPIRED
    return JobReason.MEMBERSHIP_REMOVED


def membership_ending(
    sender: type, instance: Membership, origin: Any = None, **kwargs: Any
) -> None:
    space = instance.space
    revocation_on_membership_end(
        user=instance.user,
        space_code=space.code,
        folders=folders_given_by(space),
        reason=_reason(instance, origin),
        registration=PanoptoRegistration.load(),
    )


def roles_changed(sender: type, changes: list[tuple[Membership, str]], **kwargs: Any) -> None:
    """A Creator's role is given by the space that owns the folder (`decide_folder`'s
    `administers_folder`), so only the space's own folder is asked about; the worker asks
    `permissions.entitlement.folder_creator_entitlement` again when it runs."""
    creator = panopto_creator_role()
    registration = None
    for membership, before in changes:
        if before != creator or membership.role == creator:
            continue
        registration = registration or PanoptoRegistration.load()
        space = membership.space
        creator_revocation_on_role_change(
            user=membership.user,
            space_code=space.code,
            folders=folders_given_by(space)[:1],
            registration=registration,
        )


def connect() -> None:
    pre_delete.connect(membership_ending, sender=Membership, dispatch_uid="panopto_revocation")
    membership_roles_changed.connect(
        roles_changed, sender=Membership, dispatch_uid="panopto_creator_revocation"
    )
