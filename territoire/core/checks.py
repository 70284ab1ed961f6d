"""System checks of our own, run by ``territoire check`` (and ``check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_services(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            Error(
                "Production runs on PostgreSQL: set DATABASE_URL=postgres://…",
                id="territoire.E001",
            )
        )
    if not settings.REDIS_URL:
        errors.append(
            Error(
                "Production needs Redis for background work, lockouts and rate limits: "
                "set REDIS_URL=redis://…",
                id="territoire.E002",
            )
        )
    return errors
