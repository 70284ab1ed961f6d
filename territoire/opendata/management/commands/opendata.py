"""``territoire opendata refresh [--tenant SLUG] [--source CODE]``: republish platform data.

Loads that stopped progressing (killed process) are first marked failed. Each platform
source (reports, participation, procedures, twins, sensors…) is extracted
again and published through the privacy gate; run it from cron (daily) or let
``DatasetSourceChanged`` events trigger single sources.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from territoire.core.datasources import sources
from territoire.core.models import LocalAuthority
from territoire.opendata.services import source_publish, versions_fail_stale


class Command(BaseCommand):
    help = "Open data portal maintenance."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="republish platform sources through the gate")
        refresh.add_argument("--tenant", default="")
        refresh.add_argument("--source", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = LocalAuthority.objects.filter(is_active=True)
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"Collectivité inconnue : {options['tenant']}")
        codes = [s.code for s in sources()]
        if options["source"]:
            if options["source"] not in codes:
                raise CommandError(f"Source inconnue : {options['source']}")
            codes = [options["source"]]
        # A load whose process was killed would otherwise stay "loading" for ever.
        for version in versions_fail_stale(tenant=tenants.first() if options["tenant"] else None):
            self.stdout.write(
                f"{version.tenant.slug} {version}: chargement interrompu, marqué en échec"
            )
        failed = 0
        for tenant in tenants:
            for code in codes:
                version = source_publish(tenant=tenant, code=code)
                if version.status != "ready":
                    failed += 1
                line = f"{tenant.slug} {code}: {version.status} ({version.row_count} lignes)"
                for problem in version.gate_report.get("problems", []):
                    line += f"\n  - {problem['message']}"
                self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} source(s) non publiée(s).")
