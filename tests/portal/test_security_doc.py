"""docs/security.md names the test behind every line of its checklist: each of them exists."""

import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

DOC = Path(settings.BASE_DIR) / "docs" / "security.md"
NODE_ID = re.compile(r"`(tests/[\w/]+\.py::[\w\[\]-]+)`")


def test_every_test_named_in_the_security_checklist_exists():
    node_ids = sorted(set(NODE_ID.findall(DOC.read_text(encoding="utf-8"))))
    assert len(node_ids) > 40
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            *node_ids,
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    collected = {line for line in result.stdout.splitlines() if "::" in line}
    missing = [node for node in node_ids if not any(line.startswith(node) for line in collected)]
    assert not missing, missing
