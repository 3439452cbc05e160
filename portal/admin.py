from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import ExternalIdentity, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "neptun_code",
        "full_name",
        "email",
        "is_staff",
        "is_active",
    )
    search_fields = ("username", "neptun_code", "first_name", "last_name", "email")
    # When the person last signed in and joined are facts, not settings: read-only (Django's
    # split date and time inputs had no labels, axe's "label" rule, issue 25 item 6).
    readonly_fields = ("lti_subject", "last_login", "date_joined")
    # Plain labelled multiple selects for groups and permissions: Django's two-box filter widget
    # puts aria attributes on a span that may not carry them (axe's "aria-prohibited-attr").
    filter_horizontal = ()
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Panopto"), {"fields": ("neptun_code", "lti_subject")}),
    )

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        """One column in the order of the admin's language (Kovács Hanna; Hanna Kovács), as the
        portal's pages write names, rather than a family-name and a given-name column."""
        return obj.get_full_name()


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """The eduID identities bound to accounts (decision 23). IT binds one by hand after a
    collision, once it knows whose account it is; deleting one lets the next sign-in of that
    identity bind again by the configured rules."""

    list_display = ("subject", "user", "issuer", "created_at", "last_sign_in_at")
    list_select_related = ("user",)
    search_fields = ("subject", "user__username", "user__neptun_code", "user__last_name")
    list_filter = ("issuer",)
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at", "last_sign_in_at")


admin.site.site_header = _("Neptun – Panopto administration")
admin.site.site_title = _("Neptun – Panopto")
admin.site.index_title = _("Administration")
# The lists need the width: the launch records fit a 1280 px screen only without the sidebar of
# every model (the index and the breadcrumbs lead to each).
admin.site.enable_nav_sidebar = False
