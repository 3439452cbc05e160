from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from core import session_timeout

        session_timeout.connect()  # stamps every sign-in for the idle timeout
