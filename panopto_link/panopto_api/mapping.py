"""Which Panopto folder a space's LTI context is: the one assumption about Panopto that its
documentation does not settle, held here alone.

Panopto does not document the external id it stores for a folder that an LTI 1.3 launch
created. The ILIAS plugin (surlabs, `classes/connection/class.PanoptoClient.php`) looks its LTI
folders up with `GetAllFoldersByExternalId([context_id], [instance name])`: the launch's
context id, under the identity provider's instance name. The portal assumes the same. The
self-test (`panopto_check`) proves or disproves it on the real site: it looks up a folder that
a launch created and says PASS when the API finds it under this external id, WARN when not.
Provisioning (`panopto_provision`) gives new folders this same external id, so that the next
launch lands in them.
"""


def folder_external_id(context_id: str) -> str:
    """The external id under which Panopto keeps the folder of an LTI context."""
    return context_id


# The external groups ProvisionExternalCourseWithRoles gives a folder: "{externalId}_viewers",
# "_creators", "_publishers", as Panopto's Moodle block names them
# (`panopto_data::sync_external_user`; ../shared/notes/panopto-evidence.md §2.2).
CREATORS_GROUP_SUFFIX = "_creators"


def creators_group_id(external_id: str) -> str:
    """The external id of the folder's Creators group."""
    return external_id + CREATORS_GROUP_SUFFIX
