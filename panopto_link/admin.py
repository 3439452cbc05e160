from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from panopto_link.lti import claims
from panopto_link.lti_platform.keys import KeyRotationRefused, keys_ensure, keys_rotate
from panopto_link.lti_platform.reasons import reason_label
from panopto_link.models import (
    FolderLink,
    LaunchRecord,
    PanoptoFolder,
    PanoptoLicence,
    PanoptoRegistration,
    PlatformKey,
)
from panopto_link.permissions import PanoptoRole


@admin.register(PanoptoLicence)
class PanoptoLicenceAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "valid_until", "is_enabled", "note")
    list_filter = ("is_enabled",)
    date_hierarchy = "valid_until"


@admin.register(PanoptoRegistration)
class PanoptoRegistrationAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("__str__", "is_enabled", "site_url", "missing_required_fields")
    readonly_fields = ("missing_required_fields", "updated_at")
    fieldsets = (
        (None, {"fields": ("is_enabled", "missing_required_fields")}),
        (
            _("Values from Panopto"),
            {
                "fields": (
                    "client_id",
                    "deployment_id",
                    "login_url",
                    "launch_url",
                    "deep_linking_url",
                    "redirect_uris",
                    "jwks_url",
                    "site_url",
                )
            },
        ),
        (_("Privacy"), {"fields": ("send_name", "send_email")}),
        (None, {"fields": ("updated_at",)}),
    )

    @admin.display(description=_("missing required fields"))
    def missing_required_fields(self, obj: PanoptoRegistration) -> str:
        labels = obj.missing_field_labels() if obj.pk else []
        if not labels:
            return str(_("none – the registration is complete"))
        return format_html_join(", ", "<strong>{}</strong>", ((label,) for label in labels))

    def has_add_permission(self, request) -> bool:
        # A single registration per institute (enforced by a constraint as well).
        return super().has_add_permission(request) and not PanoptoRegistration.objects.exists()

    def save_model(self, request, obj, form, change) -> None:
        obj.pk = 1
        super().save_model(request, obj, form, change)


class FolderLinkInline(admin.StackedInline):
    """Stacked: each field with its label (a tabular inline's fields have none of their own)."""

    model = FolderLink
    fk_name = "course"
    extra = 0
    autocomplete_fields = ("linked_space",)


@admin.register(PanoptoFolder)
class PanoptoFolderAdmin(admin.ModelAdmin):
    list_display = ("space", "state", "is_enabled", "created_at", "created_by")
    list_filter = ("state", "is_enabled", "space__space_type")
    search_fields = ("space__code", "space__name", "context_id")
    list_select_related = ("space", "created_by")
    autocomplete_fields = ("space",)
    readonly_fields = ("context_id", "resource_link_id", "state", "created_at", "created_by")

    def get_readonly_fields(self, request, obj=None):
        # The space of an existing folder is fixed with its context id.
        if obj is not None:
            return ("space", *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a folder row and adding it again would issue a new context id, which Panopto
        # would take for a new, empty folder.
        return False


@admin.register(FolderLink)
class FolderLinkAdmin(admin.ModelAdmin):
    list_display = ("course", "linked_space", "position")
    search_fields = ("course__code", "course__name", "linked_space__code", "linked_space__name")
    autocomplete_fields = ("course", "linked_space")
    list_select_related = ("course", "linked_space")


class ReasonFilter(admin.SimpleListFilter):
    """Reasons in words, and only those the records carry (no empty or unused choices)."""

    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        codes = (
            LaunchRecord.objects.exclude(reason="")
            .order_by()
            .values_list("reason", flat=True)
            .distinct()
        )
        return sorted(((code, reason_label(code)) for code in codes), key=lambda c: c[1].lower())

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(reason=value) if value else queryset


class SpaceFilter(admin.RelatedOnlyFieldListFilter):
    """Only the spaces the records name, without the nameless "empty" choice."""

    include_empty_choice = False


ROLE_WORDS = {
    claims.ROLE_INSTRUCTOR: PanoptoRole.CREATOR.label,
    claims.ROLE_LEARNER: PanoptoRole.VIEWER.label,
    claims.INSTITUTION_GUEST: _("guest"),
}
MESSAGE_WORDS = {
    claims.RESOURCE_LINK_REQUEST: _("launch"),
    claims.DEEP_LINKING_REQUEST: _("video picker"),
}


@admin.register(LaunchRecord)
class LaunchRecordAdmin(admin.ModelAdmin):
    """Read-only. The list fits a 1280 px screen: long values (the LTI role URIs, message
    types, reason codes) are shown in words."""

    list_display = (
        "time",
        "stage",
        "kind_in_words",
        "outcome",
        "reason_in_words",
        "user",
        "space",
        "role_in_words",
        "attempts",
    )
    list_filter = (
        "outcome",
        ReasonFilter,
        ("space", SpaceFilter),
        "created_at",
    )
    search_fields = ("user__username", "space__code", "context_id", "hint_id", "reason")
    list_select_related = ("user", "space")
    date_hierarchy = "created_at"
    list_per_page = 50

    @admin.display(description=_("time"), ordering="created_at")
    def time(self, obj: LaunchRecord) -> str:
        return date_format(timezone.localtime(obj.created_at), "SHORT_DATETIME_FORMAT") + (
            timezone.localtime(obj.created_at).strftime(":%S")
        )

    @admin.display(description=_("reason"), ordering="reason")
    def reason_in_words(self, obj: LaunchRecord) -> str:
        return reason_label(obj.reason) if obj.reason else "–"

    @admin.display(description=_("role sent"))
    def role_in_words(self, obj: LaunchRecord) -> str:
        roles = obj.role_sent.split()
        return ", ".join(str(ROLE_WORDS.get(role, role)) for role in roles) or "–"

    @admin.display(description=_("what"), ordering="message_type")
    def kind_in_words(self, obj: LaunchRecord) -> str:
        return str(MESSAGE_WORDS.get(obj.message_type, obj.message_type)) or "–"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The course's linked folders are edited on the space's own page (its memberships on a page of
# their own: a course of hundreds of members would make an inline of hundreds of rows).
from virtualspaces.admin import VirtualSpaceAdmin  # noqa: E402

VirtualSpaceAdmin.inlines = [*VirtualSpaceAdmin.inlines, FolderLinkInline]


@admin.register(PlatformKey)
class PlatformKeyAdmin(admin.ModelAdmin):
    """Keys are generated and rotated, never typed in; the private key is never displayed. The
    rotation is a button on the list (it works on the whole key set, so nothing is ticked)."""

    list_display = ("kid", "state", "created_at", "activated_at", "deactivated_at", "retired_at")
    list_filter = ("state",)
    fields = ("kid", "state", "public_jwk", "created_at", "activated_at", "deactivated_at")
    readonly_fields = fields
    change_list_template = "admin/panopto_link/platformkey/change_list.html"

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Only the list's own filter. Django allows a filter from the URL on any field of the
        # model itself, and `?private_key_encrypted__startswith=…` let staff who may only view
        # the keys walk the stored private key out one character at a time (issue 15).
        return lookup.split(LOOKUP_SEP)[0] in self.list_filter and super().lookup_allowed(
            lookup, value, request
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Viewing is allowed; the fields are read-only. The rotation button needs this.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "rotate/",
                self.admin_site.admin_view(self.rotate_view),
                name="panopto_link_platformkey_rotate",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        # The first key set exists as soon as anyone looks.
        keys_ensure()
        extra_context = {
            **(extra_context or {}),
            "may_rotate": self.has_change_permission(request),
        }
        return super().changelist_view(request, extra_context)

    @method_decorator(require_POST)
    def rotate_view(self, request: HttpRequest) -> HttpResponse:
        """Rotate the signing keys: next → current → previous, and a new next key."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            report = keys_rotate()
        except KeyRotationRefused as refusal:
            self.message_user(request, str(refusal), level=messages.ERROR)
        else:
            self.message_user(
                request,
                _("Rotated: %(current)s signs now; %(next)s is published as the next key.")
                % {"current": report.promoted, "next": report.created_next},
                level=messages.SUCCESS,
            )
        return redirect(reverse("admin:panopto_link_platformkey_changelist"))
