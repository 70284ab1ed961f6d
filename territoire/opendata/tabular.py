"""Reading a published resource's rows and writing them as JSON, CSV or GeoJSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from territoire.opendata import storage
from territoire.opendata.models import Resource
from territoire.opendata.rowquery import RowQuery

EXPORT_PAGE = 5000
BROAD = 5000  # more matches than this: walk the sort column's index (storage.page)


@dataclass
class Result:
    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    next_cursor: str | None
    total: int | None = None
    total_exact: bool = True


def _value(column: dict[str, Any], v: Any) -> Any:
    if v is None:
        return None
    kind = column["type"]
    if kind == "boolean":
        return bool(v)
    if kind == "date" and hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def fetch(resource: Resource, query: RowQuery, *, with_total: bool = True) -> Result:
    version = resource.current
    assert version is not None
    store = storage.store()
    total, exact = None, True
    if with_total:
        # The count comes first: it tells the page query whether the filters are broad.
        total, exact = store.count(version.storage, query.filters, version.row_count)
    page = store.page(
        version.storage,
        select=[c["db"] for c in query.select],
        filters=query.filters,
        sort=query.sort["db"] if query.sort else None,
        descending=query.descending,
        cursor=query.cursor,
        limit=query.page_size,
        broad=total is not None and total > BROAD,
    )
    rows = [
        {c["name"]: _value(c, v) for c, v in zip(query.select, row, strict=True)}
        for row in page.rows
    ]
    return Result(
        columns=query.select,
        rows=rows,
        next_cursor=page.next_cursor,
        total=total,
        total_exact=exact,
    )


def iterate(resource: Resource, query: RowQuery) -> Iterator[dict[str, Any]]:
    """Every matching row, page by page (keyset), for full exports."""
    query.page_size = EXPORT_PAGE
    while True:
        result = fetch(resource, query, with_total=False)
        yield from result.rows
        if result.next_cursor is None:
            return
        query.cursor = result.next_cursor


def _csv_line(values: list[Any]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(["" if v is None else _csv_cell(v) for v in values])
    return buf.getvalue()


def _csv_cell(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") and not _numeric(v):
        # Formula neutralisation: a spreadsheet must not execute a cell.
        return "'" + v
    return v


def _numeric(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def csv_stream(columns: list[dict[str, Any]], rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield _csv_line([c["name"] for c in columns])
    for row in rows:
        yield _csv_line([row.get(c["name"]) for c in columns])


def geo_feature(row: dict[str, Any], lon: str, lat: str, geometry: str) -> dict[str, Any] | None:
    props = dict(row)
    geom: Any = None
    if geometry and row.get(geometry):
        try:
            geom = json.loads(row[geometry])
        except (TypeError, ValueError):
            geom = None
        props.pop(geometry, None)
    elif lon and lat and row.get(lon) is not None and row.get(lat) is not None:
        try:
            geom = {"type": "Point", "coordinates": [float(row[lon]), float(row[lat])]}
        except (TypeError, ValueError):
            geom = None
    return {"type": "Feature", "geometry": geom, "properties": props}


def geo_columns(resource: Resource) -> tuple[str, str, str]:
    """(lon, lat, geometry) column names of a geographic resource, empty when not geo."""
    version = resource.current
    names = {c["name"]: c for c in (version.columns if version else [])}
    geometry = next((n for n, c in names.items() if c["type"] == "geojson"), "")
    lon = resource.lon_column if resource.lon_column in names else ""
    lat = resource.lat_column if resource.lat_column in names else ""
    return lon, lat, geometry


def geojson_stream(resource: Resource, rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    lon, lat, geometry = geo_columns(resource)
    yield '{"type":"FeatureCollection","features":['
    first = True
    for row in rows:
        feature = geo_feature(row, lon, lat, geometry)
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False, default=str)
        first = False
    yield "]}"
