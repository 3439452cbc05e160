"""The spaces' Panopto folders: giving an existing folder's context id (one by one and from a
CSV file), the links of a course, and the links' inline on the space's own page."""

import re
from collections import Counter
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.csv_rows import CsvFileError
from panopto_link.models import (
    FolderLink,
    PanoptoFolder,
)
from panopto_link.panopto_api.connection import api_connection
from panopto_link.panopto_api.provision import CreatorOutcome, Outcome, provision, sync_creators
from panopto_link.permissions import (
    existing_context_may_be_given,
)
from panopto_link.selectors import folder_context_used, overview_semester, term_overview
from panopto_link.services import (
    existing_context_problem,
    existing_folders_import_csv,
    folder_give_existing_context,
    folder_link_save,
)
from panopto_link.staff import term_reminders_send
from virtualspaces.admin import space_admin_inline_register


class FolderLinkFormSet(BaseInlineFormSet):
    """The space page's links are saved through the services, as every link is."""

    def save_new(self, form, commit=True):
        link = super().save_new(form, commit=False)
        return folder_link_save(link=link) if commit else link

    def save_existing(self, form, obj, commit=True):
        link = form.save(commit=False)
        return folder_link_save(link=link) if commit else link


class FolderLinkInline(admin.StackedInline):
    """Stacked: each field with its label (a tabular inline's fields have none of their own)."""

    model = FolderLink
    formset = FolderLinkFormSet
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


# A semester as the portal writes it (virtualspaces.semesters): anything else asks for the default.
SEMESTER_SHAPE = re.compile(r"\d{4}/\d{2}/[12]")


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
        "panopto_missing_since",
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
        "panopto_id",
        "panopto_checked_at",
        "panopto_missing_since",
    )
    change_list_template = "admin/panopto_link/panoptofolder/change_list.html"
    actions = ("provision_in_panopto",)

    @admin.action(
        description=_("Create the selected folders in Panopto now"), permissions=["change"]
    )
    def provision_in_panopto(self, request: HttpRequest, queryset) -> None:
        """`panopto_provision` for the folders ticked, at most PROVISION_AT_ONCE of them (a
        request must not wait for hundreds of calls: the command does a whole term)."""
        report_provisioning(
            self, request, [folder.space for folder in queryset[: PROVISION_AT_ONCE + 1]]
        )

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
            path(
                "term-overview/",
                self.admin_site.admin_view(self.term_overview_view),
                name="panopto_link_panoptofolder_term_overview",
            ),
            *super().get_urls(),
        ]

    def term_overview_view(self, request: HttpRequest) -> HttpResponse:
        """This term's folders not opened yet, by lecturer (who may view folders), and the
        reminder e-mails (who may change them: the same as `manage.py panopto_term_overview
        --send-reminders`)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        asked = request.POST.get("semester") or request.GET.get("semester") or ""
        semester = asked if SEMESTER_SHAPE.fullmatch(asked) else overview_semester()
        groups = term_overview(semester)
        may_remind = self.has_change_permission(request)
        if request.method == "POST":
            if not may_remind:
                raise PermissionDenied
            sent = term_reminders_send(
                semester=semester, groups=groups, portal_url=settings.LTI_ISSUER
            )
            messages.success(
                request,
                ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", sent.sent)
                % {"count": sent.sent},
            )
            if sent.without_email:
                messages.warning(
                    request,
                    _("No e-mail address, not reminded: %(names)s")
                    % {"names": ", ".join(sent.without_email)},
                )
            return redirect(
                reverse("admin:panopto_link_panoptofolder_term_overview")
                + "?"
                + urlencode({"semester": semester})
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("This term's overview: folders not opened yet"),
            "semester": semester,
            "groups": groups,
            "total": sum(len(group.spaces) for group in groups),
            "may_remind": may_remind,
            "reminded": sum(1 for g in groups if g.lecturer is not None and g.lecturer.email),
        }
        return TemplateResponse(
            request, "admin/panopto_link/panoptofolder/term_overview.html", context
        )

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

    def save_model(self, request, obj, form, change) -> None:
        folder_link_save(link=obj)  # one write path: the services


# The course's linked folders are edited on the space's own page (its memberships on a page of
# their own: a course of hundreds of members would make an inline of hundreds of rows), through
# the inlines the space's admin offers to other apps.
space_admin_inline_register(FolderLinkInline)


PROVISION_AT_ONCE = 20


def report_provisioning(model_admin, request: HttpRequest, spaces: list) -> None:
    if len(spaces) > PROVISION_AT_ONCE:
        model_admin.message_user(
            request,
            _(
                "Select at most %(count)d folders at once; for a whole term use manage.py "
                "panopto_provision --semester."
            )
            % {"count": PROVISION_AT_ONCE},
            level=messages.WARNING,
        )
        return
    try:
        connection = api_connection()
    except ImproperlyConfigured:
        connection = None
    if connection is None:
        model_admin.message_user(
            request,
            _(
                "Panopto's API is not configured (or its application key cannot be decrypted): "
                "give the registration its API settings first."
            ),
            level=messages.ERROR,
        )
        return
    steps = list(provision(spaces, connection=connection))
    counted = Counter(step.outcome for step in steps)
    failed = [step for step in steps if step.outcome in (Outcome.UNAVAILABLE, Outcome.REFUSED)]
    model_admin.message_user(
        request,
        _("Created in Panopto: %(created)d; already created: %(already)d.")
        % {
            "created": counted[Outcome.PROVISIONED],
            "already": counted[Outcome.ALREADY_CREATED],
        },
        level=messages.SUCCESS if not failed else messages.WARNING,
    )
    if failed or len(steps) < len(spaces):
        model_admin.message_user(
            request,
            _("Not created: %(spaces)s. Panopto did not answer or refused; try again later.")
            % {"spaces": ", ".join(step.space.code for step in failed) or "—"},
            level=messages.ERROR,
        )
        return
    creators = Counter(step.outcome for step in sync_creators(spaces, connection=connection))
    if not creators:
        return
    withheld = creators[CreatorOutcome.NOT_RELEASED] + creators[CreatorOutcome.NO_IDENTIFIER]
    unsynced = creators[CreatorOutcome.UNAVAILABLE] + creators[CreatorOutcome.REFUSED]
    model_admin.message_user(
        request,
        _(
            "Administrators made Creators before their first launch: %(synced)d; without an "
            "identifier Panopto may be told (Creators at their first launch): %(withheld)d; "
            "not answered or refused: %(unsynced)d."
        )
        % {
            "synced": creators[CreatorOutcome.SYNCED],
            "withheld": withheld,
            "unsynced": unsynced,
        },
        level=messages.SUCCESS if not unsynced else messages.WARNING,
    )
