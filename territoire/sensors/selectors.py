"""Reads of the sensors module. Every query filters on the tenant, readings included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, Prefetch, QuerySet

from territoire.core.models import LocalAuthority
from territoire.sensors.models import (
    Aggregate,
    Alert,
    LatestValue,
    Reading,
    Sensor,
    UnroutedMessage,
)


def sensors(tenant: LocalAuthority, *, public_only: bool = False) -> QuerySet[Sensor]:
    qs = Sensor.objects.for_tenant(tenant)
    qs = qs.public() if public_only else qs
    return (
        qs.select_related("district")
        .prefetch_related(
            Prefetch(
                "latest_values",
                queryset=LatestValue.objects.for_tenant(tenant).order_by("quantity"),
            )
        )
        .annotate(seen=Max("latest_values__time"))
    )


def sensor_by_ref(tenant: LocalAuthority, ref: str, *, public_only: bool = False) -> Sensor | None:
    return sensors(tenant, public_only=public_only).filter(ref=ref).first()


@dataclass(frozen=True)
class SeriesPoint:
    time: datetime
    mean: float
    minimum: float
    maximum: float
    count: int

    @property
    def total(self) -> float:
        return self.mean * self.count


RESOLUTIONS = ("raw", "h", "d")


def pick_resolution(start: datetime, end: datetime) -> str:
    """Raw up to two days, hourly up to two months, daily beyond (charts stay light)."""
    span = end - start
    if span <= timedelta(days=2):
        return "raw"
    if span <= timedelta(days=62):
        return "h"
    return "d"


def series(
    tenant: LocalAuthority,
    sensor: Sensor,
    quantity: str,
    start: datetime,
    end: datetime,
    resolution: str | None = None,
) -> list[SeriesPoint]:
    """Values of ``quantity`` in [start, end): raw, or hourly/daily aggregates.

    Filtered on ``tenant`` as well as on the sensor: a sensor of another collectivité
    yields nothing. The (sensor, quantity, time) unique index serves the query.
    """
    resolution = resolution or pick_resolution(start, end)
    if resolution == "raw":
        rows = (
            Reading.objects.for_tenant(tenant)
            .filter(sensor=sensor, quantity=quantity, time__gte=start, time__lt=end)
            .order_by("time")
            .values_list("time", "value")
        )
        return [SeriesPoint(t, v, v, v, 1) for t, v in rows]
    rows2 = (
        Aggregate.objects.for_tenant(tenant)
        .filter(
            sensor=sensor, quantity=quantity, period=resolution, start__gte=start, start__lt=end
        )
        .order_by("start")
        .values_list("start", "count", "total", "minimum", "maximum")
    )
    return [SeriesPoint(s, tot / n, lo, hi, n) for s, n, tot, lo, hi in rows2]


def raw_readings(
    tenant: LocalAuthority,
    sensor: Sensor,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Any:
    qs = Reading.objects.for_tenant(tenant).filter(sensor=sensor)
    if start is not None:
        qs = qs.filter(time__gte=start)
    if end is not None:
        qs = qs.filter(time__lt=end)
    return qs.order_by("time", "quantity").values_list("time", "quantity", "value")


def parking_availability(tenant: LocalAuthority) -> tuple[int, int]:
    """(free, known) public parking spots, from each spot's latest value."""
    rows = (
        LatestValue.objects.for_tenant(tenant)
        .filter(
            sensor__is_public=True,
            sensor__is_active=True,
            sensor__kind="parking_spot",
            quantity="occupied",
        )
        .values_list("value", flat=True)
    )
    values = list(rows)
    return sum(1 for v in values if v < 0.5), len(values)


def alerts(tenant: LocalAuthority) -> Any:  # an AlertQuerySet
    return Alert.objects.for_tenant(tenant).select_related("sensor", "rule")


def open_alert_count(tenant: LocalAuthority) -> int:
    return Alert.objects.for_tenant(tenant).unclosed().count()


def unrouted_messages() -> QuerySet[UnroutedMessage]:
    """Messages of no known collectivité: for instance operators only, never agents."""
    return UnroutedMessage.objects.order_by("-received", "-id")
