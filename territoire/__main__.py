"""The ``territoire`` command: the project's manage.py under a proper name."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoire.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([os.path.basename(sys.argv[0]) or "territoire", *sys.argv[1:]])


if __name__ == "__main__":
    main()
