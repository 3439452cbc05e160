"""The Panopto side of the portal: the licence and the LTI registration (`registration`), the
spaces' folders, their links and the videos (`folders`). The platform's launch records, keys and
single-use values are the LTI platform's own (`panopto_link.lti_platform.models`)."""

from panopto_link.models.folders import (
    FolderLink,
    FolderState,
    PanoptoFolder,
    VideoLink,
    new_opaque_id,
)
from panopto_link.models.jobs import (
    AccessJob,
    FolderAccessCheck,
    JobKind,
    JobReason,
    JobState,
    ReconcileReason,
    ReconcileRun,
)
from panopto_link.models.registration import (
    CUSTOM_PARAMETER_PROBLEMS,
    LINKED_FOLDERS_PARAMETER,
    RESERVED_CUSTOM_KEYS,
    IdentifierKind,
    LaunchOpens,
    PanoptoLicence,
    PanoptoLicenceQuerySet,
    PanoptoRegistration,
    PrivacyLevel,
)

__all__ = [
    "CUSTOM_PARAMETER_PROBLEMS",
    "LINKED_FOLDERS_PARAMETER",
    "RESERVED_CUSTOM_KEYS",
    "AccessJob",
    "FolderAccessCheck",
    "FolderLink",
    "FolderState",
    "IdentifierKind",
    "JobKind",
    "JobReason",
    "JobState",
    "LaunchOpens",
    "PanoptoFolder",
    "PanoptoLicence",
    "PanoptoLicenceQuerySet",
    "PanoptoRegistration",
    "PrivacyLevel",
    "ReconcileReason",
    "ReconcileRun",
    "VideoLink",
    "new_opaque_id",
]
