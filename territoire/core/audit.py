"""Writing to the audit log. Every service that changes data on behalf of staff calls it."""

from __future__ import annotations

from typing import Any

from django.db import models

from territoire.core import requestcontext
from territoire.core.models import AuditEntry, LocalAuthority


def audit_record(
    *,
    actor: Any,
    action: str,
    tenant: LocalAuthority | None,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry: who (``actor``), what (``action``), on what (``obj``), from where.

    The client IP comes from the current request when there is one (CLI and tasks leave
    it empty). ``details`` must hold no secret and as little personal data as possible.
    """
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        tenant=tenant,
        actor=actor if is_person else None,
        actor_label=(actor.email if is_person else str(actor or "système"))[:254],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=str(obj)[:254] if obj is not None else "",
        details=details or {},
        ip=requestcontext.client_ip.get(),
    )
