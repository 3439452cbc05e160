from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanoptoLinkConfig(AppConfig):
    name = "panopto_link"
    verbose_name = _("Panopto")
