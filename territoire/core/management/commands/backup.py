"""``territoire backup [--output FILE]``: database and uploaded files in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from territoire.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and uploaded files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        output = opts["output"] or Path(settings.VAR_DIR) / "backups" / f"territoire-{stamp}.tar.gz"
        try:
            path = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
