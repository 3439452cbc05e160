"""Who is still entitled to a folder's access in Panopto (issue 24): the rule a membership's
end and a role change ask when their job runs, the nightly reconciliation compares Panopto's
folder access with, and IT's "why" page shows. Anything Panopto grants that these rules do not
is taken back.

Pure functions on plain values: no queries, no request.
"""

from panopto_link.reasons import Entitlement, FolderEntitlementFacts


def folder_entitlement(facts: FolderEntitlementFacts) -> Entitlement | None:
    """Whether the person is still entitled to enter the folder in Panopto, and why: through
    the space that owns it (a membership of any role, or the space being public, SPEC §3), or
    through a course that links it (`names_linked_folder`: a course's members and, for a public
    course, its guests are sent its linked folders). None: nobody entitles them, and Panopto's
    access is taken back. The same rule serves a membership's end, the nightly reconciliation
    and IT's "why" page."""
    if facts.member_of_owner:
        return Entitlement.MEMBER_OF_OWNER
    if facts.owner_public:
        return Entitlement.PUBLIC_OWNER
    if facts.member_of_linking_course:
        return Entitlement.MEMBER_OF_LINKING_COURSE
    if facts.public_linking_course:
        return Entitlement.PUBLIC_LINKING_COURSE
    return None


def folder_creator_entitlement(facts: FolderEntitlementFacts) -> Entitlement | None:
    """SPEC §3: still a Creator of the folder (`panopto_creator_role` of its space), or None."""
    return Entitlement.ADMINISTRATOR_OF_OWNER if facts.administrator_of_owner else None
