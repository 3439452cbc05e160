"""The licence periods and the registration's page: what a launch sends in words, warnings
about custom parameters, the identifier change's confirmation, the self-test."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from panopto_link.admin.words import custom_parameter_warnings, sent_in_words
from panopto_link.launch.sent import sent_preview
from panopto_link.models import (
    PanoptoLicence,
    PanoptoRegistration,
)
from panopto_link.panopto_api.secret import (
    registration_application_key_apply,
    registration_rest_client_secret_apply,
)
from panopto_link.permissions import identifier_change_warned
from panopto_link.permissions.staff import self_test_access
from panopto_link.selectors import registration_has_launched
from panopto_link.self_test import run_self_test, self_test_last_report, self_test_report_keep
from panopto_link.services import licence_save


@admin.register(PanoptoLicence)
class PanoptoLicenceAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "valid_until", "is_enabled", "note")
    list_filter = ("is_enabled",)
    date_hierarchy = "valid_until"

    def save_model(self, request, obj, form, change) -> None:
        licence_save(licence=obj)  # one write path: the services


class PanoptoRegistrationForm(forms.ModelForm):
    confirm_identifier_change = forms.BooleanField(
        label=_("I understand that Panopto may open new accounts"),
        required=False,
        help_text=_(
            "Needed only when the identifier or its custom parameter changes on a registration "
            "that has already launched."
        ),
    )

    # Written, never shown again: the field is always empty on the page (render_value=False).
    api_application_key = forms.CharField(
        label=_("application key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "The identity provider's application key from Panopto. It is stored encrypted and "
            "never shown again; leave the field empty to keep the stored key."
        ),
    )
    api_application_key_remove = forms.BooleanField(
        label=_("Remove the stored application key"),
        required=False,
        help_text=_("Together with the two fields above, this turns the API calls off."),
    )

    # Written, never shown again, as the application key.
    api_rest_client_secret = forms.CharField(
        label=_("REST API client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "The API client's secret from Panopto. It is stored encrypted and never shown "
            "again; leave the field empty to keep the stored secret, or type a new one to "
            "replace it."
        ),
    )
    api_rest_client_secret_remove = forms.BooleanField(
        label=_("Remove the stored REST API client secret"),
        required=False,
        help_text=_("Together with the client id above, this turns the REST API calls off."),
    )

    class Meta:
        model = PanoptoRegistration
        # The admin's fieldsets decide the form's fields and their order.
        fields = ("identifier_kind", "identifier_parameter")

    def clean(self):
        cleaned = super().clean()
        new_key = (cleaned or {}).get("api_application_key") or ""
        if new_key or (cleaned or {}).get("api_application_key_remove"):
            # On the instance before the model's own validation (which wants all three API
            # settings or none); nothing is saved unless the whole form is valid.
            try:
                registration_application_key_apply(
                    registration=self.instance, application_key=new_key
                )
            except ImproperlyConfigured:
                self.add_error(
                    "api_application_key",
                    _("The key cannot be stored encrypted: set LTI_KEY_ENCRYPTION_KEY first."),
                )
        new_secret = (cleaned or {}).get("api_rest_client_secret") or ""
        if new_secret or (cleaned or {}).get("api_rest_client_secret_remove"):
            try:
                registration_rest_client_secret_apply(
                    registration=self.instance, client_secret=new_secret
                )
            except ImproperlyConfigured:
                self.add_error(
                    "api_rest_client_secret",
                    _("The secret cannot be stored encrypted: set LTI_KEY_ENCRYPTION_KEY first."),
                )
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
    readonly_fields = (
        "missing_required_fields",
        "what_panopto_receives",
        "api_application_key_state",
        "api_rest_client_secret_state",
        "updated_at",
    )
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
        (
            _("Panopto's APIs (optional)"),
            {
                "fields": (
                    "api_provider_name",
                    "api_user",
                    "api_application_key_state",
                    "api_application_key",
                    "api_application_key_remove",
                    "api_rest_client_id",
                    "api_rest_client_secret_state",
                    "api_rest_client_secret",
                    "api_rest_client_secret_remove",
                ),
                "description": _(
                    "With these the portal confirms that a space's folder exists in Panopto, "
                    "shows its newest recordings and opens a term's folders ahead of time. "
                    "Without them it only launches. The REST API client is optional on top: "
                    "with it a confirmed folder is checked again by its Panopto id, so one "
                    "deleted in Panopto is noticed."
                ),
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

    @admin.display(description=_("stored application key"))
    def api_application_key_state(self, obj: PanoptoRegistration) -> str:
        if obj.api_key_encrypted:
            return str(_("stored, encrypted (not shown)"))
        return str(_("none"))

    @admin.display(description=_("stored REST API client secret"))
    def api_rest_client_secret_state(self, obj: PanoptoRegistration) -> str:
        if obj.api_rest_secret_encrypted:
            return str(_("stored, encrypted (not shown)"))
        return str(_("none"))

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

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # No filter from the URL: `?api_key_encrypted__startswith=…` would let staff who may
        # only view the registration walk the stored key out one character at a time.
        return False

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
        than the slowest probe's few seconds. Running it takes the right to change the
        registration; staff who may only view it see the last report (permissions)."""
        access = self_test_access(
            may_view_registration=self.has_view_permission(request),
            may_change_registration=self.has_change_permission(request),
        )
        if not access.sees_last_report or (request.method == "POST" and not access.may_run):
            raise PermissionDenied
        kept = None
        report = None
        if request.method == "POST":
            report = run_self_test(served_origin=f"{request.scheme}://{request.get_host()}")
            self_test_report_keep(report, ran_by=request.user.get_username())
        else:
            kept = self_test_last_report()
            report = kept.report if kept else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Panopto self-test"),
            "report": report,
            "kept": kept,
            "may_run": access.may_run,
            "registration": PanoptoRegistration.load(),
        }
        return TemplateResponse(
            request, "admin/panopto_link/panoptoregistration/self_test.html", context
        )
