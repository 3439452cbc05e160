"""Panopto access jobs for IT: what, for whom, in which state, after how many attempts, the last
error and what was done; failed jobs can be asked for again (the retry action). Jobs are
written by the portal only (a membership's end, IT's actions): never added or edited here."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from panopto_link.jobs.services import access_job_requested, access_job_retry
from panopto_link.jobs.words import outcome_text
from panopto_link.models import AccessJob, JobKind, JobState, ReconcileRun
from panopto_link.permissions.staff import may_act_on_access, may_explain_access
from panopto_link.selectors.why import explain
from virtualspaces.models import VirtualSpace


class WhyForm(forms.Form):
    person = forms.CharField(
        label=_("Person"),
        max_length=150,
        help_text=_("The person's username in the portal (e.g. a Neptun code)."),
    )
    space = forms.CharField(
        label=_("Space"), max_length=64, help_text=_("The space's code, e.g. NPUINF101.")
    )

    def clean_person(self):
        username = self.cleaned_data["person"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("No person has this username."), code="no_person")
        return user

    def clean_space(self):
        code = self.cleaned_data["space"].strip()
        space = VirtualSpace.objects.filter(code=code).first()
        if space is None:
            raise forms.ValidationError(_("No space has this code."), code="no_space")
        return space


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the portal writes and IT reads: never added, changed or deleted in the admin
    (an action that queues a job asks its own permission)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(AccessJob)
class AccessJobAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "person_named",
        "space_code",
        "reason",
        "state",
        "attempts",
        "next_attempt_at",
        "short_error",
    )
    list_filter = ("state", "kind", "reason")
    search_fields = ("person", "panopto_username", "space_code")
    list_select_related = ("user",)
    list_per_page = 50
    date_hierarchy = "created_at"
    actions = ("retry_jobs",)
    fields = (
        "kind",
        "reason",
        "person_named",
        "panopto_username",
        "space_code",
        "folders_listed",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "outcome_read",
        "created_at",
        "finished_at",
    )
    readonly_fields = fields

    @admin.display(description=_("person"), ordering="person")
    def person_named(self, obj: AccessJob) -> str:
        return obj.person_named

    @admin.display(description=_("last error"))
    def short_error(self, obj: AccessJob) -> str:
        return obj.last_error[:120]

    @admin.display(description=_("outcome"))
    def outcome_read(self, obj: AccessJob) -> str:
        return outcome_text(obj.outcome)

    @admin.display(description=_("folders"))
    def folders_listed(self, obj: AccessJob) -> str:
        return "; ".join(
            f"{folder.get('space_name', '')} ({folder.get('space_code', '')}): "
            f"{folder.get('panopto_id') or _('no Panopto id')}"
            for folder in obj.folders
        )

    def get_urls(self):
        return [
            path(
                "why/",
                self.admin_site.admin_view(self.why_view),
                name="panopto_link_accessjob_why",
            ),
            *super().get_urls(),
        ]

    def why_view(self, request: HttpRequest) -> HttpResponse:
        """IT's "why can (or can't) X see Y?": read-only, from the database; its actions
        queue a job (take access back now, re-check in Panopto)."""
        user = request.user
        if not may_explain_access(
            is_staff=user.is_staff, has_permission=user.has_perm("panopto_link.view_accessjob")
        ):
            raise PermissionDenied
        may_act = self.has_retry_permission(request)
        if request.method == "POST":
            return self._why_action(request, may_act=may_act)
        form = WhyForm(request.GET or None)
        why = None
        if form.is_valid():
            why = explain(user=form.cleaned_data["person"], space=form.cleaned_data["space"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Why can (or can't) a person see a space?"),
            "form": form,
            "why": why,
            "may_act": may_act,
        }
        status = 400 if form.is_bound and not form.is_valid() else 200
        return TemplateResponse(
            request, "admin/panopto_link/accessjob/why.html", context, status=status
        )

    def _why_action(self, request: HttpRequest, *, may_act: bool) -> HttpResponse:
        if not may_act:
            raise PermissionDenied
        form = WhyForm(request.POST)
        action = request.POST.get("action")
        if not form.is_valid() or action not in ("revoke", "recheck"):
            return HttpResponseBadRequest(
                _("The request does not name a person, a space and an action.")
            )
        person, space = form.cleaned_data["person"], form.cleaned_data["space"]
        why = explain(user=person, space=space)
        folder = next(
            (
                each
                for each in (why.folders if why else ())
                if each.given.panopto_id and each.given.panopto_id == request.POST.get("folder")
            ),
            None,
        )
        if folder is None:
            return HttpResponseBadRequest(_("The folder is not one of the space's folders."))
        kind = JobKind.REVOKE if action == "revoke" else JobKind.RECHECK
        access_job_requested(kind=kind, user=person, folders=[folder.given], space_code=space.code)
        self.message_user(
            request,
            _("Queued: the worker takes the access back in a moment.")
            if kind == JobKind.REVOKE
            else _("Queued: the worker reads the folder's access in Panopto in a moment."),
            level=messages.SUCCESS,
        )
        query = urlencode({"person": person.get_username(), "space": space.code})
        return redirect(reverse("admin:panopto_link_accessjob_why") + "?" + query)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return may_act_on_access(
            is_staff=user.is_staff, has_permission=user.has_perm("panopto_link.change_accessjob")
        )

    @admin.action(description=_("Try the selected failed jobs again"), permissions=["retry"])
    def retry_jobs(self, request: HttpRequest, queryset) -> None:
        failed = list(queryset.filter(state=JobState.FAILED))
        queued = sum(1 for job in failed if access_job_retry(job=job))
        skipped = queryset.count() - queued
        self.message_user(
            request,
            ngettext("%(count)d job queued again.", "%(count)d jobs queued again.", queued)
            % {"count": queued},
            level=messages.SUCCESS if queued else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d job was not failed and was left as it is.",
                    "%(count)d jobs were not failed and were left as they are.",
                    skipped,
                )
                % {"count": skipped},
                level=messages.WARNING,
            )


@admin.register(ReconcileRun)
class ReconcileRunAdmin(ReadOnlyAdmin):
    """Each nightly reconciliation: counts, and every change with its reason (read-only)."""

    list_display = (
        "started_at",
        "dry_run",
        "folders_checked",
        "access_seen",
        "not_entitled",
        "taken_back",
        "creators_not_entitled",
        "creators_taken_back",
        "error",
    )
    list_filter = ("dry_run",)
    fields = (
        "started_at",
        "finished_at",
        "dry_run",
        "folders_checked",
        "access_seen",
        "taken_back",
        "creators_taken_back",
        "changes_listed",
        "error",
    )
    readonly_fields = fields

    @admin.display(description=_("not entitled"))
    def not_entitled(self, obj: ReconcileRun) -> int:
        return len(obj.not_entitled())

    @admin.display(description=_("Creator roles not entitled"))
    def creators_not_entitled(self, obj: ReconcileRun) -> int:
        return len(obj.creators_not_entitled())

    @admin.display(description=_("changes"))
    def changes_listed(self, obj: ReconcileRun):
        if not obj.changes:
            return _("Nothing: everyone with access in Panopto is entitled by the portal.")
        parts = []
        for changes, heading in (
            (
                obj.not_entitled(),
                _(
                    "Nobody in the portal is entitled to these (not a member of the space, nor "
                    "of a course linking its folder, and neither is public):"
                ),
            ),
            (
                obj.creators_not_entitled(),
                _(
                    "Creators in Panopto who no longer administer the space (only the Creator "
                    "role is taken back; their Viewer access is kept):"
                ),
            ),
        ):
            if changes:
                parts.append(format_html("<p>{}</p><ul>{}</ul>", heading, _change_rows(changes)))
        return format_html_join("", "{}", ((part,) for part in parts))


def _change_rows(changes: list[dict]):
    rows = [
        (
            change.get("space_code", ""),
            change.get("username", ""),
            change.get("role", ""),
            change.get("group") or change.get("how", ""),
            _("taken back") if change.get("done") else _("would be taken back"),
        )
        for change in changes
    ]
    return format_html_join("", "<li>{}: {} ({}, {}) — {}</li>", rows)
