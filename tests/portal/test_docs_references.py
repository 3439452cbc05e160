"""The docs name only what exists (issue 22): every module path a document names imports,
every file path it names is in the repository, and every `SPEC §` reference in the code resolves
to a section of the product specification that lives here (docs/spec.md)."""

import importlib
import importlib.util
import re
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
DOCS = sorted([BASE / "README.md", *(BASE / "docs").rglob("*.md")])
PRODUCT = ("core", "portal", "virtualspaces", "panopto_link")
TOP = (*PRODUCT, "tests", "docs", "bench", "deploy", "locale", "static", "templates")

# `panopto_link.lti_platform.tools` or `panopto_link.lti_platform.tools.tool_register`
DOTTED = re.compile(r"`((?:" + "|".join(PRODUCT) + r")(?:\.\w+)+)`")
# `panopto_link/selectors/statements.py`, `tests/x.py::test_y`, `docs/decisions/0007-layers.md`
PATH = re.compile(r"`((?:" + "|".join(TOP) + r")/[\w./-]+?)(?:::\w+)?(?::\d+)?`")


def _imports(dotted: str) -> bool:
    """The module, or a name in a module (a class, a function, an attribute chain). A module
    is found without running it (a settings module needs its environment)."""
    if re.search(r"\.[A-Z]\d{3}$", dotted):  # a system check's id (`portal.E001`)
        return True
    if re.fullmatch(r"\w+\.test", dotted):  # a host name of the HTTPS test (`portal.test`)
        return True
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            spec = importlib.util.find_spec(".".join(parts[:cut]))
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            continue
        if cut == len(parts):
            return True
        target = importlib.import_module(".".join(parts[:cut]))
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(BASE)))
def test_every_module_path_a_doc_names_imports(doc):
    text = doc.read_text(encoding="utf-8")
    missing = sorted({name for name in DOTTED.findall(text) if not _imports(name)})
    assert not missing, f"{doc.relative_to(BASE)} names what does not import: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(BASE)))
def test_every_file_path_a_doc_names_exists(doc):
    text = doc.read_text(encoding="utf-8")
    missing = sorted(
        {
            path
            for path in PATH.findall(text)
            if "*" not in path and "<" not in path and not (BASE / path.rstrip("/")).exists()
        }
    )
    assert not missing, f"{doc.relative_to(BASE)} names files that do not exist: {missing}"


def _spec_sections() -> set[str]:
    """ "3" for "## 3. Rules", "5.2" for the second numbered item under "## 5."."""
    sections: set[str] = set()
    current = None
    for line in (BASE / "docs" / "spec.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## (\d+)\. ", line)
        if heading:
            current = heading.group(1)
            sections.add(current)
            continue
        item = re.match(r"(\d+)\. ", line)
        if item and current:
            sections.add(f"{current}.{item.group(1)}")
    return sections


def test_every_spec_reference_in_the_code_resolves_to_docs_spec():
    sections = _spec_sections()
    unresolved = {}
    for package in (*PRODUCT, "templates", "tests"):
        for path in (BASE / package).rglob("*"):
            if path.suffix not in (".py", ".html") or "migrations" in path.parts:
                continue
            for ref in re.findall(r"SPEC §(\d+(?:\.\d+)?)", path.read_text(encoding="utf-8")):
                if ref not in sections:
                    unresolved.setdefault(ref, []).append(str(path.relative_to(BASE)))
    assert not unresolved, unresolved
    assert {"2", "3", "4", "5", "5.2", "5.6", "6", "8"} <= sections
