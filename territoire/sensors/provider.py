"""The sensors module's implementation of the core time-series port (core/timeseries.py).

Other modules (the digital twins, dashboards) read and write sensor data only through
this port, never by importing the sensors app.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import transaction

from territoire.core.models import District, LocalAuthority
from territoire.core.timeseries import Point, SensorInfo
from territoire.sensors import services
from territoire.sensors.catalog import KINDS
from territoire.sensors.ingestion import Candidate, IngestResult, check_value, store
from territoire.sensors.models import Reading, Sensor


class SensorsTimeSeries:
    def sensors(self, tenant: LocalAuthority, kind: str | None = None) -> list[SensorInfo]:
        qs = Sensor.objects.for_tenant(tenant).active().select_related("district")
        if kind:
            qs = qs.filter(kind=kind)
        return [
            SensorInfo(
                ref=s.ref,
                kind=s.kind,
                name=s.name,
                quantities=tuple(s.quantities),
                lon=s.lon,
                lat=s.lat,
                district_slug=s.district.slug if s.district else "",
                extra=dict(s.extra),
            )
            for s in qs.order_by("ref")
        ]

    def readings(
        self,
        tenant: LocalAuthority,
        sensor_ref: str,
        quantity: str,
        start: datetime,
        end: datetime,
    ) -> list[Point]:
        """Raw readings in [start, end), oldest first (empty for an unknown sensor)."""
        sensor = Sensor.objects.for_tenant(tenant).filter(ref=sensor_ref).first()
        if sensor is None:
            return []
        rows = (
            Reading.objects.for_tenant(tenant)
            .filter(sensor=sensor, quantity=quantity, time__gte=start, time__lt=end)
            .order_by("time")
            .values_list("time", "value")
        )
        return [Point(t, v) for t, v in rows]

    def ensure_sensor(self, tenant: LocalAuthority, info: SensorInfo) -> None:
        if Sensor.objects.for_tenant(tenant).filter(ref=info.ref).exists():
            return
        if info.kind not in KINDS:
            raise ValueError(f"unknown sensor kind {info.kind!r}")
        district = (
            District.objects.for_tenant(tenant).filter(slug=info.district_slug).first()
            if info.district_slug
            else None
        )
        services.sensor_register(
            actor="timeseries",
            tenant=tenant,
            ref=info.ref,
            kind=info.kind,
            name=info.name,
            quantities=list(info.quantities) or None,
            lon=info.lon,
            lat=info.lat,
            district=district,
            extra=dict(info.extra),
        )

    def record(
        self, tenant: LocalAuthority, sensor_ref: str, quantity: str, points: Iterable[Point]
    ) -> int:
        """Store points through the ingestion path (aggregates, latest values, alerts).

        All or nothing: raises ValueError, storing nothing, if the sensor is unknown or
        any point is invalid (naive time, value outside the quantity's range, …).
        """
        sensor = Sensor.objects.for_tenant(tenant).filter(ref=sensor_ref).first()
        if sensor is None:
            raise ValueError(f"unknown sensor {sensor_ref!r}")
        if quantity not in sensor.quantities:
            raise ValueError(f"sensor {sensor_ref!r} does not measure {quantity!r}")
        candidates = []
        for i, point in enumerate(points):
            if point.time.tzinfo is None:
                raise ValueError(f"point {i}: naive datetime")
            value = check_value(quantity, point.value)
            if isinstance(value, str):
                raise ValueError(f"point {i}: {value} ({point.value!r})")
            candidates.append(
                Candidate(sensor.pk, quantity, point.time.astimezone(UTC), value, sensor.tenant_id)
            )
        with transaction.atomic():
            return store(candidates, IngestResult()).accepted
