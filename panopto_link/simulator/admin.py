"""The stand-in's side in the Django admin, read-only: what it knows of the portal, the folders
it created and who may enter them. Its data only ever changes through launches."""

from django.contrib import admin

from panopto_link.simulator.models import Folder, FolderAccess, PlatformRegistration, Recording


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
