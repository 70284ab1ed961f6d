"""Processes, their phases (a state machine) and their budgets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territoire.core.audit import audit_record
from territoire.core.models import District, LocalAuthority
from territoire.participation.models import Budget, Phase, Process
from territoire.participation.models.process import PHASE_TRANSITIONS


@transaction.atomic
def process_create(*, actor: Any, tenant: LocalAuthority, title: str, **fields: Any) -> Process:
    """Create a participatory process (in preparation until its first phase opens)."""
    process = Process(tenant=tenant, title=title.strip(), slug=slugify(title)[:80], **fields)
    process.full_clean()
    process.save()
    audit_record(actor=actor, action="participation.process_create", tenant=tenant, obj=process)
    return process


@transaction.atomic
def process_set_phase(*, actor: Any, process: Process, phase: str, reason: str = "") -> Process:
    """Move a process to ``phase`` by hand, if the transition table allows it."""
    process = Process.objects.select_for_update().get(pk=process.pk)
    current = process.current_phase()
    if phase not in PHASE_TRANSITIONS.get(current, set()):
        raise ValidationError(
            _("Passage impossible de la phase « %(a)s » à « %(b)s ».")
            % {
                "a": Phase(current).label,
                "b": Phase(phase).label if phase in Phase.values else phase,
            }
        )
    process.phase = phase
    process.save(update_fields=["phase"])
    audit_record(
        actor=actor,
        action="participation.process_phase",
        tenant=process.tenant,
        obj=process,
        details={"from": current, "to": phase, "reason": reason},
    )
    return process


@transaction.atomic
def budget_save(
    *, actor: Any, process: Process, amount: Decimal, district: District | None = None
) -> Budget:
    """Create or change the envelope of a quartier (or of the whole territory)."""
    if district is not None and district.tenant_id != process.tenant_id:
        raise ValidationError(_("Ce quartier appartient à une autre collectivité."))
    if amount <= 0:
        raise ValidationError(_("Le montant d'une enveloppe doit être positif."))
    budget, _created = Budget.objects.update_or_create(
        tenant=process.tenant, process=process, district=district, defaults={"amount": amount}
    )
    audit_record(
        actor=actor,
        action="participation.budget_save",
        tenant=process.tenant,
        obj=budget,
        details={"amount": str(amount)},
    )
    return budget
