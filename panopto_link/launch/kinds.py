"""What a click asks for (`LaunchKind`), and the LTI context type of each kind of space."""

from enum import StrEnum

from panopto_link.lti import claims
from virtualspaces.models import SpaceType

CONTEXT_TYPES = {
    SpaceType.SUBJECT: claims.CONTEXT_COURSE_TEMPLATE,
    SpaceType.COURSE: claims.CONTEXT_COURSE_OFFERING,
    SpaceType.OTHER: claims.CONTEXT_GROUP,
}


class LaunchKind(StrEnum):
    """What a click asks for."""

    FOLDER = "folder"  # "Continue to the Panopto system": the folder's dashboard
    PICKER = "picker"  # "Add videos from Panopto": the content picker in the space's folder
    VIDEO = "video"  # "Play": one linked video

    @property
    def message_type(self) -> str:
        if self is LaunchKind.PICKER:
            return claims.DEEP_LINKING_REQUEST
        return claims.RESOURCE_LINK_REQUEST
