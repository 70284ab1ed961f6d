"""Public pages of the portal: catalogue with facets, dataset, resource preview.

Every page is server-rendered and works without JavaScript: the preview is an HTML
table (filters and sort are links and a GET form), the chart an inline SVG with the same
numbers in a table, and the map (Leaflet) only an enhancement beside the table.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from territoire.opendata import charts, rowquery, selectors, storage, tabular
from territoire.opendata.models import Licence, Theme
from territoire.opendata.quality import dataset_quality
from territoire.opendata.schemas import SCHEMAS

PREVIEW_PAGE = 10
# Which column names a map marker's popup: a name or title rather than the first column.
LABEL_HINT = re.compile(r"nom|titre|libell|name|title|station|projet", re.IGNORECASE)
PREVIEW_COLUMNS = 8  # a light page (EcoIndex): more columns on request
CHART_MAX_ROWS = 500_000
OP_LABELS = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "gt": ">",
    "lte": "≤",
    "gte": "≥",
    "in": "∈",
    "contains": "contient",
}


def _facet_labels(facet: str, value: str) -> str:
    if facet == "theme":
        return str(dict(Theme.choices).get(value, value))
    if facet == "licence":
        return str(dict(Licence.choices).get(value, value))
    if facet == "schema":
        return str(SCHEMAS[value].title) if value in SCHEMAS else value
    if facet == "format":
        return value.upper() if value != "source" else _("Export de la plateforme")
    return value


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    params = {k: request.GET.get(k, "")[:100] for k in ("q", *selectors.FACETS)}
    found = selectors.search(tenant, **params)
    facets = []
    names = {
        "theme": _("Thème"),
        "keyword": _("Mot-clé"),
        "format": _("Format"),
        "licence": _("Licence"),
        "schema": _("Schéma"),
    }
    for facet in selectors.FACETS:
        values = []
        for value, n in found.facets[facet][:12]:
            selected = params[facet] == value
            query = {k: v for k, v in params.items() if v and k != facet}
            if not selected:
                query[facet] = value
            values.append(
                {
                    "label": _facet_labels(facet, value),
                    "count": n,
                    "selected": selected,
                    "url": "?" + urlencode(query),
                }
            )
        if values:
            facets.append({"name": names[facet], "values": values})
    items = [
        {"dataset": d, "quality": dataset_quality(d, list(d.resources.all()))}
        for d in found.datasets
    ]
    return render(
        request,
        "opendata/catalogue.html",
        {"items": items, "facets": facets, "params": params, "count": len(items)},
    )


def _dataset_or_404(request: HttpRequest, slug: str) -> Any:
    d = selectors.dataset(request.tenant, slug)  # type: ignore[attr-defined]
    if d is None:
        raise Http404(_("Jeu de données introuvable."))
    return d


@require_GET
def dataset(request: HttpRequest, slug: str) -> HttpResponse:
    d = _dataset_or_404(request, slug)
    resources = list(d.resources.all())
    themes = dict(Theme.choices)
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": d,
            "resources": [r for r in resources if r.current and r.current.status == "ready"],
            "quality": dataset_quality(d, resources),
            "themes": [themes.get(t, t) for t in d.themes],
            "schema": SCHEMAS.get(d.schema),
        },
    )


@require_GET
def resource(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    d = _dataset_or_404(request, slug)
    res = selectors.published_resource(d, pk)
    if res is None:
        raise Http404(_("Ressource introuvable."))
    version = res.current
    assert version is not None
    params = request.GET.copy()
    # The one-filter form (fc, fo, fv) becomes the API's "<column>__<op>=<value>".
    fc, fo, fv = params.pop("fc", [""])[0], params.pop("fo", ["eq"])[0], params.pop("fv", [""])[0]
    if fc and fv:
        params[f"{fc}__{fo}" if fo != "eq" else fc] = fv
        params.pop("cursor", None)
        return HttpResponseRedirect("?" + params.urlencode())
    chart_col = params.pop("graphique", [""])[0]
    measure_col = params.pop("mesure", [""])[0]
    all_columns = params.pop("toutes", [""])[0] == "1"
    params.pop("page_size", None)
    error = ""
    try:
        query = rowquery.parse(version.columns, params, default_page=PREVIEW_PAGE)
    except rowquery.QueryError as exc:
        error = str(exc)
        params = QueryDict(mutable=True)
        query = rowquery.parse(version.columns, {}, default_page=PREVIEW_PAGE)
    hidden_columns = 0
    if not params.get("columns") and not all_columns and len(query.select) > PREVIEW_COLUMNS:
        hidden_columns = len(query.select) - PREVIEW_COLUMNS
        query.select = query.select[:PREVIEW_COLUMNS]
    result = tabular.fetch(res, query)
    base = {k: v for k, v in params.lists() if k != "cursor"}
    # Display choices travel with every link (sort, pages, filters).
    for key, value in (
        ("toutes", "1" if all_columns else ""),
        ("graphique", chart_col),
        ("mesure", measure_col),
    ):
        if value:
            base[key] = [value]

    def link(**changes: str) -> str:
        q = dict(base)
        for k, v in changes.items():
            if v:
                q[k] = [v]
            else:
                q.pop(k, None)
        return "?" + urlencode(q, doseq=True)

    headers = []
    for c in result.columns:
        current = query.sort is not None and query.sort["name"] == c["name"]
        desc = current and query.descending
        headers.append(
            {
                "name": c["name"],
                "type": c["type"],
                "sort": "descending" if desc else ("ascending" if current else ""),
                "url": link(sort=("" if desc else "-") + c["name"] if current else c["name"]),
            }
        )
    active = [
        {
            "label": f"{name} {OP_LABELS[op]} {value}",
            "url": link(**{(f"{name}__{op}" if op != "eq" else name): ""}),
        }
        for name, op, value in query.raw_filters
    ]
    rows = [[row.get(c["name"]) for c in result.columns] for row in result.rows]
    # Chart: rows (or the sum of a numeric column) per value of a text column.
    chart = None
    text_cols = [c for c in version.columns if c["type"] in ("string", "boolean", "date")]
    num_cols = [c for c in version.columns if c["type"] in ("integer", "number")]
    group = next((c for c in text_cols if c["name"] == chart_col), None)
    group = group or next((c for c in text_cols if c["name"] not in (res.lon_column,)), None)
    measure = next((c for c in num_cols if c["name"] == measure_col), None)
    if group is not None and version.row_count <= CHART_MAX_ROWS:
        bars = storage.store().aggregate(
            version.storage,
            group=group["db"],
            measure=measure["db"] if measure else None,
            filters=query.filters,
            limit=12,
        )
        chart = charts.bar_chart(
            bars,
            title=(
                _("Somme de %(m)s par %(g)s") % {"m": measure["name"], "g": group["name"]}
                if measure
                else _("Nombre de lignes par %(g)s") % {"g": group["name"]}
            ),
        )
    geojson = None
    lon, lat, geometry = tabular.geo_columns(res)
    if geometry or (lon and lat):
        geo_query = replace(query, select=list(version.columns))
        geo_rows = tabular.fetch(res, geo_query, with_total=False).rows
        features = [tabular.geo_feature(r, lon, lat, geometry) for r in geo_rows]
        names = [c["name"] for c in version.columns if c["type"] == "string"]
        # Among the name-like columns, the most varied one names the markers best
        # (EQUIP_NOM rather than COLL_NOM, the same on every row).
        hinted = [n for n in names if LABEL_HINT.search(n)] or names
        label_col = max(hinted, key=lambda n: len({r.get(n) for r in geo_rows}), default="")
        for f, r in zip(features, geo_rows, strict=True):
            if f is not None:
                f["properties"] = {"label": str(r.get(label_col) or "")[:80]}
        geojson = {
            "type": "FeatureCollection",
            "features": [f for f in features if f and f["geometry"]],
        }
    api_params = {k: v for k, v in base.items()}
    api_params["tenant"] = [request.tenant.slug]  # type: ignore[attr-defined]
    return render(
        request,
        "opendata/resource.html",
        {
            "dataset": d,
            "resource": res,
            "version": version,
            "headers": headers,
            "rows": rows,
            "result": result,
            "next_url": link(cursor=result.next_cursor) if result.next_cursor else "",
            "first_url": link(cursor="") if query.cursor else "",
            "active": active,
            "error": error,
            "columns": version.columns,
            "operators": list(OP_LABELS.items()),
            "chart": chart,
            "chart_columns": text_cols,
            "measure_columns": num_cols,
            "chart_col": group["name"] if group else "",
            "measure_col": measure["name"] if measure else "",
            "geojson": geojson,
            "api_query": urlencode(api_params, doseq=True),
            "hidden_columns": hidden_columns,
            "all_columns_url": link(toutes="1") if hidden_columns else "",
        },
    )
