"""Procedures API: the public catalogue and statistics; with a key, the tenant's dossiers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import django_auth

from territoire.core.api.auth import api_key_auth, require_scope, tenant_param
from territoire.core.api.pagination import PagePagination
from territoire.procedures import selectors
from territoire.procedures.models import Dossier, Procedure

router = Router(tags=["procedures"])


class ProcedureOut(Schema):
    slug: str
    title: str
    theme: str
    description: str
    requirements: str
    delay: str
    cost: str
    status: str
    service: str
    silence_days: int | None
    version: int | None

    @staticmethod
    def resolve_service(obj: Procedure) -> str:
        return obj.service.name

    @staticmethod
    def resolve_version(obj: Procedure) -> int | None:
        version = obj.current_version()
        return version.number if version else None


class WeekOut(Schema):
    week: date
    count: int


class StatsOut(Schema):
    procedure: str
    decided_12_months: int
    accepted_share: float | None
    refused_share: float | None
    closed_share: float | None
    decided_last_30_days: int
    p50_days: float | None
    p90_days: float | None
    abandonment_rate: float | None
    weeks: list[WeekOut]


class DossierOut(Schema):
    reference: str
    procedure: str
    version: int
    state: str
    submitted_at: datetime | None
    decided_at: datetime | None

    @staticmethod
    def resolve_procedure(obj: Dossier) -> str:
        return obj.procedure.slug

    @staticmethod
    def resolve_version(obj: Dossier) -> int:
        return obj.version.number


def _procedure(request: HttpRequest, tenant: str | None, slug: str) -> Procedure:
    procedure = selectors.catalogue(tenant_param(request, tenant)).filter(slug=slug).first()
    if procedure is None:
        raise HttpError(404, _("Démarche introuvable."))
    return procedure


@router.get("/procedures", response=list[ProcedureOut], summary="Catalogue des démarches en ligne")
@paginate(PagePagination)
def list_procedures(
    request: HttpRequest, tenant: str | None = None, theme: str = "", q: str = ""
) -> Any:
    return selectors.catalogue(tenant_param(request, tenant), q=q[:100], theme=theme)


@router.get("/procedures/{slug}", response=ProcedureOut, summary="Une démarche")
def get_procedure(request: HttpRequest, slug: str, tenant: str | None = None) -> Any:
    return _procedure(request, tenant, slug)


@router.get(
    "/procedures/{slug}/stats",
    response=StatsOut,
    summary="Délais de traitement et décisions d'une démarche (agrégés, sans donnée personnelle)",
)
def procedure_stats(request: HttpRequest, slug: str, tenant: str | None = None) -> Any:
    procedure = _procedure(request, tenant, slug)
    stats = selectors.procedure_stats(procedure)
    return {
        "procedure": procedure.slug,
        "decided_12_months": stats.decided,
        "accepted_share": stats.accepted_share,
        "refused_share": stats.refused_share,
        "closed_share": stats.closed_share,
        "decided_last_30_days": stats.decided_30d,
        "p50_days": stats.p50_days,
        "p90_days": stats.p90_days,
        "abandonment_rate": stats.abandonment_rate,
        "weeks": stats.weeks,
    }


@router.get(
    "/dossiers",
    response=list[DossierOut],
    auth=api_key_auth,
    summary="Dossiers déposés de la collectivité de la clé (scope procedures:read)",
)
@paginate(PagePagination)
def list_dossiers(request: HttpRequest, state: str = "", procedure: str = "") -> Any:
    tenant = require_scope(request, "procedures:read")
    qs = selectors.staff_dossiers(tenant).select_related("version").order_by("-submitted_at", "pk")
    if state:
        qs = qs.filter(state=state)
    if procedure:
        qs = qs.filter(procedure__slug=procedure)
    return qs


@router.get(
    "/my-dossiers",
    response=list[DossierOut],
    auth=django_auth,
    summary="Mes dossiers dans une collectivité (personne connectée, session du site)",
)
@paginate(PagePagination)
def my_dossiers(request: HttpRequest, tenant: str) -> Any:
    from territoire.core.selectors import tenant_by_slug

    t = tenant_by_slug(tenant)
    if t is None:
        raise HttpError(404, _("Collectivité inconnue : %(slug)s") % {"slug": tenant})
    # A resident only ever sees their own dossiers, drafts included.
    return selectors.resident_dossiers(t, request.user).select_related("version")  # type: ignore[arg-type]
