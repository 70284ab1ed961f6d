"""A sink for demo sensor data when no time-series provider is installed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from territoire.core.timeseries import Point, SensorInfo, TimeSeriesProvider, provider


class _NoSensors:
    """Drops sensor declarations and readings: the demo still creates the twin's assets."""

    def ensure_sensor(self, tenant: Any, info: SensorInfo) -> None:
        return None

    def record(self, tenant: Any, sensor_ref: str, quantity: str, points: Iterable[Point]) -> int:
        return 0


def sensor_sink(sensors: bool) -> TimeSeriesProvider | _NoSensors:
    return provider() if sensors else _NoSensors()
