"""What the portal imports is what it asks pip for. `make demo` and a production install get only
`[project].dependencies`; the test tools (`.[dev,bench]`) bring many more packages, so a module
that reached the code only through them (Jinja2 came with locust) works in every test and fails
on the first server that runs without them."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from django.conf import settings

APPS = ("core", "portal", "virtualspaces", "panopto_link")


def imported_modules(root: Path) -> dict[str, set[str]]:
    """Top-level names of the third-party modules the apps import, each with where."""
    found: dict[str, set[str]] = {}
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in APPS:
                        found.setdefault(top, set()).add(str(path.relative_to(root)))
    return found


def normalised(name: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_dependencies(root: Path) -> set[str]:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        normalised(re.match(r"[A-Za-z0-9._-]+", requirement).group())
        for requirement in project["dependencies"]
    }


def test_every_module_the_apps_import_is_a_declared_dependency():
    root = Path(settings.BASE_DIR)
    declared = declared_dependencies(root)
    distributions = importlib.metadata.packages_distributions()
    undeclared = {
        module: sorted(where)[:3]
        for module, where in imported_modules(root).items()
        if not {normalised(d) for d in distributions.get(module, [])} & declared
    }
    assert undeclared == {}, "add these to [project].dependencies in pyproject.toml"


def test_the_check_sees_an_import_and_a_missing_declaration(tmp_path):
    for app in APPS:
        (tmp_path / app).mkdir()
    (tmp_path / "core" / "x.py").write_text("import os\nfrom jinja2 import Environment\n")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndependencies = ["Django>=5.2,<5.3", "PyJWT[crypto]>=2.8"]\n'
    )
    assert imported_modules(tmp_path) == {"jinja2": {"core/x.py"}}
    assert declared_dependencies(tmp_path) == {"django", "pyjwt"}
