import secrets

from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from virtualspaces.forms import MembershipCsvConfirmForm, MembershipCsvForm
from virtualspaces.models import Membership, VirtualSpace
from virtualspaces.permissions import membership_csv_may_replace
from virtualspaces.services import (
    MembershipCsvError,
    MembershipCsvPlanChanged,
    MembershipCsvResult,
    membership_save,
    memberships_csv_preview,
    memberships_import_csv,
    space_save,
)


class SemesterFilter(admin.SimpleListFilter):
    """The semesters in use, newest first, and "no semester" in words (Django's own filter
    lists subjects' empty semester as a link without a name)."""

    title = _("semester")
    parameter_name = "semester"
    NONE = "none"
    field = "semester"

    def lookups(self, request, model_admin):
        semesters = (
            VirtualSpace.objects.exclude(semester="")
            .order_by("-semester")
            .values_list("semester", flat=True)
            .distinct()
        )
        return [*((semester, semester) for semester in semesters), (self.NONE, _("no semester"))]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(**{self.field: "" if value == self.NONE else value})


class SpaceSemesterFilter(SemesterFilter):
    field = "space__semester"


# Inlines other apps add to a space's page (Panopto: the course's linked folders), registered
# through this function when their admin module is imported, as the Home screen's elements are
# (virtualspaces.elements): this app knows none of them, and nothing patches its classes.
_space_inlines: list[type[InlineModelAdmin]] = []


def space_admin_inline_register(inline: type[InlineModelAdmin]) -> None:
    if inline not in _space_inlines:
        _space_inlines.append(inline)


@admin.register(VirtualSpace)
class VirtualSpaceAdmin(admin.ModelAdmin):
    """A space's memberships are not an inline here: a course of hundreds of members would be a
    page of hundreds of unlabelled rows. They have their own paginated, searchable list (the
    link on this page opens it filtered to the space) and the CSV import."""

    list_display = ("code", "name", "space_type", "semester", "is_public", "subject")
    list_filter = ("space_type", "is_public", SemesterFilter)
    search_fields = ("code", "name")
    autocomplete_fields = ("subject",)
    list_select_related = ("subject",)
    readonly_fields = ("created_at", "memberships")
    fieldsets = (
        (None, {"fields": ("name", "code", "space_type", "semester", "subject", "is_public")}),
        (_("Members"), {"fields": ("memberships",)}),
        (_("Details"), {"fields": ("description", "created_at")}),
    )

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *_space_inlines]

    def save_model(self, request, obj, form, change) -> None:
        space_save(space=obj)  # one write path: the services

    @admin.display(description=_("memberships"))
    def memberships(self, obj: VirtualSpace) -> str:
        if obj.pk is None:
            return str(_("Add members once the space is saved."))
        count = obj.memberships.count()
        url = reverse("admin:virtualspaces_membership_changelist") + f"?space__id__exact={obj.pk}"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            url,
            ngettext(
                "%(count)d membership: see and edit it",
                "%(count)d memberships: see, search and edit them",
                count,
            )
            % {"count": count},
            reverse("admin:virtualspaces_membership_add") + f"?space={obj.pk}",
            _("Add a member"),
        )


def import_summary(result: MembershipCsvResult) -> str:
    """What an import did, and how its rows' people were found (a Neptun code or a username)."""
    done = ngettext(
        "Imported %(rows)d row: %(created)d created, %(updated)d changed, %(unchanged)d unchanged.",
        "Imported %(rows)d rows: %(created)d created, %(updated)d changed, "
        "%(unchanged)d unchanged.",
        result.rows,
    ) % {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    matched = _("People found: %(neptun)d by Neptun code, %(username)d by username.") % {
        "neptun": result.matched_by_neptun_code,
        "username": result.matched_by_username,
    }
    return f"{done} {matched}"


def replace_summary(result: MembershipCsvResult) -> str:
    done = ngettext(
        "Replaced the memberships of %(spaces)d space: %(created)d added, %(updated)d "
        "changed, %(ended)d ended, %(unchanged)d unchanged.",
        "Replaced the memberships of %(spaces)d spaces: %(created)d added, %(updated)d "
        "changed, %(ended)d ended, %(unchanged)d unchanged.",
        len(result.spaces),
    ) % {
        "spaces": len(result.spaces),
        "created": result.created,
        "updated": result.updated,
        "ended": result.ended,
        "unchanged": result.unchanged,
    }
    matched = _("People found: %(neptun)d by Neptun code, %(username)d by username.") % {
        "neptun": result.matched_by_neptun_code,
        "username": result.matched_by_username,
    }
    return f"{done} {matched}"


# A replace's preview keeps the file this long in the shared cache for its confirmation, and
# lists this many of its spaces (those losing most memberships first).
PREVIEW_SECONDS = 30 * 60
PREVIEW_SPACES_SHOWN = 200


def _preview_key(token: str) -> str:
    return f"virtualspaces:membership-csv-preview:{token}"


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """A space's members, 50 to a page, searchable by person and space."""

    list_display = ("user", "space", "role", "ends_on", "created_at")
    list_per_page = 50
    list_filter = ("role", "space__space_type", SpaceSemesterFilter)
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "space__code",
        "space__name",
    )
    autocomplete_fields = ("user", "space")
    list_select_related = ("user", "space")
    readonly_fields = ("created_at",)
    change_list_template = "admin/virtualspaces/membership/change_list.html"

    def save_model(self, request, obj, form, change) -> None:
        membership_save(membership=obj)  # one write path: the services

    def get_urls(self):
        return [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv_view),
                name="virtualspaces_membership_import_csv",
            ),
            *super().get_urls(),
        ]

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        """Validate the whole file, then import all of it or nothing. A replace is shown as a
        preview first (the file kept in the shared cache for PREVIEW_SECONDS) and written only
        when the admin who saw the preview confirms it."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            if not self.has_delete_permission(request):
                raise PermissionDenied  # only a replace is confirmed, and it ends memberships
            return self._import_csv_confirm(request)
        form = MembershipCsvForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"].read()
            replace = form.cleaned_data["mode"] == "replace"
            if replace and not membership_csv_may_replace(
                may_delete_memberships=self.has_delete_permission(request)
            ):
                return self._import_csv_page(
                    request,
                    form,
                    file_error=str(
                        _(
                            "Replacing ends memberships, which your account may not do; "
                            "choose “Add and change”, or ask an IT administrator."
                        )
                    ),
                )
            try:
                if replace:
                    result = memberships_csv_preview(data=data, replace=True)
                else:
                    result = memberships_import_csv(data=data)
            except MembershipCsvError as error:
                return self._import_csv_page(request, form, file_error=str(error))
            if not result.imported:
                return self._import_csv_page(request, form, result=result)
            if not replace:
                messages.success(request, import_summary(result))
                return redirect(reverse("admin:virtualspaces_membership_changelist"))
            token = secrets.token_urlsafe(24)
            try:
                cache.set(
                    _preview_key(token),
                    {"user": request.user.pk, "data": data},
                    PREVIEW_SECONDS,
                )
            except Exception:  # the shared cache is down: a preview could not be confirmed
                return self._import_csv_page(
                    request,
                    form,
                    file_error=str(_("The preview cannot be kept at the moment; try again.")),
                )
            return self._import_csv_page(request, form, result=result, token=token)
        return self._import_csv_page(request, form)

    def _import_csv_confirm(self, request: HttpRequest) -> HttpResponse:
        confirm = MembershipCsvConfirmForm(request.POST)
        kept = None
        if confirm.is_valid():
            try:
                kept = cache.get(_preview_key(confirm.cleaned_data["token"]))
            except Exception:
                kept = None
        form = MembershipCsvForm(initial={"mode": "replace"})
        if not kept or kept.get("user") != request.user.pk:
            return self._import_csv_page(
                request,
                form,
                file_error=str(
                    _(
                        "This preview has expired or belongs to another session: choose the "
                        "file again."
                    )
                ),
            )
        token = confirm.cleaned_data["token"]
        try:
            result = memberships_import_csv(
                data=kept["data"], replace=True, expected_digest=confirm.cleaned_data["digest"]
            )
        except MembershipCsvPlanChanged as changed:
            return self._import_csv_page(
                request, form, result=changed.result, token=token, plan_changed=True
            )
        except MembershipCsvError as error:  # the file was read once; a changed reader
            return self._import_csv_page(request, form, file_error=str(error))
        if not result.imported:  # a person or space deleted since the preview
            return self._import_csv_page(request, form, result=result)
        cache.delete(_preview_key(token))
        messages.success(request, replace_summary(result))
        return redirect(reverse("admin:virtualspaces_membership_changelist"))

    def _import_csv_page(
        self,
        request: HttpRequest,
        form: MembershipCsvForm,
        *,
        result: MembershipCsvResult | None = None,
        file_error: str | None = None,
        token: str | None = None,
        plan_changed: bool = False,
    ) -> HttpResponse:
        confirm_form = None
        if token and result is not None and result.imported:
            confirm_form = MembershipCsvConfirmForm(
                initial={"token": token, "digest": result.plan_digest}
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import memberships from CSV"),
            "form": form,
            "result": result,
            "file_error": file_error,
            "confirm_form": confirm_form,
            "plan_changed": plan_changed,
            "spaces_shown": PREVIEW_SPACES_SHOWN,
        }
        if plan_changed:
            status = 409
        elif file_error or (result and not result.imported):
            status = 400
        else:
            status = 200
        return TemplateResponse(
            request, "admin/virtualspaces/membership/import_csv.html", context, status=status
        )
