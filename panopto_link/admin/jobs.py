"""Panopto access jobs for IT: what, for whom, in which state, after how many attempts, the last
error and what was done; failed jobs can be asked for again (the retry action). Jobs are
written by the portal only (a membership's end, IT's actions): never added or edited here."""

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from panopto_link.jobs.services import access_job_retry
from panopto_link.jobs.words import outcome_text
from panopto_link.models import AccessJob, JobState, ReconcileRun
from panopto_link.permissions import may_act_on_access


@admin.register(AccessJob)
class AccessJobAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "person",
        "space_code",
        "reason",
        "state",
        "attempts",
        "next_attempt_at",
        "short_error",
    )
    list_filter = ("state", "kind", "reason")
    search_fields = ("person", "panopto_username", "space_code")
    list_per_page = 50
    date_hierarchy = "created_at"
    actions = ("retry_jobs",)
    fields = (
        "kind",
        "reason",
        "person",
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The page is read-only; the retry action asks the change permission itself.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

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
class ReconcileRunAdmin(admin.ModelAdmin):
    """Each nightly reconciliation: counts, and every change with its reason (read-only)."""

    list_display = (
        "started_at",
        "dry_run",
        "folders_checked",
        "access_seen",
        "not_entitled",
        "taken_back",
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
        "changes_listed",
        "error",
    )
    readonly_fields = fields

    @admin.display(description=_("not entitled"))
    def not_entitled(self, obj: ReconcileRun) -> int:
        return len(obj.changes)

    @admin.display(description=_("changes"))
    def changes_listed(self, obj: ReconcileRun):
        rows = [
            (
                change.get("space_code", ""),
                change.get("username", ""),
                change.get("role", ""),
                change.get("group") or change.get("how", ""),
                _("taken back") if change.get("done") else _("would be taken back"),
            )
            for change in obj.changes
        ]
        if not rows:
            return _("Nothing: everyone with access in Panopto is entitled by the portal.")
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            _("Nobody in the portal is entitled to these (not a member of the space, nor of a "
              "course linking its folder, and neither is public):"),
            format_html_join(
                "", "<li>{}: {} ({}, {}) — {}</li>", rows
            ),
        )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
