"""The stand-in is an app of its own that production leaves out (issue 22, decision 3): with
the production settings it is not installed, no product module imports it, the database
migrates without it, and its address is no page of the portal."""

from tests.portal.test_production import manage, production_env

CHECK = """
import importlib, pkgutil, sys
from django.apps import apps
from django.urls import Resolver404, resolve

assert not apps.is_installed("panopto_link.simulator")

def walk(name):
    # Every module of the package except the stand-in's, without importing the stand-in to
    # look inside it (as pkgutil.walk_packages would).
    package = importlib.import_module(name)
    for module in pkgutil.iter_modules(package.__path__, name + "."):
        if module.name.endswith((".simulator", ".migrations", ".settings", ".gunicorn.conf")):
            continue
        if module.ispkg:
            walk(module.name)
        else:
            importlib.import_module(module.name)


for package in ("core", "portal", "virtualspaces", "panopto_link"):
    walk(package)
loaded = sorted(name for name in sys.modules if name.startswith("panopto_link.simulator"))
assert not loaded, loaded
try:
    resolve("/panopto-sim/")
except Resolver404:
    print("left out")
"""


def test_production_runs_without_the_stand_in(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path}/portal.sqlite3")
    migrated = manage("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "panopto_simulator" not in migrated.stdout
    checked = manage("shell", "--no-imports", "-c", CHECK, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == "left out"
