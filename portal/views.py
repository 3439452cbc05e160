"""The portal shell: sign-in, sign-out, the home page, the Studies → Information menu and the
accessibility statement."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.rate_limits import limit_sign_ins
from portal.eduid import config as eduid_config


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the portal's own words for a wrong password: Django's
    Hungarian one is wrong (issue 25 item 12)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. Upper and lower case letters differ."),
    }


# Counted before the password is checked: guesses beyond the limit are never tried. The admin's
# sign-in counts against the same limits (portal/urls.py).
@method_decorator(limit_sign_ins, name="dispatch")
class SignInView(auth_views.LoginView):
    """The portal's sign-in page: eduID where configured, and the password form (for everyone,
    or for the break-glass administrators only: PASSWORD_SIGN_IN)."""

    template_name = "portal/sign_in.html"
    redirect_authenticated_user = True
    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["eduid_enabled"] = eduid_config.enabled()
        context["passwords_for_everyone"] = settings.PASSWORD_SIGN_IN == "everyone"  # noqa: S105  # a choice
        return context


class SignOutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def studies_information(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/studies_information.html")


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the law asks of a public body's website (directive (EU)
    2016/2102, its model statement in implementing decision (EU) 2018/1523; in Hungary the 2018.
    évi LXXV. törvény and the 30/2019. (IX. 4.) ITM rendelet). Open to everyone, signed in or
    not: it is linked from every page's footer, the sign-in page's too."""
    hungarian = get_language() == "hu"
    return render(
        request,
        "portal/accessibility.html",
        {
            "institution": settings.ACCESSIBILITY_INSTITUTION_HU
            if hungarian
            else settings.ACCESSIBILITY_INSTITUTION_EN,
            "enforcement_body": settings.ACCESSIBILITY_ENFORCEMENT_BODY_HU
            if hungarian
            else settings.ACCESSIBILITY_ENFORCEMENT_BODY_EN,
            "enforcement_url": settings.ACCESSIBILITY_ENFORCEMENT_URL,
            "site_url": request.build_absolute_uri("/"),
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "contact_address": settings.ACCESSIBILITY_CONTACT_ADDRESS,
            "contact_phone": settings.ACCESSIBILITY_CONTACT_PHONE,
            "prepared": settings.ACCESSIBILITY_STATEMENT_PREPARED,
            "last_assessed": settings.ACCESSIBILITY_LAST_ASSESSED,
        },
    )
