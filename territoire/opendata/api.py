"""Open data API: catalogue search, tabular rows, full downloads, DCAT-AP (CORS open for GET).

``GET /api/v1/datasets/{slug}/resources/{id}/rows`` filters with
``<column>__<op>=<value>`` (ops: eq, ne, lt, gt, lte, gte, in, contains), sorts with
``sort=<column>`` or ``sort=-<column>``, selects with ``columns=a,b``, pages with
``page_size`` (≤ 1000) and the ``next`` link (keyset cursor), and answers in JSON, CSV
or GeoJSON (``format``). ``total`` is exact up to 10,000 matching rows, then an
estimate (``total_exact: false``). Public data: no key needed, ``tenant`` says whose.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from territoire.core.api.auth import optional_key, tenant_param
from territoire.core.models import LocalAuthority
from territoire.opendata import dcat, rowquery, selectors, tabular
from territoire.opendata.models import Dataset, Resource
from territoire.opendata.quality import dataset_quality

router = Router(tags=["données ouvertes"])
ROW_FORMATS = ("json", "csv", "geojson")


def _cors[R: HttpResponse | StreamingHttpResponse](response: R) -> R:
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _base(request: HttpRequest) -> str:
    configured = getattr(settings, "TERRITOIRE_BASE_URL", "")
    return (configured or request.build_absolute_uri("/")).rstrip("/")


class ResourceOut(Schema):
    id: int
    title: str
    description: str
    format: str
    rows: int
    columns: list[dict[str, Any]]
    updated: str | None
    checksum: str
    rows_url: str
    download_url: str


class DatasetOut(Schema):
    slug: str
    title: str
    description: str
    licence: str
    themes: list[str]
    keywords: list[str]
    frequency: str
    temporal_start: str | None
    temporal_end: str | None
    spatial: str
    table_schema: str | None = None
    quality: int
    quality_max: int
    updated: str | None
    url: str
    resources: list[ResourceOut]


class CatalogueOut(Schema):
    count: int
    facets: dict[str, list[tuple[str, int]]]
    datasets: list[DatasetOut]


def _resource_out(request: HttpRequest, d: Dataset, r: Resource) -> dict[str, Any]:
    v = r.current
    kw = {"slug": d.slug, "resource_id": r.pk}
    from django.urls import reverse

    q = f"?tenant={d.tenant.slug}"
    return {
        "id": r.pk,
        "title": r.title,
        "description": r.description,
        "format": v.format if v else "",
        "rows": v.row_count if v else 0,
        "columns": [{"name": c["name"], "type": c["type"]} for c in (v.columns if v else [])],
        "updated": v.published_at.isoformat() if v and v.published_at else None,
        "checksum": v.checksum if v else "",
        "rows_url": _base(request) + reverse("api:opendata_rows", kwargs=kw) + q,
        "download_url": _base(request) + reverse("api:opendata_download", kwargs=kw) + q,
    }


def _dataset_out(request: HttpRequest, d: Dataset) -> dict[str, Any]:
    from django.urls import reverse

    resources = [
        r for r in d.resources.all() if r.current is not None and r.current.status == "ready"
    ]
    quality = dataset_quality(d, list(d.resources.all()))
    return {
        "slug": d.slug,
        "title": d.title,
        "description": d.description,
        "licence": d.licence,
        "themes": d.themes,
        "keywords": d.keywords,
        "frequency": d.frequency,
        "temporal_start": d.temporal_start.isoformat() if d.temporal_start else None,
        "temporal_end": d.temporal_end.isoformat() if d.temporal_end else None,
        "spatial": d.spatial,
        "table_schema": d.schema or None,
        "quality": quality.score,
        "quality_max": quality.total,
        "updated": d.data_updated_at.isoformat() if d.data_updated_at else None,
        "url": _base(request)
        + reverse("opendata:dataset", kwargs={"tenant": d.tenant.slug, "slug": d.slug}),
        "resources": [_resource_out(request, d, r) for r in resources],
    }


@router.get("/datasets", response=CatalogueOut, summary="Recherche dans le catalogue de données")
def list_datasets(
    request: HttpRequest,
    tenant: str | None = None,
    q: str = "",
    theme: str = "",
    keyword: str = "",
    format: str = "",
    licence: str = "",
    table_schema: str = "",
) -> Any:
    t = tenant_param(request, tenant)
    found = selectors.search(
        t, q=q, theme=theme, keyword=keyword, format=format, licence=licence, schema=table_schema
    )
    return {
        "count": len(found.datasets),
        "facets": found.facets,
        "datasets": [_dataset_out(request, d) for d in found.datasets],
    }


def _dataset(request: HttpRequest, tenant: str | None, slug: str) -> Dataset:
    d = selectors.dataset(tenant_param(request, tenant), slug)
    if d is None:
        raise HttpError(404, _("Jeu de données introuvable."))
    return d


def _resource(request: HttpRequest, tenant: str | None, slug: str, resource_id: int) -> Resource:
    resource = selectors.resource_for_rows(tenant_param(request, tenant), slug, resource_id)
    if resource is None:
        raise HttpError(404, _("Ressource introuvable ou sans version publiée."))
    return resource


@router.get("/datasets/{slug}", response=DatasetOut, summary="Un jeu de données")
def get_dataset(request: HttpRequest, slug: str, tenant: str | None = None) -> Any:
    return _dataset_out(request, _dataset(request, tenant, slug))


@router.get(
    "/datasets/{slug}/resources/{resource_id}/rows",
    url_name="opendata_rows",
    summary="Lignes d'une ressource : filtres, tri, colonnes, pagination par curseur",
    description=(
        "Filtres : `<colonne>__<op>=<valeur>` avec op parmi eq (par défaut), ne, lt, gt, "
        "lte, gte, in (liste séparée par des virgules), contains. Tri : `sort=colonne` ou "
        "`sort=-colonne`. Colonnes : `columns=a,b`. Pagination : `page_size` (1 à 1000) et "
        "le lien `next`. `format` : json, csv ou geojson. Le total est exact jusqu'à "
        "10 000 lignes, estimé au-delà (`total_exact`)."
    ),
    openapi_extra={"responses": {200: {"description": "Une page de lignes"}}},
)
def resource_rows(
    request: HttpRequest,
    slug: str,
    resource_id: int,
    tenant: str | None = None,
    format: str = "json",
    columns: str = "",
    sort: str = "",
    page_size: str = "",
    cursor: str = "",
) -> HttpResponse:
    resource = _resource(request, tenant, slug, resource_id)
    if format not in ROW_FORMATS:
        raise HttpError(400, _("Format inconnu : %(f)s (json, csv ou geojson).") % {"f": format})
    version = resource.current
    assert version is not None
    params = request.GET.copy()
    lon, lat, geometry = tabular.geo_columns(resource)
    if format == "geojson":
        if not (geometry or (lon and lat)):
            raise HttpError(400, _("Cette ressource n'est pas géographique : pas de GeoJSON."))
        if params.get("columns"):
            wanted = [c for c in str(params["columns"]).split(",") if c]
            params["columns"] = ",".join(
                wanted + [c for c in (lon, lat, geometry) if c and c not in wanted]
            )
    try:
        query = rowquery.parse(version.columns, params)
    except rowquery.QueryError as exc:
        raise HttpError(400, str(exc)) from exc
    result = tabular.fetch(resource, query)
    next_url = None
    if result.next_cursor:
        params["cursor"] = result.next_cursor
        next_url = request.build_absolute_uri(request.path) + "?" + urlencode(params, doseq=True)
    headers = {"X-Total-Count": str(result.total), "X-Total-Exact": str(result.total_exact).lower()}
    if next_url:
        headers["Link"] = f'<{next_url}>; rel="next"'
    if format == "csv":
        body = "".join(tabular.csv_stream(result.columns, iter(result.rows)))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8", headers=headers)
    elif format == "geojson":
        body = "".join(tabular.geojson_stream(resource, iter(result.rows)))
        response = HttpResponse(body, content_type="application/geo+json", headers=headers)
    else:
        response = JsonResponse(
            {
                "columns": [{"name": c["name"], "type": c["type"]} for c in result.columns],
                "data": result.rows,
                "total": result.total,
                "total_exact": result.total_exact,
                "next": next_url,
                "page_size": query.page_size,
            },
            headers=headers,
            json_dumps_params={"ensure_ascii": False},
        )
    return _cors(response)


@router.get(
    "/datasets/{slug}/resources/{resource_id}/download",
    url_name="opendata_download",
    summary="Téléchargement complet d'une ressource (CSV, ou GeoJSON si géographique)",
    openapi_extra={"responses": {200: {"description": "Le fichier complet"}}},
)
def resource_download(
    request: HttpRequest,
    slug: str,
    resource_id: int,
    tenant: str | None = None,
    format: str = "csv",
) -> StreamingHttpResponse:
    resource = _resource(request, tenant, slug, resource_id)
    version = resource.current
    assert version is not None
    query = rowquery.parse(version.columns, {})
    if format == "geojson":
        lon, lat, geometry = tabular.geo_columns(resource)
        if not (geometry or (lon and lat)):
            raise HttpError(400, _("Cette ressource n'est pas géographique : pas de GeoJSON."))
        body = tabular.geojson_stream(resource, tabular.iterate(resource, query))
        content_type, ext = "application/geo+json", "geojson"
    elif format == "csv":
        body = tabular.csv_stream(query.select, tabular.iterate(resource, query))
        content_type, ext = "text/csv; charset=utf-8", "csv"
    else:
        raise HttpError(400, _("Format inconnu : %(f)s (csv ou geojson).") % {"f": format})
    response = StreamingHttpResponse(body, content_type=content_type)
    filename = f"{resource.dataset.slug}-{resource.pk}-v{version.number}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _cors(response)


def _catalog_scope(request: HttpRequest, tenant: str | None) -> tuple[list[LocalAuthority], str]:
    if tenant or optional_key(request):
        t = tenant_param(request, tenant)
        return [t], f"Données ouvertes de {t.name}"
    tenants = list(LocalAuthority.objects.filter(is_active=True).order_by("name"))
    return tenants, "Données ouvertes de la plateforme Territoire"


def _catalog(request: HttpRequest, tenant: str | None, fmt: str) -> HttpResponse:
    tenants, title = _catalog_scope(request, tenant)
    datasets = (
        selectors.published_datasets(None).filter(tenant__in=tenants).order_by("tenant", "title")
    )
    graph = dcat.catalog_graph(_base(request), tenants, datasets, title=title)
    return _rdf(graph, fmt)


def _rdf(graph: Any, fmt: str) -> HttpResponse:
    ctype = "application/ld+json" if fmt == "jsonld" else "text/turtle"
    return _cors(HttpResponse(dcat.serialise(graph, fmt), content_type=f"{ctype}; charset=utf-8"))


@router.get(
    "/catalog.ttl",
    summary="Catalogue DCAT-AP 3 (Turtle)",
    openapi_extra={"responses": {200: {"description": "Turtle"}}},
)
def catalog_ttl(request: HttpRequest, tenant: str | None = None) -> HttpResponse:
    return _catalog(request, tenant, "ttl")


@router.get(
    "/catalog.jsonld",
    summary="Catalogue DCAT-AP 3 (JSON-LD)",
    openapi_extra={"responses": {200: {"description": "JSON-LD"}}},
)
def catalog_jsonld(request: HttpRequest, tenant: str | None = None) -> HttpResponse:
    return _catalog(request, tenant, "jsonld")


@router.get(
    "/datasets/{slug}/dcat.ttl",
    summary="Un jeu de données en DCAT-AP 3 (Turtle)",
    openapi_extra={"responses": {200: {"description": "Turtle"}}},
)
def dataset_ttl(request: HttpRequest, slug: str, tenant: str | None = None) -> HttpResponse:
    return _rdf(dcat.dataset_graph(_base(request), _dataset(request, tenant, slug)), "ttl")


@router.get(
    "/datasets/{slug}/dcat.jsonld",
    summary="Un jeu de données en DCAT-AP 3 (JSON-LD)",
    openapi_extra={"responses": {200: {"description": "JSON-LD"}}},
)
def dataset_jsonld(request: HttpRequest, slug: str, tenant: str | None = None) -> HttpResponse:
    return _rdf(dcat.dataset_graph(_base(request), _dataset(request, tenant, slug)), "jsonld")
