"""``territoire restore FILE``: replace the database and files by a backup's content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from territoire.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `territoire backup` (this replaces current data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **opts: Any) -> None:
        archive: Path = opts["archive"]
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist.")
        if not opts["yes"] and opts.get("interactive", True):
            answer = input("This replaces all current data. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            manifest = restore_backup(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored backup of {manifest.get('created')} ({manifest['database']}).")
