from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VirtualSpacesConfig(AppConfig):
    name = "virtualspaces"
    verbose_name = _("Virtual spaces")
