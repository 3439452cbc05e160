from django.urls import path

from panopto_link import views

app_name = "panopto_link"

urlpatterns = [
    path("panopto/launch/<int:space_pk>/", views.launch, name="launch"),
    path("lti/authorize/", views.authorize, name="authorize"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path(
        ".well-known/openid-configuration", views.openid_configuration, name="openid_configuration"
    ),
]
