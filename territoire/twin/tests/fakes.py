"""An in-memory time-series provider for the twin's tests (the sensors app is not imported)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from territoire.core.timeseries import Point, SensorInfo


class MemoryProvider:
    def __init__(self) -> None:
        self.infos: dict[tuple[int, str], SensorInfo] = {}
        self.points: dict[tuple[int, str, str], dict[datetime, float]] = {}

    def sensors(self, tenant: Any, kind: str | None = None) -> list[SensorInfo]:
        return [
            info
            for (tid, _ref), info in sorted(self.infos.items())
            if tid == tenant.pk and (kind is None or info.kind == kind)
        ]

    def readings(
        self, tenant: Any, sensor_ref: str, quantity: str, start: datetime, end: datetime
    ) -> list[Point]:
        series = self.points.get((tenant.pk, sensor_ref, quantity), {})
        return [Point(t, v) for t, v in sorted(series.items()) if start <= t <= end]

    def ensure_sensor(self, tenant: Any, info: SensorInfo) -> None:
        self.infos.setdefault((tenant.pk, info.ref), info)

    def record(self, tenant: Any, sensor_ref: str, quantity: str, points: Iterable[Point]) -> int:
        if (tenant.pk, sensor_ref) not in self.infos:
            raise KeyError(sensor_ref)
        series = self.points.setdefault((tenant.pk, sensor_ref, quantity), {})
        new = 0
        for p in points:
            if p.time not in series:
                series[p.time] = p.value
                new += 1
        return new
