"""The platform API at /api/v1/: core endpoints plus each module's router.

Errors are JSON objects with a ``message`` in the client's language (Accept-Language,
French by default) and, for invalid input, the list of ``errors``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.pagination import paginate

from territoire.core import modules, selectors
from territoire.core.api.auth import api_key_auth, tenant_param
from territoire.core.api.pagination import PagePagination
from territoire.core.api.throttling import KeyOrIpThrottle

api = NinjaAPI(
    title="Territoire API",
    version="1",
    description=(
        "API ouverte de la plateforme Territoire. Les données publiques se lisent sans clé "
        "(paramètre `tenant`); les écritures et données non publiques demandent une clé "
        "d'API, en `Authorization: Bearer` ou en paramètre `api_key`."
    ),
    urls_namespace="api",
    throttle=[KeyOrIpThrottle()],
)


def _json_error(request: HttpRequest, message: str, status: int, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"message": message, **extra}, status=status)


@api.exception_handler(ValidationError)
def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return _json_error(request, _("Données invalides."), 422, errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _json_error(request, _("Clé d'API manquante, invalide ou révoquée."), 401)


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = _json_error(request, _("Trop de requêtes : réessayez dans un instant."), 429)
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _json_error(request, str(exc), exc.status_code)


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _json_error(request, _("Ressource introuvable."), 404)


class TenantOut(Schema):
    slug: str
    name: str
    kind: str
    insee_code: str
    siren: str
    parent: str | None
    population: int | None

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.slug if obj.parent_id else None


class DistrictOut(Schema):
    slug: str
    name: str
    population: int | None
    geometry: dict[str, Any]


class KeyOut(Schema):
    name: str
    tenant: str
    scopes: list[str]


core_router = Router(tags=["socle"])


@core_router.get("/tenants", response=list[TenantOut], summary="Collectivités de l'instance")
@paginate(PagePagination)
def list_tenants(request: HttpRequest) -> Any:
    return selectors.tenants_public().select_related("parent")


@core_router.get("/districts", response=list[DistrictOut], summary="Quartiers d'une collectivité")
@paginate(PagePagination)
def list_districts(request: HttpRequest, tenant: str | None = None) -> Any:
    return selectors.districts(tenant_param(request, tenant))


@core_router.get("/me", response=KeyOut, auth=api_key_auth, summary="La clé utilisée")
def whoami(request: HttpRequest) -> Any:
    key = request.auth  # type: ignore[attr-defined]
    return {"name": key.name, "tenant": key.tenant.slug, "scopes": key.scopes}


api.add_router("/", core_router)


def mount_module_routers() -> None:
    for module in modules.modules():
        if module.api_router:
            api.add_router(module.api_prefix or "/", import_string(module.api_router))


mount_module_routers()
