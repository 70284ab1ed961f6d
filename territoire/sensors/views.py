"""Public pages: what is public of the sensors (air quality, parking, pool attendance)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territoire.core.listing import Column, Filter, Listing
from territoire.core.models import District
from territoire.sensors import charts, selectors
from territoire.sensors.catalog import KINDS, QUANTITIES
from territoire.sensors.ingestion import day_start
from territoire.sensors.models import Sensor

PERIODS = {
    "24h": (timedelta(hours=24), gettext_lazy("24 heures")),
    "7j": (timedelta(days=7), gettext_lazy("7 jours")),
    "30j": (timedelta(days=30), gettext_lazy("30 jours")),
}


def latest_text(sensor: Sensor) -> str:
    parts = []
    for lv in sensor.latest_values.all():
        spec = QUANTITIES.get(lv.quantity)
        if spec is None:
            continue
        parts.append(
            f"{spec.label} {formats.number_format(round(lv.value, spec.decimals))} {spec.unit}"
        )
    return " · ".join(parts)


def sensor_listing(qs: Any, tenant: Any, *, staff: bool) -> Listing:
    kinds = [(k.code, k.label) for k in KINDS.values() if staff or k.public]
    districts = [(str(d.pk), d.name) for d in District.objects.for_tenant(tenant)]
    columns = [
        Column(_("Référence"), lambda s: s.ref, "ref"),
        Column(_("Nom"), lambda s: s.name, "name"),
        Column(_("Type"), lambda s: s.get_kind_display(), "kind"),
        Column(_("Quartier"), lambda s: s.district.name if s.district else "", "district__name"),
        Column(_("Dernières valeurs"), latest_text),
        Column(
            _("Dernière mesure"),
            lambda s: (
                formats.date_format(timezone.localtime(s.seen), "SHORT_DATETIME_FORMAT")
                if s.seen
                else ""
            ),
            "seen",
        ),
    ]
    filters = [
        Filter("kind", _("Type"), "kind", kinds),
        Filter("quartier", _("Quartier"), "district_id", districts),
    ]
    if staff:
        columns.insert(4, Column(_("Délégataire"), lambda s: s.operator or _("la collectivité")))
        columns.append(Column(_("DevEUI"), lambda s: s.dev_eui))
        filters.append(
            Filter("public", _("Public"), "is_public", [("1", _("oui")), ("0", _("non"))])
        )
    return Listing(
        queryset=qs,
        columns=columns,
        filters=filters,
        search_fields=["ref", "name"] + (["dev_eui", "operator"] if staff else []),
        default_sort="ref",
        # Public page: a short page keeps the map and table light (EcoIndex A).
        per_page=25 if staff else 12,
        filename="capteurs",
    )


def map_features(sensors: list[Sensor], url_name: str, tenant_slug: str) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": {
                "label": f"{s.name} — {latest_text(s)}",
                "url": reverse(url_name, kwargs={"tenant": tenant_slug, "ref": s.ref}),
            },
        }
        for s in sensors
        if s.lon is not None and s.lat is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def with_links(context: dict[str, Any], url: Any) -> dict[str, Any]:
    """Pair each listing row with the URL of its object (``url(obj)``, or None)."""
    context["items"] = [
        (url(o), row) for o, row in zip(context["objects"], context["rows"], strict=True)
    ]
    return context


def sensor_list(request: HttpRequest) -> HttpResponseBase:
    tenant = request.tenant  # type: ignore[attr-defined]
    listing = sensor_listing(selectors.sensors(tenant, public_only=True), tenant, staff=False)
    if listing.wants_csv(request):
        return listing.csv_response(request)
    _page, context = listing.page(request)
    with_links(
        context, lambda s: reverse("sensors:detail", kwargs={"tenant": tenant.slug, "ref": s.ref})
    )
    context["geojson"] = map_features(context["objects"], "sensors:detail", tenant.slug)
    context["parking_free"], context["parking_known"] = selectors.parking_availability(tenant)
    return render(request, "sensors/list.html", context)


def chart_context(
    tenant: Any, sensor: Sensor, request: HttpRequest, default: str = "7j"
) -> dict[str, Any]:
    """Charts and daily summary tables of every quantity over the chosen period."""
    key = request.GET.get("periode", default)
    if key not in PERIODS:
        key = default
    end = timezone.now()
    start = end - PERIODS[key][0]
    blocks = []
    for quantity in sensor.quantities:
        spec = QUANTITIES.get(quantity)
        if spec is None:
            continue
        points = selectors.series(tenant, sensor, quantity, start, end)
        days = selectors.series(tenant, sensor, quantity, day_start(start), end, "d")
        blocks.append(
            {
                "quantity": quantity,
                "label": spec.label,
                "unit": spec.unit,
                "decimals": spec.decimals,
                "additive": spec.additive,
                "chart": charts.line_chart(
                    points,
                    title=str(spec.label),
                    unit=str(spec.unit),
                    start=start,
                    end=end,
                    uid=f"c-{quantity}",
                ),
                "days": days,
            }
        )
    return {
        "blocks": blocks,
        "period": key,
        "periods": [(k, label) for k, (_d, label) in PERIODS.items()],
        "start": start,
        "end": end,
    }


def sensor_detail(request: HttpRequest, ref: str) -> HttpResponseBase:
    tenant = request.tenant  # type: ignore[attr-defined]
    sensor = selectors.sensor_by_ref(tenant, ref, public_only=True)
    if sensor is None:
        raise Http404(_("Capteur introuvable."))
    if request.GET.get("format") == "csv":
        return readings_csv(tenant, sensor, request)
    context = {
        "sensor": sensor,
        "latest": latest_text(sensor),
        **chart_context(tenant, sensor, request),
    }
    return render(request, "sensors/detail.html", context)


def readings_csv(tenant: Any, sensor: Sensor, request: HttpRequest) -> StreamingHttpResponse:
    """Raw readings of the chosen period (default 30 days), one per line."""
    key = request.GET.get("periode", "30j")
    span = PERIODS.get(key, PERIODS["30j"])[0]
    rows = selectors.raw_readings(tenant, sensor, start=timezone.now() - span)

    class Echo:
        def write(self, value: str) -> str:
            return value

    def generate() -> Iterator[str]:
        writer = csv.writer(Echo())
        yield writer.writerow(["time", "quantity", "value"])
        for time, quantity, value in rows.iterator(chunk_size=2000):
            yield writer.writerow([time.isoformat(), quantity, repr(value)])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{sensor.ref}-{key}.csv"'
    return response
