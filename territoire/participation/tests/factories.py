"""Test helpers for participation (test code only)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from territoire.core.models import LocalAuthority
from territoire.core.tests.factories import DistrictFactory
from territoire.participation.models import Budget, Phase, Process, Project


def make_process(tenant: LocalAuthority, phase: str = Phase.VOTE, **fields: Any) -> Process:
    """A process in ``phase`` (set by hand, no dates), with a district and two envelopes."""
    defaults: dict[str, Any] = {"title": "BP test", "slug": "bp-test", "phase": phase}
    defaults.update(fields)
    return Process.objects.create(tenant=tenant, **defaults)


def make_budgets(process: Process) -> tuple[Budget, Budget, Any]:
    district = DistrictFactory(tenant=process.tenant, name="Nord", slug="nord", population=1000)
    town = Budget.objects.create(tenant=process.tenant, process=process, amount=Decimal(100))
    local = Budget.objects.create(
        tenant=process.tenant, process=process, district=district, amount=Decimal(60)
    )
    return town, local, district


def make_project(budget: Budget, title: str, cost: int, **fields: Any) -> Project:
    return Project.objects.create(
        tenant=budget.tenant,
        process=budget.process,
        budget=budget,
        title=title,
        description=f"Description de {title}",
        cost=Decimal(cost),
        **fields,
    )


def close_vote(process: Process) -> None:
    process.vote_end = timezone.now() - timedelta(minutes=1)
    process.save(update_fields=["vote_end"])
