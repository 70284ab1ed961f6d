"""API authentication: a tenant-bound, scoped key as ``Authorization: Bearer`` or ``api_key``."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyQuery, HttpBearer

from territoire.core.models import ApiKey, LocalAuthority
from territoire.core.services import apikey_authenticate


class BearerKey(HttpBearer):
    openapi_description = "Clé d'API : `Authorization: Bearer trt_…`"

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return _accept(request, token)


class QueryKey(APIKeyQuery):
    param_name = "api_key"
    openapi_description = "Clé d'API en paramètre `api_key=trt_…`"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return _accept(request, key or "")


def _accept(request: HttpRequest, raw: str) -> ApiKey | None:
    key = apikey_authenticate(raw)
    if key is not None:
        request.api_key = key  # type: ignore[attr-defined]
        request.tenant = key.tenant  # type: ignore[attr-defined]
    return key


api_key_auth = [BearerKey(), QueryKey()]


def require_scope(request: HttpRequest, scope: str) -> LocalAuthority:
    """The key's tenant, after checking that the key holds ``scope`` (403 otherwise)."""
    key: ApiKey | None = getattr(request, "api_key", None)
    if key is None:
        raise HttpError(401, _("Clé d'API manquante ou invalide."))
    if not key.has_scope(scope):
        raise HttpError(403, _("Cette clé n'a pas le droit « %(scope)s ».") % {"scope": scope})
    return key.tenant


def optional_key(request: HttpRequest) -> ApiKey | None:
    """The API key of a public endpoint's request, if a valid one was sent."""
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
    raw = raw or request.GET.get("api_key", "")
    if not raw:
        return None
    key = _accept(request, raw)
    if key is None:
        raise HttpError(401, _("Clé d'API invalide ou révoquée."))
    return key


def tenant_param(request: HttpRequest, slug: str | None) -> LocalAuthority:
    """The tenant of a public endpoint: from the key if one is sent, else ``tenant=``."""
    from territoire.core.selectors import tenant_by_slug

    key = optional_key(request)
    if key is not None:
        if slug and slug != key.tenant.slug:
            raise HttpError(403, _("Cette clé appartient à une autre collectivité."))
        return key.tenant
    if not slug:
        raise HttpError(400, _("Précisez la collectivité avec le paramètre « tenant »."))
    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise HttpError(404, _("Collectivité inconnue : %(slug)s") % {"slug": slug})
    return tenant
