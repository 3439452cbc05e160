"""The stand-in identity provider's URLs, mounted under /idp-sim/ in the demo and the tests."""

from django.urls import path

from portal.idp_simulator import views

app_name = "idp_simulator"

urlpatterns = [
    path("metadata/", views.metadata, name="metadata"),
    path("sso/", views.sso, name="sso"),
]
