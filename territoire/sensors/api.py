"""Sensors API: bulk ingestion (a contract), public series, and NGSI-LD entities.

``POST /api/v1/sensors/readings`` takes NDJSON (``application/x-ndjson``) or a JSON
array, one reading per item::

    {"sensor": REF, "time": ISO8601, "quantity": CODE, "value": NUMBER}
    {"sensor": REF, "time": ISO8601, "values": {CODE: NUMBER, ...}}

and answers with the counts of accepted, duplicate and rejected readings and, for each
rejected one, the item's index (0-based, the line number minus one in NDJSON), the
quantity and the reason (a stable code and a message in the client's language).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from territoire.core.api.auth import api_key_auth, optional_key, require_scope, tenant_param
from territoire.core.api.pagination import PagePagination
from territoire.sensors import ngsi, selectors
from territoire.sensors.catalog import KINDS, QUANTITIES
from territoire.sensors.ingestion import ingest_items

router = Router(tags=["capteurs"])

_INVALID = object()  # an NDJSON line that is not JSON


class RejectedOut(Schema):
    index: int
    quantity: str
    reason: str
    message: str


class IngestOut(Schema):
    items: int
    accepted: int
    duplicates: int
    rejected: int
    errors: list[RejectedOut]


_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["sensor", "time"],
                        "properties": {
                            "sensor": {"type": "string"},
                            "time": {"type": "string", "format": "date-time"},
                            "quantity": {"type": "string", "enum": sorted(QUANTITIES)},
                            "value": {"type": "number"},
                            "values": {
                                "type": "object",
                                "additionalProperties": {"type": "number"},
                            },
                        },
                    },
                }
            },
        },
    }
}


def _parse_body(request: HttpRequest) -> list[Any]:
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    limit = settings.SENSORS_MAX_BODY_BYTES
    if length > limit:
        raise HttpError(413, _("Requête trop volumineuse (%(n)s octets au plus).") % {"n": limit})
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise HttpError(413, _("Requête trop volumineuse.")) from exc
    if len(body) > limit:
        raise HttpError(413, _("Requête trop volumineuse (%(n)s octets au plus).") % {"n": limit})
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(400, _("Le corps de la requête n'est pas en UTF-8.")) from exc
    content_type = request.content_type or ""
    if content_type in ("application/x-ndjson", "application/ndjson", "application/jsonl"):
        # orjson is strict JSON: NaN and Infinity are refused like any malformed line.
        items: list[Any] = []
        loads = orjson.loads
        for line in text.splitlines():
            if not line or line.isspace():
                continue
            try:
                items.append(loads(line))
            except orjson.JSONDecodeError:
                items.append(_INVALID)
        return items
    if content_type == "application/json":
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise HttpError(400, _("JSON illisible : %(e)s") % {"e": exc}) from exc
        if isinstance(data, dict):
            return [data]
        if not isinstance(data, list):
            raise HttpError(400, _("Un tableau JSON de mesures est attendu."))
        return data
    raise HttpError(415, _("Types acceptés : application/x-ndjson ou application/json (tableau)."))


@router.post(
    "/sensors/readings",
    auth=api_key_auth,
    response=IngestOut,
    summary="Envoyer des mesures (NDJSON ou tableau JSON)",
    openapi_extra=_BODY_DOC,
)
def post_readings(request: HttpRequest) -> Any:
    tenant = require_scope(request, "sensors:write")
    items = _parse_body(request)
    if len(items) > settings.SENSORS_MAX_BATCH_ITEMS:
        raise HttpError(
            413,
            _("Trop de mesures dans une requête (%(n)s au plus).")
            % {"n": settings.SENSORS_MAX_BATCH_ITEMS},
        )
    invalid = {i for i, item in enumerate(items) if item is _INVALID}
    # All or nothing: ingest_items stores the batch in one transaction.
    result = ingest_items(
        tenant=tenant, items=[None if i in invalid else x for i, x in enumerate(items)]
    )
    errors = [
        {
            "index": e.index,
            "quantity": e.quantity,
            "reason": "invalid_json" if e.index in invalid else e.reason,
            "message": _("Ligne JSON illisible.") if e.index in invalid else e.message,
        }
        for e in result.errors
    ]
    return {
        "items": result.items,
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
        "errors": errors,
    }


# --- Public reads ---------------------------------------------------------------------


class LatestOut(Schema):
    quantity: str
    unit: str
    time: datetime
    value: float


class SensorOut(Schema):
    ref: str
    name: str
    kind: str
    quantities: list[str]
    lon: float | None
    lat: float | None
    district: str | None
    operator: str
    expected_interval: int = Field(description="minutes")
    latest: list[LatestOut]

    @staticmethod
    def resolve_district(obj: Any) -> str | None:
        return obj.district.slug if obj.district_id else None

    @staticmethod
    def resolve_latest(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "quantity": lv.quantity,
                "unit": str(QUANTITIES[lv.quantity].unit),
                "time": lv.time,
                "value": lv.value,
            }
            for lv in obj.latest_values.all()
            if lv.quantity in QUANTITIES
        ]


def _sees_all(request: HttpRequest) -> bool:
    key = getattr(request, "api_key", None) or optional_key(request)
    return key is not None and key.has_scope("read")


@router.get("/sensors", response=list[SensorOut], summary="Capteurs et dernières valeurs")
@paginate(PagePagination)
def list_sensors(request: HttpRequest, tenant: str | None = None, kind: str | None = None) -> Any:
    local = tenant_param(request, tenant)
    qs = selectors.sensors(local, public_only=not _sees_all(request))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("ref")


class PointOut(Schema):
    time: datetime
    mean: float
    minimum: float
    maximum: float
    count: int


class SeriesFilter(Schema):
    tenant: str | None = None
    quantity: str
    start: datetime | None = None
    end: datetime | None = None
    resolution: str | None = Field(None, pattern="^(raw|h|d)$")


@router.get(
    "/sensors/{ref}/series", response=list[PointOut], summary="Série temporelle d'une grandeur"
)
def sensor_series(request: HttpRequest, ref: str, filters: Query[SeriesFilter]) -> Any:
    local = tenant_param(request, filters.tenant)
    sensor = selectors.sensor_by_ref(local, ref, public_only=not _sees_all(request))
    if sensor is None:
        raise HttpError(404, _("Capteur inconnu."))
    if filters.quantity not in sensor.quantities:
        raise HttpError(400, _("Ce capteur ne mesure pas « %(q)s ».") % {"q": filters.quantity})
    end = filters.end or timezone.now()
    start = filters.start or end - timedelta(days=7)
    if start.tzinfo is None or end.tzinfo is None:
        raise HttpError(400, _("Précisez le fuseau horaire des dates (par exemple « Z »)."))
    if start >= end or end - start > timedelta(days=800):
        raise HttpError(400, _("Période invalide (800 jours au plus)."))
    points = selectors.series(local, sensor, filters.quantity, start, end, filters.resolution)
    if len(points) > 20_000:
        raise HttpError(400, _("Trop de points : choisissez une résolution plus grossière."))
    return points


# --- NGSI-LD --------------------------------------------------------------------------


def _ngsi_response(request: HttpRequest, data: Any) -> HttpResponse:
    wants_ld = "application/ld+json" in request.headers.get("Accept", "")
    if wants_ld:
        items = data if isinstance(data, list) else [data]
        for item in items:
            item["@context"] = ngsi.CONTEXT
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False),
        content_type="application/ld+json" if wants_ld else "application/json",
    )
    if not wants_ld:
        response["Link"] = (
            f'<{ngsi.SDM_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context";'
            ' type="application/ld+json"'
        )
    return response


def _simplified(options: str | None, format: str | None) -> bool:
    return "keyValues" in (options or "").split(",") or format == "simplified"


@router.get(
    "/ngsi-ld/v1/entities",
    summary="Entités NGSI-LD (Smart Data Models) : dernier état des capteurs",
    tags=["NGSI-LD"],
)
def ngsi_entities(
    request: HttpRequest,
    type: str | None = None,
    tenant: str | None = None,
    options: str | None = None,
    format: str | None = None,
    limit: int = Query(20, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> HttpResponse:
    local = tenant_param(request, tenant)
    if type is not None and type not in ngsi.TYPES:
        raise HttpError(
            400, _("Type inconnu. Types disponibles : %(t)s") % {"t": ", ".join(ngsi.TYPES)}
        )
    kinds = [
        k.code for k in KINDS.values() if k.ngsi_type and (type is None or k.ngsi_type == type)
    ]
    qs = (
        selectors.sensors(local, public_only=not _sees_all(request))
        .filter(kind__in=kinds, lon__isnull=False, lat__isnull=False, is_active=True)
        .select_related("tenant")
        .order_by("ref")
    )
    simple = _simplified(options, format)
    data = [ngsi.entity(s, simplified=simple) for s in qs[offset : offset + limit]]
    return _ngsi_response(request, data)


@router.get("/ngsi-ld/v1/entities/{entity_id}", summary="Une entité NGSI-LD", tags=["NGSI-LD"])
def ngsi_entity(
    request: HttpRequest, entity_id: str, options: str | None = None, format: str | None = None
) -> HttpResponse:
    parsed = ngsi.parse_entity_id(entity_id)
    if parsed is None:
        raise HttpError(404, _("Entité introuvable."))
    ngsi_type, slug, ref = parsed
    local = tenant_param(request, slug)
    sensor = (
        selectors.sensors(local, public_only=not _sees_all(request))
        .filter(ref=ref, is_active=True)
        .select_related("tenant")
        .first()
    )
    if sensor is None or not ngsi.exportable(sensor) or KINDS[sensor.kind].ngsi_type != ngsi_type:
        raise HttpError(404, _("Entité introuvable."))
    return _ngsi_response(request, ngsi.entity(sensor, simplified=_simplified(options, format)))
