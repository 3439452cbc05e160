"""Reads shaped for the Panopto screens and the launch: the institute-wide setting, and each
space's folder and linked folders with the SPEC §3 decision for one user, in a constant number
of queries. By responsibility:

- `setting`: the registration and the licence, once per request;
- `spaces`: a space's folders decided for a user, its videos, the admin's facts;
- `statements`: the hand-written reads of the launch and the pages (docs/decisions/0011);
- `page`: Studies → Information → Panopto, one row per folder.

The names below are the package's public reads; import them from here."""

from panopto_link.selectors.page import (
    FolderRow,
    PanoptoPage,
    folder_openers,
    folder_rows,
    panopto_page,
    with_administrators,
)
from panopto_link.selectors.setting import (
    PanoptoSetting,
    panopto_setting,
    request_panopto_setting,
    request_panopto_setting_if_read,
)
from panopto_link.selectors.spaces import (
    FolderEntry,
    SpacePanopto,
    context_id_used,
    folder_context_used,
    registration_has_launched,
    space_videos,
    space_videos_by_id,
    user_semesters,
)
from panopto_link.selectors.statements import (
    launch_facts,
    request_launch_facts,
    space_panopto,
    user_spaces_panopto,
)
from panopto_link.selectors.term import (
    LecturerFolders,
    overview_semester,
    term_overview,
)

__all__ = [
    "FolderEntry",
    "FolderRow",
    "LecturerFolders",
    "PanoptoPage",
    "PanoptoSetting",
    "SpacePanopto",
    "context_id_used",
    "folder_context_used",
    "folder_openers",
    "folder_rows",
    "launch_facts",
    "overview_semester",
    "panopto_page",
    "panopto_setting",
    "registration_has_launched",
    "request_launch_facts",
    "request_panopto_setting",
    "request_panopto_setting_if_read",
    "space_panopto",
    "space_videos",
    "space_videos_by_id",
    "term_overview",
    "user_semesters",
    "user_spaces_panopto",
    "with_administrators",
]
