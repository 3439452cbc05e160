from django import forms
from django.utils.translation import gettext_lazy as _


class MembershipCsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: the person's Neptun code (or username), space code, role (administrator, "
            "member or guest member). A header row is optional; comma or semicolon separated; "
            "UTF-8."
        ),
    )
