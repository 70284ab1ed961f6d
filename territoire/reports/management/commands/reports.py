"""``territoire reports purge [--days 7]``: delete anonymous reports never confirmed.

The confirmation e-mail promises it: a report whose link was not opened within
``--days`` days is deleted with its photos (nothing of it was ever published).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from territoire.reports.services import purge_unconfirmed


class Command(BaseCommand):
    help = "Maintenance of reports (signalements)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge", help="delete unconfirmed anonymous reports")
        purge.add_argument("--days", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        count = purge_unconfirmed(days=options["days"])
        self.stdout.write(f"{count} signalement(s) non confirmé(s) supprimé(s).")
