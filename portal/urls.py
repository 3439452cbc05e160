from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from core.rate_limits import limit_sign_ins

urlpatterns = [
    # The admin's sign-in counts against the portal's sign-in limits (one count per user name
    # and per address, core.rate_limits): a name refused on one is refused on the other. Ahead
    # of the admin's own URLs, which would otherwise serve this address unlimited.
    path("admin/login/", limit_sign_ins(admin.site.login)),
    path("", include("portal.urls_portal")),
    path("", include("virtualspaces.urls")),
    path("", include("panopto_link.urls")),
    path("", include("panopto_link.lti_platform.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Sign-in with eduID (SAML 2.0): 404 unless SAML_IDP_METADATA is set.
    path("saml/", include("portal.eduid.urls")),
    # The LTI platform's models moved to an app of their own (issue 22, decision 17): the admin
    # pages IT administrators bookmarked under panopto_link still lead to them.
    re_path(
        r"^admin/panopto_link/(?P<model>launchrecord|platformkey)/(?P<rest>.*)$",
        RedirectView.as_view(
            url="/admin/lti_platform/%(model)s/%(rest)s", permanent=True, query_string=True
        ),
    ),
    path("admin/", admin.site.urls),
]

# The Panopto stand-in, in the demo and the tests only (portal/settings/dev.py installs it).
if getattr(settings, "PANOPTO_SIMULATOR", False):
    urlpatterns.append(path("panopto-sim/", include("panopto_link.simulator.urls")))

# The stand-in eduID identity provider, in the demo and the tests only (portal/settings/dev.py).
if getattr(settings, "EDUID_SIMULATOR", False):
    urlpatterns.append(path("idp-sim/", include("portal.idp_simulator.urls")))

# Error pages that render without touching the database and without reading the request body
# (core.errors).
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
