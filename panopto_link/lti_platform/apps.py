from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LtiPlatformConfig(AppConfig):
    """The portal as an LTI 1.3 platform, for any tool (docs/decisions/0017): its launch records,
    signing keys and consumed single-use values, their admin, the authorization endpoint and
    the key set. It never imports the tool's part; a tool registers itself with
    `lti_platform.tools.tool_register`."""

    name = "panopto_link.lti_platform"
    label = "lti_platform"
    verbose_name = _("LTI platform")

    def ready(self) -> None:
        from panopto_link.lti_platform import checks  # noqa: F401 - registers the deploy check
        from panopto_link.lti_platform.keys import keys_ensure_after_migrate

        # A migrated database has its first signing keys (a fresh deployment is ready).
        post_migrate.connect(
            keys_ensure_after_migrate, sender=self, dispatch_uid="lti_platform.first_keys"
        )
