"""Participation API: processes, projects, published results, and the .pb export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from territoire.core.api.auth import api_key_auth, require_scope, tenant_param
from territoire.core.api.pagination import PagePagination
from territoire.participation import pb, selectors
from territoire.participation.models import Process

router = Router(tags=["participation"])


class ProcessOut(Schema):
    slug: str
    title: str
    phase: str
    vote_start: datetime | None
    vote_end: datetime | None
    rule: str
    ballot_kind: str

    @staticmethod
    def resolve_phase(obj: Process) -> str:
        return obj.current_phase()


class ProjectOut(Schema):
    id: int
    title: str
    description: str
    cost: float
    budget: str
    category: str
    status: str
    progress: int
    lon: float | None
    lat: float | None

    @staticmethod
    def resolve_budget(obj: Any) -> str:
        return str(obj.budget)


class ResultProjectOut(Schema):
    id: str
    title: str
    votes: int
    cost: float
    selected: bool
    reason: str
    in_greedy: bool
    explanation: str


class ResultOut(Schema):
    budget: str
    rule: str
    ballots: int
    budget_amount: float
    selected_cost: float
    projects: list[ResultProjectOut]


def _process(request: HttpRequest, tenant: str | None, slug: str) -> Process:
    t = tenant_param(request, tenant)
    process = selectors.processes_public(t).filter(slug=slug).first()
    if process is None:
        raise HttpError(404, _("Budget participatif introuvable."))
    return process


@router.get("/processes", response=list[ProcessOut], summary="Budgets participatifs publiés")
@paginate(PagePagination)
def list_processes(request: HttpRequest, tenant: str | None = None) -> Any:
    return selectors.processes_public(tenant_param(request, tenant))


@router.get(
    "/processes/{slug}/projects", response=list[ProjectOut], summary="Projets soumis au vote"
)
@paginate(PagePagination)
def list_projects(request: HttpRequest, slug: str, tenant: str | None = None) -> Any:
    return selectors.ballot_projects(_process(request, tenant, slug))


@router.get(
    "/processes/{slug}/results", response=list[ResultOut], summary="Résultats publiés, expliqués"
)
def results(request: HttpRequest, slug: str, tenant: str | None = None) -> Any:
    from territoire.participation.explain import explain_row

    process = _process(request, tenant, slug)
    out = []
    for section in selectors.published_results(process):
        run = section["run"]
        out.append(
            {
                "budget": str(section["budget"]),
                "rule": run.rule,
                "ballots": run.ballots,
                "budget_amount": run.outcome["budget"],
                "selected_cost": run.outcome["cost"],
                "projects": [
                    {**row, "explanation": explain_row(row, run)} for row in section["rows"]
                ],
            }
        )
    return out


@router.get(
    "/processes/{slug}/budgets/{budget_id}/pabulib",
    auth=api_key_auth,
    summary="Export des votes d'une enveloppe au format Pabulib (.pb), anonymisé",
)
def export_pb(request: HttpRequest, slug: str, budget_id: int) -> HttpResponse:
    tenant = require_scope(request, "participation:read")
    process = selectors.processes_public(tenant).filter(slug=slug).first()
    budget = process.budgets.filter(pk=budget_id).first() if process else None
    if budget is None:
        raise HttpError(404, _("Enveloppe introuvable."))
    response = HttpResponse(pb.export_budget(budget), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{process.slug}-{budget_id}.pb"'  # type: ignore[union-attr]
    return response
