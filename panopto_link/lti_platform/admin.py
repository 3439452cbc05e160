"""The platform's records in the admin: launch records (read-only, in words) and the signing keys
(read-only, with the rotation button). A tool's part names the roles and what its launches sent in
its own terms through `tools.launch_words_register` (Panopto: `panopto_link.admin.words`)."""

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from panopto_link.lti import claims
from panopto_link.lti_platform.keys import KeyRotationRefused, keys_ensure, keys_rotate
from panopto_link.lti_platform.models import LaunchRecord, PlatformKey
from panopto_link.lti_platform.reasons import reason_label
from panopto_link.lti_platform.tools import ContextName, launch_words_registered


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


# The current changelist page's context names (`LaunchRecordAdmin.folder`): per request, as
# the admin class itself is shared by every request of the process.
_page_contexts: ContextVar[dict[str, ContextName] | None] = ContextVar(
    "launch_record_contexts", default=None
)


def context_names(context_ids: set[str]) -> dict[str, ContextName]:
    """The contexts named by the tools that know them."""
    names: dict[str, ContextName] = {}
    for words in launch_words_registered():
        names.update(words.contexts(context_ids - set(names)))
    return names


ROLE_WORDS = {
    claims.ROLE_INSTRUCTOR: _("instructor"),
    claims.ROLE_LEARNER: _("learner"),
    claims.INSTITUTION_GUEST: _("guest"),
}
MESSAGE_WORDS = {
    claims.RESOURCE_LINK_REQUEST: _("launch"),
    claims.DEEP_LINKING_REQUEST: _("video picker"),
}


def role_in_words(role: str) -> str:
    for words in launch_words_registered():
        said = words.role(role)
        if said:
            return said
    return str(ROLE_WORDS.get(role, role))


def sent_in_words(sent: Mapping[str, Any] | None) -> str:
    """What an accepted step sent, in the words of the tool that knows it; nothing for a row
    that kept none (a refusal, a previous release's row)."""
    if not sent:
        return ""
    for words in launch_words_registered():
        said = words.sent(sent)
        if said:
            return said
    return ""


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
        "folder",
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
    readonly_fields = ("sent_in_words",)
    list_per_page = 50

    @admin.display(description=_("time"), ordering="created_at")
    def time(self, obj: LaunchRecord) -> str:
        return date_format(timezone.localtime(obj.created_at), "SHORT_DATETIME_FORMAT") + (
            timezone.localtime(obj.created_at).strftime(":%S")
        )

    def get_changelist_instance(self, request):
        """The page's records with their contexts named, in one lookup (`folder`)."""
        changelist = super().get_changelist_instance(request)
        _page_contexts.set(context_names({record.context_id for record in changelist.result_list}))
        return changelist

    @admin.display(description=_("folder"))
    def folder(self, obj: LaunchRecord) -> str:
        """The folder the launch went to, own or linked (issue 25 item 9: a refusal at a
        course's linked folder read as a refusal at the course's own)."""
        names = _page_contexts.get()
        if names is None or obj.context_id not in names:
            names = context_names({obj.context_id})
        name = names.get(obj.context_id)
        if name is None:
            return "–"
        if obj.space_id is not None and name.owner_space_id != obj.space_id:
            return str(_("%(folder)s (linked)")) % {"folder": name.label}
        return name.label

    @admin.display(description=_("reason"), ordering="reason")
    def reason_in_words(self, obj: LaunchRecord) -> str:
        return reason_label(obj.reason) if obj.reason else "–"

    @admin.display(description=_("role sent"))
    def role_in_words(self, obj: LaunchRecord) -> str:
        roles = obj.role_sent.split()
        return ", ".join(role_in_words(role) for role in roles) or "–"

    @admin.display(description=_("what"), ordering="message_type")
    def kind_in_words(self, obj: LaunchRecord) -> str:
        return str(MESSAGE_WORDS.get(obj.message_type, obj.message_type)) or "–"

    @admin.display(description=_("what was sent"))
    def sent_in_words(self, obj: LaunchRecord) -> str:
        return sent_in_words(obj.sent)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PlatformKey)
class PlatformKeyAdmin(admin.ModelAdmin):
    """Keys are generated and rotated, never typed in; the private key is never displayed. The
    rotation is a button on the list (it works on the whole key set, so nothing is ticked)."""

    list_display = ("kid", "state", "created_at", "activated_at", "deactivated_at", "retired_at")
    list_filter = ("state",)
    fields = ("kid", "state", "public_jwk", "created_at", "activated_at", "deactivated_at")
    readonly_fields = fields
    change_list_template = "admin/lti_platform/platformkey/change_list.html"

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
                name="lti_platform_platformkey_rotate",
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
        return redirect(reverse("admin:lti_platform_platformkey_changelist"))
