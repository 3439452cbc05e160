from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "neptun_code",
        "last_name",
        "first_name",
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


admin.site.site_header = _("Neptun – Panopto administration")
admin.site.site_title = _("Neptun – Panopto")
admin.site.index_title = _("Administration")
# The lists need the width: the launch records fit a 1280 px screen only without the sidebar of
# every model (the index and the breadcrumbs lead to each).
admin.site.enable_nav_sidebar = False
