"""Panopto hears a membership end from its own side (`virtualspaces` knows nothing of Panopto):
a receiver of the membership's `pre_delete` writes the revocation job while the rows it reads
still exist, in the deleting transaction — Django's deletion sends `pre_delete` for every
membership it deletes (one removed in the admin, a queryset's delete such as the expiry sweep
or a CSV replace, and the cascade of a deleted space or person) inside its own atomic block,
before it deletes anything. Nothing is lost if the process dies after the commit."""

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import pre_delete

from core.clock import today
from panopto_link.jobs.services import revocation_on_membership_end
from panopto_link.models import JobReason, PanoptoRegistration
from panopto_link.selectors.jobs import folders_given_by
from virtualspaces.models import Membership, VirtualSpace


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


def connect() -> None:
    pre_delete.connect(membership_ending, sender=Membership, dispatch_uid="panopto_revocation")
