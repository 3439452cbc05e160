"""The portal shell: sign-in, sign-out, the home page and the Studies → Information menu."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator

from core.rate_limits import limit_sign_ins


# Counted before the password is checked: guesses beyond the limit are never tried. The admin's
# sign-in counts against the same limits (portal/urls.py).
@method_decorator(limit_sign_ins, name="dispatch")
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
