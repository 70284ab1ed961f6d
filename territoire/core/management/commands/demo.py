"""``territoire demo [--reset]``: build the demo territory and print its log-ins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from territoire.core import modules
from territoire.core.demo import DemoContext, new_context, seed_core
from territoire.core.models import LocalAuthority


class Command(BaseCommand):
    help = "Create the demo territory (Rives & Vallons) with a year of activity."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="start from an empty database (erases data)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["reset"]:
            self._reset()
        call_command("migrate", interactive=False, verbosity=0)
        if LocalAuthority.objects.exists():
            raise CommandError(
                "The database already holds collectivités: run `territoire demo --reset` "
                "to rebuild the demo from scratch."
            )
        ctx = new_context(opts["seed"])
        with transaction.atomic():
            seed_core(ctx)
        for seeder in modules.demo_seeders():
            self.stderr.write(f"  seeding {seeder.__module__}…")
            with transaction.atomic():
                seeder(ctx)
        self._print(ctx)

    def _reset(self) -> None:
        db = settings.DATABASES["default"]
        connection.close()
        if db["ENGINE"].endswith("sqlite3"):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
        elif db["ENGINE"].endswith("postgresql"):
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            raise CommandError("--reset supports SQLite and PostgreSQL only.")

    def _print(self, ctx: DemoContext) -> None:
        out = self.stdout.write
        out("")
        out("Territoire — démo « Communauté de communes Rives & Vallons »")
        out("=" * 72)
        current = None
        for login in ctx.logins:
            if login.tenant != current:
                current = login.tenant
                out(f"\n{ctx.tenants[current].name}  (/{current}/)")
            line = f"  {login.role:<9} {login.email:<34} mot de passe : {login.password}"
            if login.totp_secret:
                line += f"\n            TOTP (application d'authentification) : {login.totp_secret}"
            out(line)
        out("\nLe personnel se connecte avec un second facteur : ajoutez le secret TOTP")
        out("dans une application (ou `oathtool --totp -b SECRET`).")
        for note in ctx.notes:
            out(note)
        out("")
