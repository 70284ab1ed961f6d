"""Open311 GeoReport v2 at ``/open311/v2/`` (http://wiki.open311.org/GeoReport_v2).

Every endpoint answers in XML or JSON by its ``.xml`` / ``.json`` suffix, in UTF-8, dates
in ISO 8601 with their offset. ``jurisdiction_id`` is the tenant's slug: required when
the instance hosts several collectivités, unless an ``api_key`` (bound to one tenant)
says which. Errors are the spec's list of ``{code, description}`` with HTTP 404
(unknown resource), 403 (missing, invalid or foreign ``api_key``), 400 (anything
else) and 429 when a key or an address sends too many requests.

No field of the reporter (e-mail, name, phone, account) is ever returned.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import connections
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from territoire.core.models import ApiKey, LocalAuthority
from territoire.core.requestcontext import client_ip
from territoire.core.services import apikey_authenticate
from territoire.reports import services
from territoire.reports.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Category,
    Report,
    ReportPhoto,
    Source,
)
from territoire.reports.open311_format import (
    ROW_COLUMNS,
    dumps_json,
    dumps_requests,
    rows_from_tuples,
    to_xml,
)

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+00:00"
DEFAULT_WINDOW_DAYS = 90
MAX_REQUESTS = 1000
SCOPES = ("open311", "reports:write")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
CACHE_SECONDS = 60


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = descriptions


# --- Rendering ----------------------------------------------------------------------


def render(fmt: str, data: Any, root: str, item: str | None, status: int = 200) -> HttpResponse:
    body = to_xml(root, item, data).encode() if fmt == "xml" else dumps_json(data)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt: str, exc: Open311Error) -> HttpResponse:
    data = [{"code": exc.status, "description": d} for d in exc.descriptions]
    response = render(fmt, data, "errors", "error", status=exc.status)
    if exc.status == 429:
        response["Retry-After"] = "60"
    return response


def iso(value: datetime | None, tz: Any = None) -> str | None:
    if value is None:
        return None
    return value.astimezone(tz or timezone.get_current_timezone()).isoformat(timespec="seconds")


# --- Tenant, key and rate limits -----------------------------------------------------


def _parse_rate(rate: str) -> tuple[int, int]:
    count, _slash, period = rate.partition("/")
    seconds = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400}
    return int(count), seconds.get(period, 60)


def rate_limit(ident: str, rate: str) -> None:
    """Count one hit for ``ident``; Open311Error(429) past ``rate`` (e.g. "30/min")."""
    limit, period = _parse_rate(rate)
    bucket = f"open311:rate:{ident}:{int(time.time() // period)}"
    cache.add(bucket, 0, period + 1)
    try:
        used = cache.incr(bucket)
    except ValueError:
        cache.set(bucket, 1, period + 1)
        used = 1
    if used > limit:
        raise Open311Error(429, _("Trop de requêtes : réessayez dans une minute."))


def throttle(request: HttpRequest, key: ApiKey | None, *, write: bool) -> None:
    """Per key when one is sent and always per client IP; writes have their own budget."""
    ip = client_ip.get() or request.META.get("REMOTE_ADDR", "") or "unknown"
    if write:
        rate_limit(f"post-ip-{ip}", getattr(settings, "OPEN311_POST_RATE_IP", "30/min"))
        if key is not None:
            rate_limit(f"post-key-{key.pk}", getattr(settings, "OPEN311_POST_RATE_KEY", "120/min"))
    else:
        if key is not None:
            rate_limit(f"get-key-{key.pk}", settings.API_RATE_KEY)
        else:
            rate_limit(f"get-ip-{ip}", getattr(settings, "OPEN311_GET_RATE_IP", "600/min"))


def resolve(
    request: HttpRequest, params: Any, *, key_required: bool
) -> tuple[LocalAuthority, ApiKey | None]:
    raw_key = (params.get("api_key") or "").strip()
    key = None
    if raw_key:
        key = apikey_authenticate(raw_key)
        if key is None:
            raise Open311Error(403, _("api_key invalide ou révoquée."))
        if key_required and not any(key.has_scope(s) for s in SCOPES):
            raise Open311Error(403, _("Cette api_key n'a pas le droit « open311 »."))
    elif key_required:
        raise Open311Error(403, _("api_key obligatoire pour déposer un signalement."))
    slug = (params.get("jurisdiction_id") or "").strip()
    if slug:
        tenant = LocalAuthority.objects.active().filter(slug=slug).first()
        if tenant is None:
            raise Open311Error(404, _("jurisdiction_id inconnu : %(s)s") % {"s": slug[:80]})
        if key is not None and key.tenant_id != tenant.pk:
            raise Open311Error(403, _("Cette api_key appartient à une autre collectivité."))
    elif key is not None:
        tenant = key.tenant
    else:
        tenants = list(LocalAuthority.objects.active()[:2])
        if len(tenants) != 1:
            raise Open311Error(
                400, _("jurisdiction_id obligatoire : cette instance sert plusieurs collectivités.")
            )
        tenant = tenants[0]
    throttle(request, key, write=key_required)
    return tenant, key


# --- Serialisation ------------------------------------------------------------------


def _base(request: HttpRequest | None) -> str:
    if request is None:
        return (getattr(settings, "TERRITOIRE_BASE_URL", "") or "").rstrip("/")
    return f"{request.scheme}://{request.get_host()}"


def photo_path(tenant_slug: str, photo_id: int) -> str:
    return reverse("reports:photo", kwargs={"tenant": tenant_slug, "pk": photo_id})


def request_dict(report: Report, request: HttpRequest | None = None) -> dict[str, Any]:
    """One report as an Open311 service request (no personal field)."""
    category = report.category
    photo = report.photos.order_by("pk").values_list("pk", flat=True).first()
    media = _base(request) + photo_path(report.tenant.slug, photo) if photo else report.media_url
    service = report.assigned_service or (category.service if category else None)
    agency = (category.operator_name if category else "") or (service.name if service else "")
    return _row(
        pk=report.pk,
        status=report.status,
        status_notes=report.status_notes,
        service_name=category.name if category else "",
        service_code=category.service_code if category else "",
        description=report.description,
        agency=agency,
        requested=report.requested_at,
        updated=report.updated_at,
        expected=report.expected_at,
        address=report.address,
        address_id=report.address_id,
        zipcode=report.zipcode,
        lat=report.lat,
        lon=report.lon,
        media_url=media,
    )


def _row(tz: Any = None, **v: Any) -> dict[str, Any]:
    tz = tz or timezone.get_current_timezone()
    return {
        "service_request_id": str(v["pk"]),
        "status": "closed" if v["status"] in CLOSED_STATUSES else "open",
        "status_notes": v["status_notes"],
        "service_name": v["service_name"],
        "service_code": v["service_code"],
        "description": v["description"],
        "agency_responsible": v["agency"],
        "service_notice": "",
        "requested_datetime": iso(v["requested"], tz),
        "updated_datetime": iso(v["updated"], tz),
        "expected_datetime": iso(v["expected"], tz),
        "address": v["address"],
        "address_id": v["address_id"],
        "zipcode": v["zipcode"],
        "lat": v["lat"],
        "long": v["lon"],
        "media_url": v["media_url"],
    }


def request_rows(tenant: LocalAuthority, queryset: Any, base: str) -> list[dict[str, Any]]:
    """Many reports as Open311 rows in one query (the hot path of GET requests).

    One SELECT joins the category, both teams and the first photo; its tuples are read
    from a plain cursor, because Django's per-value converters (datetimes above all)
    cost more than the query itself at 1,000 rows.
    """
    first_photo = ReportPhoto.objects.filter(report=OuterRef("pk")).order_by("pk").values("pk")[:1]
    annotations: dict[str, Any] = {"photo_id": Subquery(first_photo)}
    columns = list(ROW_COLUMNS)
    # Dates come as ISO text (SQLite stores them so; PostgreSQL writes them so in its
    # ISO DateStyle, the only one psycopg reads anyway), parsed in C by LocalIso: this
    # skips the per-value Python converter of the sqlite3 module or Django's psycopg
    # loader, 3,000 calls per answer.
    for name in ("requested_at", "updated_at", "expected_at"):
        annotations[f"{name}_text"] = Cast(name, CharField())
        columns[columns.index(name)] = f"{name}_text"
    values = queryset.annotate(**annotations).values_list(*columns)
    # Since Django 5.2 the SELECT follows the order of values_list(), annotations
    # included, so the raw tuples are in ``ROW_COLUMNS`` order (the tests hold to it).
    query = values.query
    try:
        sql, sql_params = query.get_compiler(using=values.db).as_sql()
    except EmptyResultSet:
        return []
    with connections[values.db].cursor() as cursor:
        cursor.execute(sql, sql_params)
        records = cursor.fetchall()
    prefix = (
        base + reverse("reports:photo", kwargs={"tenant": tenant.slug, "pk": 0})[: -len("0.jpg")]
    )
    return rows_from_tuples(records, prefix)


def service_dict(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.service_code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def definition_dict(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.service_code,
        "attributes": [
            {
                "variable": a.get("variable", True),
                "code": a["code"],
                "datatype": a.get("datatype", "string"),
                "required": a.get("required", False),
                "datatype_description": a.get("datatype_description", ""),
                "order": a.get("order", i),
                "description": a.get("description", ""),
                "values": [{"key": v["key"], "name": v["name"]} for v in a.get("values", [])],
            }
            for i, a in enumerate(category.attributes or [], start=1)
        ],
    }


# --- Views --------------------------------------------------------------------------


def _categories(tenant: LocalAuthority) -> Any:
    return Category.objects.for_tenant(tenant).filter(is_active=True).order_by("order", "name")


def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return error(fmt, Open311Error(400, _("Méthode non prise en charge.")))
    base = _base(request) + "/open311/v2/"
    contact = getattr(settings, "OPEN311_CONTACT", "") or _(
        "Écrivez à la collectivité concernée (adresse de contact sur son site)."
    )
    data = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": _(
            "Clés d'API délivrées par chaque collectivité (droit « open311 ») : "
            "commande « territoire apikey create » ou écran Gestion > Clés d'API."
        ),
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, data, "discovery", None)


def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        if request.method != "GET":
            raise Open311Error(400, _("Méthode non prise en charge."))
        tenant, _key = resolve(request, request.GET, key_required=False)
    except Open311Error as exc:
        return error(fmt, exc)
    data = [service_dict(c) for c in _categories(tenant)]
    return render(fmt, data, "services", "service")


def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    try:
        if request.method != "GET":
            raise Open311Error(400, _("Méthode non prise en charge."))
        tenant, _key = resolve(request, request.GET, key_required=False)
        category = _categories(tenant).filter(service_code=code).first()
        if category is None:
            raise Open311Error(404, _("service_code inconnu : %(c)s") % {"c": code[:60]})
    except Open311Error as exc:
        return error(fmt, exc)
    return render(fmt, definition_dict(category), "service_definition", None)


@csrf_exempt
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        if request.method == "POST":
            return _post_request(request, fmt)
        if request.method == "GET":
            return _get_requests(request, fmt)
        raise Open311Error(400, _("Méthode non prise en charge."))
    except Open311Error as exc:
        return error(fmt, exc)


def request_detail(request: HttpRequest, fmt: str, pk: str) -> HttpResponse:
    try:
        if request.method != "GET":
            raise Open311Error(400, _("Méthode non prise en charge."))
        tenant, _key = resolve(request, request.GET, key_required=False)
        qs = Report.objects.for_tenant(tenant).public().filter(pk=int(pk) if pk.isdigit() else 0)
        rows = request_rows(tenant, qs, _base(request))
        if not rows:
            raise Open311Error(404, _("Signalement inconnu : %(n)s") % {"n": pk[:20]})
    except Open311Error as exc:
        return error(fmt, exc)
    return render(fmt, rows, "service_requests", "request")


def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    try:
        if request.method != "GET":
            raise Open311Error(400, _("Méthode non prise en charge."))
        tenant, _key = resolve(request, request.GET, key_required=False)
        report = Report.objects.for_tenant(tenant).filter(token=token, internal=False).first()
        if report is None:
            raise Open311Error(404, _("Jeton inconnu."))
    except Open311Error as exc:
        return error(fmt, exc)
    data = [
        {
            "service_request_id": str(report.pk) if report.is_public else None,
            "token": report.token,
        }
    ]
    return render(fmt, data, "service_requests", "request")


def _int_param(params: Any, name: str, default: int, low: int, high: int) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Open311Error(
            400,
            _("%(p)s doit être un entier entre %(a)s et %(b)s.") % {"p": name, "a": low, "b": high},
        )
    return int(raw)


def _date_param(params: Any, name: str) -> datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    value = services.parse_iso_datetime(raw.replace(" ", "+"))
    if value is None:
        raise Open311Error(
            400, _("%(p)s doit être une date ISO 8601 (ex. 2026-05-01T00:00:00Z).") % {"p": name}
        )
    return value


def _get_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    tenant, _key = resolve(request, params, key_required=False)
    page = _int_param(params, "page", 1, 1, 1_000_000)
    page_size = _int_param(params, "page_size", MAX_REQUESTS, 1, MAX_REQUESTS)
    ids_raw = (params.get("service_request_id") or "").strip()
    start = _date_param(params, "start_date")
    end = _date_param(params, "end_date")
    statuses = [s.strip() for s in (params.get("status") or "").split(",") if s.strip()]
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, _("status doit valoir open ou closed."))
    if start and end and start > end:
        raise Open311Error(400, _("start_date est postérieure à end_date."))
    ids: list[int] = []
    if ids_raw:
        parts = [p.strip() for p in ids_raw.split(",") if p.strip()]
        if not parts or len(parts) > MAX_REQUESTS or not all(p.isdigit() for p in parts):
            raise Open311Error(400, _("service_request_id : une liste d'identifiants numériques."))
        ids = [int(p) for p in parts]
    cache_key = _list_cache_key(request, tenant, fmt)
    cached = cache.get(cache_key)
    if cached is not None:
        etag, body = cached
        return _list_response(request, fmt, etag, body)
    qs = Report.objects.for_tenant(tenant).public()
    if ids:
        qs = qs.filter(pk__in=ids)
    else:
        codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__service_code__in=codes)
        if start is None and end is None:
            end = timezone.now()
            start = end - timedelta(days=DEFAULT_WINDOW_DAYS)
        if start is not None:
            qs = qs.filter(requested_at__gte=start)
        if end is not None:
            qs = qs.filter(requested_at__lte=end)
        if statuses == ["open"]:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif statuses == ["closed"]:
            qs = qs.filter(status__in=CLOSED_STATUSES)
    offset = (page - 1) * page_size
    qs = qs.order_by("-requested_at", "-pk")[offset : offset + page_size]
    rows = request_rows(tenant, qs, _base(request))
    body = (
        to_xml("service_requests", "request", rows).encode()
        if fmt == "xml"
        else dumps_requests(rows)
    )
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    cache.set(cache_key, (etag, body), CACHE_SECONDS)
    return _list_response(request, fmt, etag, body)


def _list_cache_key(request: HttpRequest, tenant: LocalAuthority, fmt: str) -> str:
    """Everything the list depends on: the tenant's data version, the format, every query
    parameter (each value, in order; the api_key only chooses the tenant), the scheme and
    host of the photo URLs, the language and the time zone of the dates."""
    params = request.GET
    query = repr(sorted((k, params.getlist(k)) for k in params if k != "api_key"))
    digest = hashlib.blake2b(
        f"{request.scheme}://{request.get_host()}?{query}".encode(), digest_size=16
    ).hexdigest()
    return ":".join(
        (
            "open311:req",
            str(tenant.pk),
            str(services.data_version(tenant.pk)),
            fmt,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            digest,
        )
    )


def _list_response(request: HttpRequest, fmt: str, etag: str, body: bytes) -> HttpResponse:
    """The list, or 304 Not Modified when the client already holds this very body."""
    sent = request.headers.get("If-None-Match", "")
    tags = {t.strip().removeprefix("W/") for t in sent.split(",")} if sent else set()
    response = (
        HttpResponseNotModified()
        if etag in tags or "*" in tags
        else HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    )
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    return response


ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,60})\](\[\])?$")


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    # Some clients send api_key and jurisdiction_id in the query string of the POST.
    tenant, key = resolve(request, {**request.GET.dict(), **params.dict()}, key_required=True)
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code est obligatoire."))
    category = _categories(tenant).filter(service_code=code).first()
    if category is None:
        raise Open311Error(400, _("service_code inconnu : %(c)s") % {"c": code[:60]})
    lat_raw, lon_raw = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
    lat = lon = None
    if lat_raw or lon_raw:
        try:
            lat, lon = float(lat_raw), float(lon_raw)
        except ValueError as exc:
            raise Open311Error(400, _("lat et long doivent être des nombres décimaux.")) from exc
    address = (params.get("address_string") or "").strip()
    address_id = (params.get("address_id") or "").strip()
    if lat is None and not address and not address_id:
        raise Open311Error(
            400, _("Un lieu est obligatoire : lat et long, address_string ou address_id.")
        )
    email = (params.get("email") or "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError as exc:
            raise Open311Error(400, _("email n'est pas une adresse valide.")) from exc
    media_url = (params.get("media_url") or "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError as exc:
            raise Open311Error(400, _("media_url n'est pas une adresse web valide.")) from exc
        if len(media_url) > 500:
            raise Open311Error(400, _("media_url dépasse 500 caractères."))
    attributes: dict[str, Any] = {}
    for name in params:
        match = ATTRIBUTE.match(name)
        if match:
            values = params.getlist(name)
            attributes[match.group(1)] = values if len(values) > 1 or match.group(2) else values[0]
    description = params.get("description") or ""
    submission = services.Submission(
        category=category,
        description=description,
        lon=lon,
        lat=lat,
        address=address,
        address_id=address_id,
        zipcode="",
        attributes=attributes,
        media_url=media_url,
    )
    try:
        # first_name, last_name, phone, device_id and account_id are not stored
        # (minimisation); the e-mail address only serves to tell them the outcome.
        report = services.report_submit(
            tenant=tenant, submission=submission, email=email, source=Source.OPEN311, api_key=key
        )
    except ValidationError as exc:
        raise Open311Error(400, *_messages(exc)) from exc
    data = [
        {
            "service_request_id": str(report.pk),
            "token": report.token,
            "service_notice": "",
            "account_id": None,
        }
    ]
    return render(fmt, data, "service_requests", "request")


def _messages(exc: ValidationError) -> Iterable[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return exc.messages
