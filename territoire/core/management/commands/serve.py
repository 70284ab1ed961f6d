"""``territoire serve``: collect static files, apply migrations, serve with gunicorn.

Listens on 127.0.0.1:$PORT (8000 by default); HOST and WEB_CONCURRENCY override.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the platform with gunicorn (static files by WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3"))
        )
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        if not opts["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        bind = f"{opts['host']}:{opts['port']}"
        self.stdout.write(f"Territoire: http://{bind}/  (Ctrl+C to stop)")
        sys.stdout.flush()
        os.execv(  # noqa: S606 - replace this process by the server, arguments are ours
            gunicorn,
            [
                gunicorn,
                "territoire.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(opts["workers"]),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--timeout",
                "120",
            ],
        )
