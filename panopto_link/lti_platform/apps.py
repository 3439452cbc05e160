from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiPlatformConfig(AppConfig):
    """The portal as an LTI 1.3 platform, for any tool (docs/decisions/0015): its launch records,
    signing keys and consumed single-use values, their admin, the authorization endpoint and
    the key set. It never imports the tool's part; a tool registers itself with
    `lti_platform.tools.tool_register`."""

    name = "panopto_link.lti_platform"
    label = "lti_platform"
    verbose_name = _("LTI platform")

    def ready(self) -> None:
        from panopto_link.lti_platform import checks  # noqa: F401 - registers the deploy check
