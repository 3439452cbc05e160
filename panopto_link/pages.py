"""The Panopto screens: Studies → Information → Panopto, and the per-request licence and
setting that the menu and the Panopto element read. Views parse, call a selector, render; every
SPEC §3 answer comes from the decisions the selectors attach."""

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from panopto_link.models import PanoptoLicence
from panopto_link.selectors import (
    PanoptoSetting,
    SpacePanopto,
    panopto_setting,
    user_semesters,
    user_spaces_panopto,
)
from virtualspaces.models import SpaceType

# --- the licence and setting, once per request -----------------------------------------------
# Evaluated per request (never cached across requests), so a licence that starts or ends today
# takes effect without a restart; and lazily, so pages that show no Panopto part do not query.

_SETTING_ATTR = "_panopto_setting"
_LICENCE_ATTR = "_panopto_licence_valid"


def request_panopto_setting(request: HttpRequest) -> PanoptoSetting:
    """The licence and registration for this request (one query, the first time only)."""
    setting = getattr(request, _SETTING_ATTR, None)
    if setting is None:
        setting = panopto_setting()
        setattr(request, _SETTING_ATTR, setting)
        setattr(request, _LICENCE_ATTR, setting.licence_valid)
    return setting


def request_licence_valid(request: HttpRequest) -> bool:
    """Whether the institute holds a valid licence today (one query, the first time only;
    none when the page has already read the whole setting)."""
    valid = getattr(request, _LICENCE_ATTR, None)
    if valid is None:
        valid = PanoptoLicence.objects.is_valid_today()
        setattr(request, _LICENCE_ATTR, valid)
    return valid


# --- Studies → Information → Panopto ---------------------------------------------------------

TYPE_GROUPS: tuple[tuple[str, Promise], ...] = (
    (SpaceType.SUBJECT, _("Subjects")),
    (SpaceType.COURSE, _("Courses")),
    (SpaceType.OTHER, _("Other spaces")),
)


@dataclass(frozen=True)
class SpaceGroup:
    space_type: str
    title: Promise
    spaces: list[SpacePanopto]


def group_by_type(spaces: list[SpacePanopto]) -> list[SpaceGroup]:
    """Subject, course and other spaces in that order; empty groups are left out."""
    groups = []
    for space_type, title in TYPE_GROUPS:
        members = [entry for entry in spaces if entry.space.space_type == space_type]
        if members:
            groups.append(SpaceGroup(space_type=space_type, title=title, spaces=members))
    return groups


class SemesterFilterForm(forms.Form):
    semester = forms.ChoiceField(label=_("Semester"), required=False)

    def __init__(self, *args, semesters: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["semester"].choices = [
            ("", _("All semesters")),
            *((semester, semester) for semester in semesters),
        ]

    def chosen_semester(self) -> str:
        """The valid choice, or "" (every semester) for a missing or unknown one."""
        return self.cleaned_data["semester"] if self.is_valid() else ""


@login_required
def studies_panopto(request: HttpRequest) -> HttpResponse:
    """Every space the user belongs to, grouped by type, with its folders and launch buttons."""
    setting = request_panopto_setting(request)
    if not setting.licence_valid:
        # SPEC §3, first row: without a licence there is no Panopto page at all.
        raise Http404
    form = SemesterFilterForm(request.GET or None, semesters=user_semesters(request.user))
    semester = form.chosen_semester() if form.is_bound else ""
    spaces = user_spaces_panopto(user=request.user, setting=setting, semester=semester)
    context = {
        "form": form,
        "semester": semester,
        "groups": group_by_type(spaces),
        "space_count": len(spaces),
        "panopto_setting": setting,
    }
    return render(request, "panopto_link/studies_panopto.html", context)
