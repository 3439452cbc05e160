"""The portal shell: sign-in, sign-out, the home page and the Studies → Information menu."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import too_many_requests
from core.rate_limits import sign_in_attempt, sign_in_succeeded


class SignInView(auth_views.LoginView):
    template_name = "portal/sign_in.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Counted before the password is checked: guesses beyond the limit are never tried.
        self.attempt = sign_in_attempt(request)
        if not self.attempt.allowed:
            return too_many_requests(self.attempt.retry_after)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        sign_in_succeeded(self.attempt)
        return super().form_valid(form)


class SignOutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def studies_information(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/studies_information.html")
