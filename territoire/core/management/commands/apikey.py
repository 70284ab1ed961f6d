"""``territoire apikey create NAME --tenant SLUG --scopes S1,S2`` / ``list`` / ``revoke``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from territoire.core import selectors, services
from territoire.core.models import ApiKey


class Command(BaseCommand):
    help = "Create, list and revoke API keys of a collectivité."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print it once")
        create.add_argument("name")
        create.add_argument("--tenant", required=True)
        create.add_argument("--scopes", required=True, help="comma-separated, e.g. sensors:write")
        lst = sub.add_parser("list", help="list the keys of a collectivité")
        lst.add_argument("--tenant", required=True)
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")
        revoke.add_argument("--tenant", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        tenant = selectors.tenant_by_slug(opts["tenant"])
        if tenant is None:
            raise CommandError(f"Unknown collectivité: {opts['tenant']}")
        actor = "cli"
        if opts["action"] == "create":
            try:
                new = services.apikey_create(
                    actor=actor, tenant=tenant, name=opts["name"], scopes=opts["scopes"].split(",")
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stderr.write(
                f"Key '{new.key.name}' for {tenant.slug}, scopes {','.join(new.key.scopes)}. "
                "It is shown only now: store it safely."
            )
            self.stdout.write(new.secret)
        elif opts["action"] == "list":
            for key in selectors.api_keys(tenant):
                state = f"revoked {key.revoked:%Y-%m-%d}" if key.revoked else "active"
                used = f"{key.last_used:%Y-%m-%d %H:%M}" if key.last_used else "never"
                self.stdout.write(
                    f"trt_{key.prefix}_…\t{key.name}\t{','.join(key.scopes)}\t{state}\tused {used}"
                )
        else:
            prefix = opts["prefix"].removeprefix("trt_").split("_")[0]
            found = ApiKey.objects.for_tenant(tenant).filter(prefix=prefix).first()
            if found is None:
                raise CommandError(f"No key with prefix {prefix} in {tenant.slug}.")
            services.apikey_revoke(actor=actor, key=found)
            self.stdout.write(f"Revoked trt_{prefix}_…")
