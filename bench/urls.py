"""The portal's URLs and, under /bench/, the bare baselines each endpoint is measured against."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/sign/", views.bare_sign, name="bench_sign"),
    path("bench/session-user/", views.bare_session_user, name="bench_session_user"),
    path("bench/page/", views.bare_page, name="bench_page"),
    path("bench/json/", views.bare_json, name="bench_json"),
    path("", include("portal.urls")),
]
