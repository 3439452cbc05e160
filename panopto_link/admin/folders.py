from collections.abc import Mapping

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.csv_rows import CsvFileError
from panopto_link.launch import sent_preview
from panopto_link.lti import claims
from panopto_link.lti.substitution import Variable, unknown_variables
from panopto_link.lti_platform.admin import launch_words_register
from panopto_link.models import (
    FolderLink,
    IdentifierKind,
    PanoptoFolder,
    PanoptoLicence,
    PanoptoRegistration,
    PrivacyLevel,
)
from panopto_link.permissions import (
    PanoptoRole,
    existing_context_may_be_given,
    identifier_change_warned,
    variable_released,
)
from panopto_link.selectors import folder_context_used, registration_has_launched
from panopto_link.self_test import run_self_test
from panopto_link.services import (
    existing_context_problem,
    existing_folders_import_csv,
    folder_give_existing_context,
)

# --- what a launch sends, in words (the registration's page and the launch records) ----------

CLAIM_WORDS = {
    "name": _("full name"),
    "given_name": _("given name"),
    "family_name": _("family name"),
    "email": _("e-mail address"),
    "lis.person_sourcedid": _("institutional identifier (lis.person_sourcedid)"),
}
DOCUMENT_TARGET_WORDS = {
    "frame": _("Panopto opens in the same window."),
    "window": _("Panopto opens in a new tab."),
    "iframe": _("Panopto opens embedded in the page."),
}


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def sent_in_words(sent: Mapping | None) -> str:
    """A launch record's `sent` (or a registration's preview of it) in words: the privacy
    level, the personal data, the identifier, the custom parameters' keys, where Panopto
    opens. Nothing for a record that kept none (a refusal, a previous release's row)."""
    if not sent:
        return ""
    tool = sent.get("tool") or {}
    parts = []
    if tool.get("privacy_level"):
        parts.append(
            gettext("Privacy level: %(level)s.")
            % {"level": _choice_label(PrivacyLevel, tool["privacy_level"])}
        )
    sent_claims = list(sent.get("claims") or [])
    if sent_claims:
        parts.append(
            gettext("Personal data: %(claims)s.")
            % {"claims": ", ".join(str(CLAIM_WORDS.get(c, c)) for c in sent_claims)}
        )
    else:
        parts.append(gettext("Personal data: none, only the opaque user id and the roles."))
    if "lis.person_sourcedid" in sent_claims and tool.get("identifier_kind"):
        kind = _choice_label(IdentifierKind, tool["identifier_kind"])
        parameter = tool.get("identifier_parameter")
        if parameter:
            parts.append(
                gettext(
                    "Identifier: %(kind)s, as lis.person_sourcedid and as the custom parameter "
                    "“%(parameter)s”."
                )
                % {"kind": kind, "parameter": parameter}
            )
        else:
            parts.append(gettext("Identifier: %(kind)s, as lis.person_sourcedid.") % {"kind": kind})
    custom = list(sent.get("custom") or [])
    if custom:
        parts.append(gettext("Custom parameters: %(keys)s.") % {"keys": ", ".join(custom)})
    else:
        parts.append(gettext("Custom parameters: none."))
    target = sent.get("document_target")
    if target in DOCUMENT_TARGET_WORDS:
        parts.append(str(DOCUMENT_TARGET_WORDS[target]))
    return " ".join(parts)


def custom_parameter_warnings(registration: PanoptoRegistration) -> list[str]:
    """What the administrator should know of the custom parameters before a launch sends them:
    variables this portal does not know, and variables the privacy level withholds — both are
    sent as written."""
    values = [value for _key, value in registration.custom_parameter_items()]
    warnings = []
    unknown = unknown_variables(values)
    if unknown:
        warnings.append(
            gettext(
                "Not a variable this portal knows, so it is sent as written (variable names are "
                "case-sensitive): %(variables)s."
            )
            % {"variables": ", ".join(unknown)}
        )
    withheld = [
        variable.value
        for variable in Variable
        if variable.value in values
        and not variable_released(
            variable,
            privacy_level=registration.privacy_level,
            identifier_kind=registration.identifier_kind,
        )
    ]
    if withheld:
        warnings.append(
            gettext(
                "The privacy level withholds what these variables stand for, so they are sent "
                "as written: %(variables)s."
            )
            % {"variables": ", ".join(withheld)}
        )
    return warnings


class PanoptoLaunchWords:
    """Panopto's words on the platform's launch records: the roles as Panopto names them, and
    what a launch sent (`sent_in_words`)."""

    ROLES = {
        claims.ROLE_INSTRUCTOR: PanoptoRole.CREATOR.label,
        claims.ROLE_LEARNER: PanoptoRole.VIEWER.label,
    }

    def role(self, role: str) -> str | None:
        word = self.ROLES.get(role)
        return str(word) if word else None

    def sent(self, sent: Mapping) -> str:
        return sent_in_words(sent)


launch_words_register(PanoptoLaunchWords())


@admin.register(PanoptoLicence)
class PanoptoLicenceAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "valid_until", "is_enabled", "note")
    list_filter = ("is_enabled",)
    date_hierarchy = "valid_until"


class PanoptoRegistrationForm(forms.ModelForm):
    confirm_identifier_change = forms.BooleanField(
        label=_("I understand that Panopto may open new accounts"),
        required=False,
        help_text=_(
            "Needed only when the identifier or its custom parameter changes on a registration "
            "that has already launched."
        ),
    )

    class Meta:
        model = PanoptoRegistration
        # The admin's fieldsets decide the form's fields and their order.
        fields = ("identifier_kind", "identifier_parameter")

    def clean(self):
        cleaned = super().clean()
        identity_changed = {"identifier_kind", "identifier_parameter"} & set(self.changed_data)
        # The instance still holds the saved values here (the form copies its own in later).
        if (
            identity_changed
            and self.instance.pk
            and identifier_change_warned(has_launched=registration_has_launched(self.instance))
            and not (cleaned or {}).get("confirm_identifier_change")
        ):
            self.add_error(
                "confirm_identifier_change",
                _(
                    "Panopto has received launches from this registration and matches its "
                    "accounts on the identifier. With another identifier (or custom parameter) "
                    "Panopto may open a new, empty account for each person at their next launch, "
                    "and their recordings stay with the old account — unless Panopto's username "
                    "parameter override is changed at the same moment. Tick the box to confirm."
                ),
            )
        return cleaned


@admin.register(PanoptoRegistration)
class PanoptoRegistrationAdmin(admin.ModelAdmin):
    form = PanoptoRegistrationForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("__str__", "is_enabled", "site_url", "missing_required_fields")
    readonly_fields = ("missing_required_fields", "what_panopto_receives", "updated_at")
    change_form_template = "admin/panopto_link/panoptoregistration/change_form.html"
    fieldsets = (
        (None, {"fields": ("is_enabled", "missing_required_fields", "is_production_site")}),
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
        (
            _("What Panopto learns of a person"),
            {
                "fields": (
                    "privacy_level",
                    "identifier_kind",
                    "identifier_parameter",
                    "confirm_identifier_change",
                    "custom_parameters",
                    "what_panopto_receives",
                )
            },
        ),
        (_("Launches"), {"fields": ("launch_opens",)}),
        (None, {"fields": ("updated_at",)}),
    )

    @admin.display(description=_("missing required fields"))
    def missing_required_fields(self, obj: PanoptoRegistration) -> str:
        labels = obj.missing_field_labels() if obj.pk else []
        if not labels:
            return str(_("none – the registration is complete"))
        return format_html_join(", ", "<strong>{}</strong>", ((label,) for label in labels))

    @admin.display(description=_("what a launch sends"))
    def what_panopto_receives(self, obj: PanoptoRegistration) -> str:
        if not obj.pk:
            return str(_("Shown once the registration is saved."))
        words = sent_in_words(sent_preview(obj))
        warnings = custom_parameter_warnings(obj)
        if not warnings:
            return words
        return format_html(
            "{}<ul class='messagelist'>{}</ul>",
            words,
            format_html_join("", "<li class='warning'>{}</li>", ((w,) for w in warnings)),
        )

    def has_add_permission(self, request) -> bool:
        # A single registration per institute (enforced by a constraint as well).
        return super().has_add_permission(request) and not PanoptoRegistration.objects.exists()

    def save_model(self, request, obj, form, change) -> None:
        obj.pk = 1
        super().save_model(request, obj, form, change)
        for warning in custom_parameter_warnings(obj):
            self.message_user(request, warning, level=messages.WARNING)

    def get_urls(self):
        return [
            path(
                "self-test/",
                self.admin_site.admin_view(self.self_test_view),
                name="panopto_link_panoptoregistration_self_test",
            ),
            *super().get_urls(),
        ]

    def self_test_view(self, request: HttpRequest) -> HttpResponse:
        """The configuration self-test (as `manage.py panopto_check`): run on a POST, so that
        no prefetching browser makes its outbound requests; the page is never held longer
        than the slowest probe's few seconds."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            report = run_self_test(served_origin=f"{request.scheme}://{request.get_host()}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Panopto self-test"),
            "report": report,
            "registration": PanoptoRegistration.load(),
        }
        return TemplateResponse(
            request, "admin/panopto_link/panoptoregistration/self_test.html", context
        )


class FolderLinkInline(admin.StackedInline):
    """Stacked: each field with its label (a tabular inline's fields have none of their own)."""

    model = FolderLink
    fk_name = "course"
    extra = 0
    autocomplete_fields = ("linked_space",)


class PanoptoFolderForm(forms.ModelForm):
    """The folder, and — while its own context id has never been used — the context id of a
    folder that already exists in Panopto."""

    existing_context_id = forms.CharField(
        label=_("context id of an existing Panopto folder"),
        required=False,
        max_length=255,
        help_text=_(
            "Only for a folder that already exists in Panopto (e.g. from an earlier "
            "integration): its context id, exactly as Panopto keys it. The folder then counts "
            "as created and members may enter at once. Possible only while this space's folder "
            "has never been launched; afterwards the context id never changes. Leave empty to "
            "keep the portal's own id."
        ),
    )

    class Meta:
        model = PanoptoFolder
        fields = ("space", "is_enabled")

    def clean(self):
        cleaned = super().clean()
        context_id = (cleaned or {}).get("existing_context_id", "").strip()
        space = self.instance.space if self.instance.pk else (cleaned or {}).get("space")
        if context_id and space is not None:
            folder = self.instance if self.instance.pk else None
            problem = existing_context_problem(space=space, context_id=context_id, folder=folder)
            if problem is not None:
                self.add_error("existing_context_id", problem)
        return cleaned


@admin.register(PanoptoFolder)
class PanoptoFolderAdmin(admin.ModelAdmin):
    form = PanoptoFolderForm
    list_display = (
        "space",
        "state",
        "is_enabled",
        "is_existing_folder",
        "created_at",
        "created_by",
    )
    list_filter = ("state", "is_enabled", "is_existing_folder", "space__space_type")
    search_fields = ("space__code", "space__name", "context_id")
    list_select_related = ("space", "created_by")
    autocomplete_fields = ("space",)
    readonly_fields = (
        "context_id",
        "resource_link_id",
        "state",
        "is_existing_folder",
        "context_used_at",
        "created_at",
        "created_by",
    )
    change_list_template = "admin/panopto_link/panoptofolder/change_list.html"

    def may_give_existing_context(self, obj: PanoptoFolder | None) -> bool:
        return obj is None or existing_context_may_be_given(
            is_created=obj.is_created, context_used=folder_context_used(obj)
        )

    def get_fields(self, request, obj=None):
        fields = ["space", "is_enabled"]
        if self.may_give_existing_context(obj):
            fields.append("existing_context_id")
        return [*fields, *(f for f in self.readonly_fields if f not in fields)]

    def get_readonly_fields(self, request, obj=None):
        # The space of an existing folder is fixed with its context id.
        if obj is not None:
            return ("space", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        context_id = form.cleaned_data.get("existing_context_id", "").strip()
        if not context_id:
            return
        try:
            given = folder_give_existing_context(
                space=obj.space, context_id=context_id, user=request.user
            )
        except ValidationError as refusal:  # a launch overtook the form's check
            self.message_user(request, " ".join(refusal.messages), level=messages.ERROR)
            return
        obj.refresh_from_db()
        if given.changed:
            self.message_user(
                request,
                _(
                    "The folder now has the existing Panopto folder's context id and counts as "
                    "created: the space's members may enter it."
                ),
                level=messages.SUCCESS,
            )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a folder row and adding it again would issue a new context id, which Panopto
        # would take for a new, empty folder.
        return False

    def get_urls(self):
        return [
            path(
                "import-existing/",
                self.admin_site.admin_view(self.import_existing_view),
                name="panopto_link_panoptofolder_import_existing",
            ),
            *super().get_urls(),
        ]

    def import_existing_view(self, request: HttpRequest) -> HttpResponse:
        """Existing Panopto folders from CSV: the whole file is checked, then all of it or
        nothing is imported (as the membership import)."""
        if not self.has_change_permission(request) or not self.has_add_permission(request):
            raise PermissionDenied
        form = ExistingFoldersCsvForm(request.POST or None, request.FILES or None)
        result = None
        file_error = None
        if request.method == "POST" and form.is_valid():
            try:
                result = existing_folders_import_csv(
                    data=form.cleaned_data["file"].read(), user=request.user
                )
            except CsvFileError as error:
                file_error = str(error)
            else:
                if result.imported:
                    self.message_user(
                        request,
                        ngettext(
                            "Imported %(rows)d row: %(created)d folders given an existing "
                            "context id, %(unchanged)d unchanged.",
                            "Imported %(rows)d rows: %(created)d folders given an existing "
                            "context id, %(unchanged)d unchanged.",
                            result.rows,
                        )
                        % {
                            "rows": result.rows,
                            "created": result.created,
                            "unchanged": result.unchanged,
                        },
                        level=messages.SUCCESS,
                    )
                    return redirect(reverse("admin:panopto_link_panoptofolder_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import existing Panopto folders from CSV"),
            "form": form,
            "result": result,
            "file_error": file_error,
        }
        status = 400 if (file_error or (result and not result.imported)) else 200
        return TemplateResponse(
            request,
            "admin/panopto_link/panoptofolder/import_existing.html",
            context,
            status=status,
        )


class ExistingFoldersCsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: space code, context id of the existing Panopto folder. A header row is "
            "optional; comma or semicolon separated; UTF-8."
        ),
    )


@admin.register(FolderLink)
class FolderLinkAdmin(admin.ModelAdmin):
    list_display = ("course", "linked_space", "position")
    search_fields = ("course__code", "course__name", "linked_space__code", "linked_space__name")
    autocomplete_fields = ("course", "linked_space")
    list_select_related = ("course", "linked_space")


# The course's linked folders are edited on the space's own page (its memberships on a page of
# their own: a course of hundreds of members would make an inline of hundreds of rows).
from virtualspaces.admin import VirtualSpaceAdmin  # noqa: E402

VirtualSpaceAdmin.inlines = [*VirtualSpaceAdmin.inlines, FolderLinkInline]
