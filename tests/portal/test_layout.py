"""The tree shows what the import contracts know (issue 22): the LTI platform and the stand-in
are apps of their own with their own models, and no product module grows past 500 lines — a
file that does is split by responsibility before anything else lands in it."""

from pathlib import Path

from django.apps import apps
from django.conf import settings

PRODUCT = ("core", "portal", "virtualspaces", "panopto_link")
MOST_LINES = 500


def test_no_product_module_is_over_500_lines():
    base = Path(settings.BASE_DIR)
    over = {
        str(path.relative_to(base)): lines
        for package in PRODUCT
        for path in (base / package).rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert not over, f"split these by responsibility: {over}"


def test_the_platforms_models_belong_to_its_own_app():
    platform = apps.get_app_config("lti_platform")
    assert platform.name == "panopto_link.lti_platform"
    assert {model.__name__ for model in platform.get_models()} == {
        "LaunchRecord",
        "PlatformKey",
        "ConsumedToken",
    }
    panopto = {model.__name__ for model in apps.get_app_config("panopto_link").get_models()}
    assert panopto.isdisjoint({"LaunchRecord", "PlatformKey", "ConsumedToken"})
