"""Reads of the reports module: public lists, nearby duplicates, statistics, GeoJSON."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from territoire.core.models import LocalAuthority
from territoire.reports.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Category,
    Report,
    ReportUpdate,
    Status,
    UpdateKind,
)

EARTH_RADIUS_M = 6_371_000.0


def categories(tenant: LocalAuthority, *, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.for_tenant(tenant).select_related("service")
    return qs.filter(is_active=True) if active_only else qs


def public_reports(tenant: LocalAuthority) -> QuerySet[Report]:
    return Report.objects.for_tenant(tenant).public().select_related("category", "district")


def public_report(tenant: LocalAuthority, pk: int) -> Report | None:
    return public_reports(tenant).filter(pk=pk).first()


def filter_public(qs: QuerySet[Report], params: Any) -> QuerySet[Report]:
    """Filters of the public list; a forged value filters nothing rather than erroring."""
    code = (params.get("categorie") or "").strip()
    if code:
        qs = qs.filter(category__service_code=code)
    status = (params.get("statut") or "").strip()
    if status == "ouverts":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "clos":
        qs = qs.filter(status__in=CLOSED_STATUSES)
    elif status in Status.values and status != Status.UNCONFIRMED:
        qs = qs.filter(status=status)
    district = (params.get("quartier") or "").strip()
    if district.isdigit():
        qs = qs.filter(district_id=int(district))
    for name, lookup in (("du", "requested_at__date__gte"), ("au", "requested_at__date__lte")):
        raw = (params.get(name) or "").strip()
        if raw:
            try:
                qs = qs.filter(**{lookup: date.fromisoformat(raw)})
            except ValueError:
                continue
    return qs


def public_history(report: Report) -> QuerySet[ReportUpdate]:
    return report.updates.exclude(kind=UpdateKind.INTERNAL).order_by("created", "pk")


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def similar_nearby(
    tenant: LocalAuthority, category: Category, lon: float, lat: float, radius_m: float
) -> list[tuple[Report, int]]:
    """Open public reports of the same category within ``radius_m``, nearest first."""
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    candidates = (
        public_reports(tenant)
        .filter(
            category=category,
            status__in=OPEN_STATUSES,
            lon__range=(lon - dlon, lon + dlon),
            lat__range=(lat - dlat, lat + dlat),
        )
        .order_by("-requested_at")[:50]
    )
    found = []
    for report in candidates:
        d = distance_m(lon, lat, report.lon or 0.0, report.lat or 0.0)
        if d <= radius_m:
            found.append((report, round(d)))
    return sorted(found, key=lambda x: x[1])[:5]


def geojson(reports: Any, *, tenant_slug: str, staff: bool = False) -> dict[str, Any]:
    name = "reports_staff:detail" if staff else "reports:detail"
    features = []
    for r in reports:
        if r.lon is None or r.lat is None:
            continue
        label = f"n° {r.pk} · {r.category.name if r.category else ''} · {r.get_status_display()}"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                "properties": {
                    "label": label,
                    "url": reverse(name, kwargs={"tenant": tenant_slug, "pk": r.pk}),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- Statistics ---------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _summary(days: list[float]) -> dict[str, Any]:
    return {
        "count": len(days),
        "median": round(statistics.median(days), 1) if days else None,
        "p90": round(_percentile(days, 0.9) or 0, 1) if days else None,
    }


def statistics_for(
    tenant: LocalAuthority, *, include_internal: bool = False, days: int = 365, cell_m: int = 250
) -> dict[str, Any]:
    """Backlog, resolution times (median, 90th percentile) and a heatmap grid."""
    since = timezone.now() - timedelta(days=days)
    base = Report.objects.for_tenant(tenant).exclude(status=Status.UNCONFIRMED)
    if not include_internal:
        base = base.filter(internal=False)
    backlog_rows = (
        base.filter(status__in=OPEN_STATUSES)
        .values("category__name", "status")
        .annotate(n=Count("pk"))
        .order_by("category__name")
    )
    backlog: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in backlog_rows:
        backlog[row["category__name"] or "—"][row["status"]] += row["n"]
    open_statuses = [s for s in Status if s in OPEN_STATUSES]
    backlog_table = [
        {
            "category": name,
            "counts": [counts.get(s, 0) for s in open_statuses],
            "total": sum(counts.values()),
        }
        for name, counts in sorted(backlog.items())
    ]
    fixed = base.filter(status=Status.FIXED, closed_at__gte=since).values_list(
        "category__name", "district__name", "requested_at", "closed_at"
    )
    by_cat: dict[str, list[float]] = defaultdict(list)
    by_district: dict[str, list[float]] = defaultdict(list)
    everything: list[float] = []
    for cat, district, requested, closed in fixed:
        if closed is None:
            continue
        d = (closed - requested).total_seconds() / 86400
        by_cat[cat or "—"].append(d)
        by_district[district or "Sans quartier"].append(d)
        everything.append(d)
    points = base.filter(requested_at__gte=since, lon__isnull=False).values_list("lon", "lat")
    grid: dict[tuple[int, int], int] = defaultdict(int)
    lat0: float | None = None
    for lon, lat in points:
        if lon is None or lat is None:
            continue
        lat0 = lat0 if lat0 is not None else lat
        dlat = cell_m / 111_320
        dlon = cell_m / (111_320 * max(math.cos(math.radians(lat0)), 0.01))
        grid[(math.floor(lon / dlon), math.floor(lat / dlat))] += 1
    cells = []
    if lat0 is not None:
        dlat = cell_m / 111_320
        dlon = cell_m / (111_320 * max(math.cos(math.radians(lat0)), 0.01))
        for (i, j), n in sorted(grid.items(), key=lambda x: -x[1]):
            cells.append(
                {
                    "lon0": round(i * dlon, 5),
                    "lat0": round(j * dlat, 5),
                    "lon1": round((i + 1) * dlon, 5),
                    "lat1": round((j + 1) * dlat, 5),
                    "count": n,
                }
            )
    top = max((c["count"] for c in cells), default=1)
    heat = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [c["lon0"], c["lat0"]],
                            [c["lon1"], c["lat0"]],
                            [c["lon1"], c["lat1"]],
                            [c["lon0"], c["lat1"]],
                            [c["lon0"], c["lat0"]],
                        ]
                    ],
                },
                "properties": {"label": f"{c['count']}", "weight": round(c["count"] / top, 2)},
            }
            for c in cells
        ],
    }
    return {
        "open_statuses": [Status(s).label for s in open_statuses],
        "backlog": backlog_table,
        "backlog_total": sum(r["total"] for r in backlog_table),
        "overall": _summary(everything),
        "by_category": [(k, _summary(v)) for k, v in sorted(by_cat.items())],
        "by_district": [(k, _summary(v)) for k, v in sorted(by_district.items())],
        "cells": cells[:15],
        "cell_m": cell_m,
        "heat": heat,
        "days": days,
    }
