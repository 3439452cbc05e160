"""The platform as tools know it: its issuer URL (`LTI_ISSUER`, exactly as the tool has it
configured) and the `tool_platform` claim (LTI Core §5.4.2)."""

import uuid

from django.conf import settings

from panopto_link.lti.messages import Platform


def absolute_url(path: str) -> str:
    """A path of the portal as an absolute URL under the issuer."""
    return settings.LTI_ISSUER + path


def platform() -> Platform:
    return Platform(
        issuer=settings.LTI_ISSUER,
        guid=str(uuid.uuid5(uuid.NAMESPACE_URL, settings.LTI_ISSUER)),
        name="Neptun",
        product_family_code=settings.LTI_PRODUCT_FAMILY_CODE,
        version=settings.LTI_PRODUCT_VERSION,
    )
