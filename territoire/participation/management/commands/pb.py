"""``territoire pb compute FILE.pb --rule {greedy,equal-shares} [--completion ...]``.

Prints one JSON object on stdout: ``{"selected": [...], "cost": ..., "budget": ...}``
with project ids as in the file (in the file's order). A malformed file is refused with
a message naming the line, on stderr, and exit status 1.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from territoire.participation.rules import PbError, equal_shares, greedy, parse


def _number(value: Fraction) -> int | float:
    return value.numerator if value.denominator == 1 else float(value)


class Command(BaseCommand):
    help = "Compute the winners of a Pabulib (.pb) file with a voting rule."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser("compute", help="compute the winners of a .pb file")
        compute.add_argument("file", help="path of the .pb file")
        compute.add_argument("--rule", choices=["greedy", "equal-shares"], required=True)
        compute.add_argument("--completion", choices=["none", "add1", "add1-greedy"])
        compute.add_argument(
            "--utility",
            choices=["cost", "cardinality"],
            default="cost",
            help="Equal Shares: a voter's utility for a project (default: its cost)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (UnicodeDecodeError, IsADirectoryError) as exc:
            raise CommandError(
                f"{path}: not a UTF-8 text file ({exc.__class__.__name__})"
            ) from None
        try:
            data = parse(text)
            election = data.election()
        except PbError as exc:
            raise CommandError(f"{path}: {exc}") from None
        if opts["rule"] == "greedy":
            if opts["completion"] not in (None, "none"):
                raise CommandError("--completion applies to equal-shares only")
            outcome = greedy(election)
        else:
            outcome = equal_shares(
                election, utility=opts["utility"], completion=opts["completion"] or "add1-greedy"
            )
        result = {
            "selected": outcome.ordered(data.project_ids()),
            "cost": _number(outcome.cost),
            "budget": _number(outcome.budget),
        }
        self.stdout.write(json.dumps(result))
