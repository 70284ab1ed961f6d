"""Silence vaut accord: accept the dossiers whose deadline passed without a decision."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from territoire.core.selectors import tenant_by_slug
from territoire.procedures.services import dossier_accept_overdue


class Command(BaseCommand):
    help = "Accepte les dossiers dont le délai de silence vaut accord est dépassé (chaque jour)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="identifiant d'une seule collectivité")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = None
        if options.get("tenant"):
            tenant = tenant_by_slug(options["tenant"])
            if tenant is None:
                self.stderr.write(f"Collectivité inconnue : {options['tenant']}")
                raise SystemExit(2)
        count = dossier_accept_overdue(tenant=tenant)
        self.stdout.write(f"{count} dossier(s) accepté(s) par silence vaut accord.")
