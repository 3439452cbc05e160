"""What virtualspaces tells the apps above it (which it never imports): a membership's role
changed. Sent by the services that change roles (the admin's save, `membership_set`, the CSV
import in either mode, whose `bulk_update` sends no `post_save`) inside the transaction that
writes the change, so that a listener's own writes commit with it or not at all."""

from django.dispatch import Signal

# sender=Membership, changes=list[tuple[Membership, str]]: each changed membership (its new
# role saved) and the role it had before.
membership_roles_changed = Signal()
