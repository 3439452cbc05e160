from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from core import self_test_hooks, session_timeout
        from portal.eduid import checks  # noqa: F401 - registers the deploy checks
        from portal.eduid.self_test import check_one_identity_to_panopto

        session_timeout.connect()  # stamps every sign-in for the idle timeout
        # The Panopto self-test warns when eduID and Panopto's own SAML sign-in would see the
        # same person under different usernames (issue 26).
        self_test_hooks.register(check_one_identity_to_panopto)
