"""The time-series port: how modules read and write sensor data without importing sensors.

The sensors app implements :class:`TimeSeriesProvider` and registers it in its
``AppConfig.ready``; the digital twins (and dashboards) call :func:`provider`. This keeps
the rule that business apps never import each other, while the twin still works on
real sensor readings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from territoire.core.models import LocalAuthority


@dataclass(frozen=True)
class SensorInfo:
    ref: str
    kind: str  # kind code, e.g. "water_flow"
    name: str
    quantities: tuple[str, ...]
    lon: float | None = None
    lat: float | None = None
    district_slug: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. {"dma": "DMA-1", "node": "123"}


@dataclass(frozen=True)
class Point:
    time: datetime
    value: float


class TimeSeriesProvider(Protocol):
    def sensors(self, tenant: LocalAuthority, kind: str | None = None) -> list[SensorInfo]: ...

    def readings(
        self,
        tenant: LocalAuthority,
        sensor_ref: str,
        quantity: str,
        start: datetime,
        end: datetime,
    ) -> list[Point]: ...

    def ensure_sensor(self, tenant: LocalAuthority, info: SensorInfo) -> None:
        """Create the sensor if it does not exist (used by demo seeding and imports)."""
        ...

    def record(
        self,
        tenant: LocalAuthority,
        sensor_ref: str,
        quantity: str,
        points: Iterable[Point],
    ) -> int:
        """Store readings (duplicates ignored); returns how many were new."""
        ...


_provider: TimeSeriesProvider | None = None


class NoTimeSeriesProvider(RuntimeError):
    pass


def register_provider(provider_: TimeSeriesProvider) -> None:
    global _provider
    _provider = provider_


def provider() -> TimeSeriesProvider:
    if _provider is None:
        raise NoTimeSeriesProvider("No time-series provider: is the sensors module installed?")
    return _provider
