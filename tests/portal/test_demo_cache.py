"""The demo's server and the commands run beside it share one cache (README step 8:
`panopto_confirm` keeps the newest recordings the server's pages read): the demo's settings keep
it in files, not in one process's memory."""

import json
import os
import subprocess
import sys

from django.conf import settings


def shell(code: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    environment |= {"DJANGO_SETTINGS_MODULE": "portal.settings.dev", **env}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_the_demo_keeps_its_cache_in_files_by_default():
    backend = json.loads(
        shell("from django.conf import settings; import json; print(json.dumps(settings.CACHES))")
    )["default"]
    assert backend["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert backend["LOCATION"] == str(settings.BASE_DIR / ".demo-cache")


def test_what_one_command_caches_another_process_reads(tmp_path):
    url = f"file://{tmp_path / 'cache'}"
    shell("from django.core.cache import cache; cache.set('step-8', [1, 2, 3], 60)", CACHE_URL=url)
    read = shell("from django.core.cache import cache; print(cache.get('step-8'))", CACHE_URL=url)
    assert read == "[1, 2, 3]"
