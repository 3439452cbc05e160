"""The portal shell: sign-in, sign-out, the home page and the Studies → Information menu."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class SignInView(auth_views.LoginView):
    template_name = "portal/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def studies_information(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/studies_information.html")
