"""A database is ready once migrated (issue 20 finding 7): `manage.py migrate` on an empty
database creates the first signing keys (the LTI platform's post_migrate receiver), so `/readyz`
answers 200 after `migrate` alone, as after `make demo`'s — no `lti_rotate_key`, no first
request. The PostgreSQL side: tests/faults/test_readiness.py."""

import json
import os
import subprocess
import sys

from django.conf import settings

READYZ = (
    "from django.test import Client; import json; "
    "response = Client().get('/readyz'); "
    "print(json.dumps([response.status_code, json.loads(response.content)]))"
)
KEYS = (
    "from panopto_link.lti_platform.models import PlatformKey; "
    "print(sorted(PlatformKey.objects.values_list('state', flat=True)))"
)


def manage(database, *args: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
        "CACHE_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def test_migrate_on_an_empty_database_leaves_it_ready_with_its_first_keys(tmp_path):
    database = tmp_path / "empty.sqlite3"
    manage(database, "migrate", "--noinput")
    assert json.loads(manage(database, "shell", "-c", READYZ)) == [200, {"status": "ready"}]
    assert manage(database, "shell", "-c", KEYS) == "['current', 'next']"
    # Migrating again, with nothing to apply, creates no other key.
    manage(database, "migrate", "--noinput")
    assert manage(database, "shell", "-c", KEYS) == "['current', 'next']"
    # A migration back to an earlier state leaves the keys alone.
    manage(database, "migrate", "--noinput", "panopto_link", "0010")
    manage(database, "migrate", "--noinput")
    assert manage(database, "shell", "-c", KEYS) == "['current', 'next']"
