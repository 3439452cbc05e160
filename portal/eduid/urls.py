"""The service provider's URLs, under /saml/ (portal/urls.py)."""

from django.urls import path

from portal.eduid import views

app_name = "eduid"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("acs/", views.AssertionConsumerServiceView.as_view(), name="acs"),
    path("metadata/", views.MetadataView.as_view(), name="metadata"),
]
