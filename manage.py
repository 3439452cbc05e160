#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    # The statement timeout is the app servers' (a page must not outlast gunicorn's worker
    # timeout); commands — migrate, imports, the nightly pruning — may take longer unless their
    # environment says otherwise (docs/operations.md, A database that hangs).
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "off")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
