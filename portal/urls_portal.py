from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("studies/information/", views.studies_information, name="studies_information"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
]
