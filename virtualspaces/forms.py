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
    mode = forms.ChoiceField(
        label=_("What the file does"),
        widget=forms.RadioSelect,
        initial="add",
        # A form without the choice (an older script posting only the file) adds and changes.
        required=False,
        choices=[
            ("add", _("Add and change: memberships the file does not name are kept")),
            (
                "replace",
                _(
                    "Replace: in each space the file names, the memberships it does not name "
                    "end (a term's export from Neptun). A preview shows the changes first."
                ),
            ),
        ],
    )

    def clean_mode(self) -> str:
        return self.cleaned_data.get("mode") or "add"


class MembershipCsvConfirmForm(forms.Form):
    """A replace's confirmation: the previewed file's token and the digest of the changes
    the preview showed (virtualspaces.services.memberships_import_csv)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
