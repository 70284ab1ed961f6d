"""Twin API: the published gains (open data) and, with a key, the water leaks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from territoire.core.api.auth import api_key_auth, require_scope, tenant_param
from territoire.core.api.pagination import PagePagination
from territoire.twin import selectors

router = Router(tags=["jumeaux"])


class GainOut(Schema):
    twin: str
    label: str
    quantity: float
    unit: str
    eur_per_year: float
    co2_kg_per_year: float
    measured: bool
    basis: str
    computed_at: datetime


class CandidateOut(Schema):
    node: str
    rank: int
    rmse_m: float
    lon: float
    lat: float


class LeakOut(Schema):
    id: int
    dma: str
    status: str
    first_night: date
    excess_m3h: float
    volume_m3_day: float
    cost_eur_day: float
    lon: float | None
    lat: float | None
    candidates: list[CandidateOut]

    @staticmethod
    def resolve_dma(obj: Any) -> str:
        return str(obj.dma.code)


@router.get("/gains", response=list[GainOut], summary="Gains annuels des jumeaux numériques")
@paginate(PagePagination)
def list_gains(request: HttpRequest, tenant: str | None = None) -> Any:
    return selectors.gains(tenant_param(request, tenant))


@router.get(
    "/fuites", response=list[LeakOut], auth=api_key_auth, summary="Fuites détectées (clé « read »)"
)
@paginate(PagePagination)
def list_leaks(request: HttpRequest, status: str | None = None) -> Any:
    tenant = require_scope(request, "read")
    leaks = selectors.leaks(tenant).order_by("-first_night", "-pk")
    if status:
        leaks = leaks.filter(status=status)
    return leaks
