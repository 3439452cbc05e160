"""djangosaml2's authentication backend, with the portal's own account rules
(portal/eduid/services.py) in place of djangosaml2's attribute-to-field lookup."""

from typing import Any

from django.core.exceptions import PermissionDenied
from djangosaml2.backends import Saml2Backend

from portal.eduid.identity import IdentityRefused, identity_from_session_info
from portal.eduid.services import user_sign_in_with_identity

# Where the reason of a refusal waits for the assertion consumer service's error page.
REFUSAL = "eduid_refusal"


class EduIdBackend(Saml2Backend):
    def authenticate(
        self,
        request: Any,
        session_info: dict[str, Any] | None = None,
        attribute_mapping: Any = None,
        create_unknown_user: bool = True,
        assertion_info: Any = None,
        **kwargs: Any,
    ) -> Any:
        if session_info is None or request is None:
            return None  # a password sign-in: not ours
        try:
            identity = identity_from_session_info(session_info)
            user = user_sign_in_with_identity(identity=identity)
        except IdentityRefused as refusal:
            setattr(request, REFUSAL, refusal)
            raise PermissionDenied(refusal.code) from refusal
        if not self.user_can_authenticate(user):  # a deactivated account
            return None
        return user
