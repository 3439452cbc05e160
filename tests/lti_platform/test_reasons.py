"""Every reason a launch record can carry has words for the admin, and the admin shows them."""

import pytest
from django.urls import reverse

from panopto_link.lti.reasons import Reason
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.lti_platform.reasons import REASON_LABELS, reason_label
from tests.factories import UserFactory


def test_every_reason_has_a_label():
    assert set(REASON_LABELS) == set(Reason)


def test_every_reason_of_the_panopto_policy_has_words_which_the_platform_shows():
    """Issue 22: the policy's reasons are Panopto's own; the platform's admin shows them in the
    words Panopto registered (admin/words.py), for a stored code as before."""
    from panopto_link.admin.words import REASON_LABELS as PANOPTO_LABELS
    from panopto_link.reasons import PanoptoReason

    assert set(PANOPTO_LABELS) == set(PanoptoReason)
    assert reason_label("no_licence") == "no valid licence"
    assert not set(Reason.__members__) & set(PanoptoReason.__members__)


def test_an_unknown_stored_code_is_shown_as_it_is():
    assert reason_label("retired_code") == "retired_code"


@pytest.mark.django_db
def test_launch_records_show_reasons_in_words_in_both_languages(client):
    LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.REFUSED,
        reason=Reason.HINT_REPLAYED,
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:lti_platform_launchrecord_changelist")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    hungarian = client.get(url, HTTP_ACCEPT_LANGUAGE="hu").content.decode()
    assert "message hint used again" in english
    assert "újra felhasznált üzenetjelző" in hungarian
