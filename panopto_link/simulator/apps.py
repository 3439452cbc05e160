from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanoptoSimulatorConfig(AppConfig):
    """The Panopto stand-in tool, installed in the demo and tests only."""

    name = "panopto_link.simulator"
    label = "panopto_simulator"
    verbose_name = _("Panopto stand-in")
