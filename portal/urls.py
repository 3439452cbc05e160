from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("portal.urls_portal")),
    path("", include("virtualspaces.urls")),
    path("", include("panopto_link.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
