from django.urls import path

from panopto_link.lti_platform import views

app_name = "lti_platform"

urlpatterns = [
    path("lti/authorize/", views.authorization_endpoint, name="authorize"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path(
        ".well-known/openid-configuration", views.openid_configuration, name="openid_configuration"
    ),
]
