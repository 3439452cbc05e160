from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanoptoLinkConfig(AppConfig):
    name = "panopto_link"
    verbose_name = _("Panopto")

    def ready(self) -> None:
        # Panopto joins the portal from its own side: the Home screen shows what is registered
        # there, and the LTI platform launches into the tools registered with it.
        from panopto_link.elements import panopto_home_elements, panopto_list_origin
        from panopto_link.launch.tool import PANOPTO
        from panopto_link.lti_platform.api import tool_register
        from virtualspaces.elements import home_element_register, home_origin_register

        home_element_register(panopto_home_elements)
        # A Home screen reached from Studies → Information → Panopto leads back there.
        home_origin_register("panopto", panopto_list_origin)
        tool_register(PANOPTO)
        # Issue 24: a membership's end takes its Panopto access back (a job, in its transaction).
        from panopto_link.jobs.signals import connect

        connect()
