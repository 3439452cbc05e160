"""The stand-in's side in the Django admin, read-only: what it knows of the portal, the folders
it created, who may enter them (user grants and external groups) and the users it knows. Its
data only ever changes through launches and its API."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from panopto_link.simulator.models import (
    ExternalGroup,
    Folder,
    FolderAccess,
    PlatformRegistration,
    Recording,
    ToolUser,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class FolderAccessInline(admin.TabularInline):
    model = FolderAccess
    fields = ("user", "role", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


class RecordingInline(admin.TabularInline):
    model = Recording
    fields = ("title", "duration_seconds", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(PlatformRegistration)
class PlatformRegistrationAdmin(ReadOnlyAdmin):
    list_display = ("issuer", "client_id", "public_origin", "username_parameter", "updated_at")


@admin.register(Folder)
class FolderAdmin(ReadOnlyAdmin):
    list_display = ("name", "context_label", "created_by", "created_at")
    search_fields = ("name", "context_label", "context_id")
    inlines = [FolderAccessInline, RecordingInline]


@admin.register(ExternalGroup)
class ExternalGroupAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "provider_name", "folder", "role")
    search_fields = ("external_id", "name")
    fields = ("public_id", "external_id", "provider_name", "name", "folder", "role", "members")
    readonly_fields = fields


@admin.register(ToolUser)
class ToolUserAdmin(ReadOnlyAdmin):
    list_display = ("username", "display_name", "issuer", "public_id", "last_launch_at")
    search_fields = ("username", "first_name", "last_name", "name", "subject")
    fields = (
        "public_id",
        "username",
        "first_name",
        "last_name",
        "name",
        "email",
        "issuer",
        "subject",
        "last_launch_at",
    )
    readonly_fields = fields

    @admin.display(description=_("name"), ordering="last_name")
    def display_name(self, obj: ToolUser) -> str:
        return obj.display_name
