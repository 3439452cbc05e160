"""Issue 21: the portal is proven against Panopto's conventions, not our stand-in's. No product
code outside the stand-in (and the migrations, which keep each release's rule as it was) names a
custom parameter that only the stand-in ever sent or read."""

import ast
from pathlib import Path

from django.conf import settings

# What the stand-in once invented: its items' `recording_id`, the picker request's
# `linked_recording_ids`. Panopto's integrations show neither (docs/connecting-panopto.md).
STAND_IN_ONLY = {"recording_id", "linked_recording_ids"}
PRODUCT = ("core", "portal", "virtualspaces", "panopto_link")


def string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_no_product_code_names_a_parameter_only_the_stand_in_sends():
    base = Path(settings.BASE_DIR)
    found = {}
    for package in PRODUCT:
        for path in (base / package).rglob("*.py"):
            relative = path.relative_to(base).as_posix()
            if relative.startswith("panopto_link/simulator/") or "/migrations/" in relative:
                continue
            named = string_constants(path) & STAND_IN_ONLY
            if named:
                found[relative] = sorted(named)
    assert not found, found
