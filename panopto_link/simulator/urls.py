"""The stand-in's URLs, mounted under /panopto-sim/ by portal/urls.py in the demo and tests."""

from django.urls import path

from panopto_link.simulator import views

app_name = "panopto_simulator"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("folders/<uuid:public_id>/", views.folder, name="folder"),
    path("login/", views.login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("deep-link/", views.deep_link, name="deep_link"),
    path("deep-link/answer/", views.deep_link_answer, name="deep_link_answer"),
    path("viewer/<uuid:public_id>/", views.viewer, name="viewer"),
    path("jwks.json", views.jwks, name="jwks"),
    path("sign-out/", views.sign_out, name="sign_out"),
    # Panopto's PublicAPI at Panopto's path under the stand-in's site URL.
    path(
        "Panopto/PublicAPI/4.6/SessionManagement.svc",
        views.session_management,
        name="session_management",
    ),
    path(
        "Panopto/PublicAPI/4.6/UserManagement.svc",
        views.user_management,
        name="user_management",
    ),
    path(
        "Panopto/PublicAPI/4.6/AccessManagement.svc",
        views.access_management,
        name="access_management",
    ),
]
