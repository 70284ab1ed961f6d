"""The core time-series port, as the digital twin uses it (never importing sensors)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from territoire.core import timeseries
from territoire.core.models import District
from territoire.core.timeseries import Point, SensorInfo
from territoire.sensors.models import Aggregate, LatestValue, Sensor


@pytest.fixture
def port() -> timeseries.TimeSeriesProvider:
    return timeseries.provider()  # registered by SensorsConfig.ready()


T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def test_ensure_sensor_then_record_and_read(port: Any, tenant: Any, other_tenant: Any) -> None:
    District.objects.create(tenant=tenant, name="Port", slug="port", geometry={})
    info = SensorInfo(
        ref="DMA-1-IN",
        kind="water_flow",
        name="Entrée DMA 1",
        quantities=("flow",),
        lon=-1.16,
        lat=46.14,
        district_slug="port",
        extra={"dma": "DMA-1", "node": "J12"},
    )
    port.ensure_sensor(tenant, info)
    port.ensure_sensor(tenant, info)  # idempotent
    assert Sensor.objects.for_tenant(tenant).filter(ref="DMA-1-IN").count() == 1
    [listed] = port.sensors(tenant, kind="water_flow")
    assert (listed.ref, listed.quantities, listed.district_slug, listed.extra["node"]) == (
        "DMA-1-IN",
        ("flow",),
        "port",
        "J12",
    )
    assert port.sensors(tenant, kind="air_quality") == []
    assert port.sensors(other_tenant) == []

    points = [Point(T0 + timedelta(hours=h), 10.0 + h) for h in range(48)]
    assert port.record(tenant, "DMA-1-IN", "flow", points) == 48
    assert port.record(tenant, "DMA-1-IN", "flow", points[:10]) == 0  # duplicates ignored
    got = port.readings(
        tenant, "DMA-1-IN", "flow", T0 + timedelta(hours=2), T0 + timedelta(hours=5)
    )
    assert [(p.time, p.value) for p in got] == [
        (T0 + timedelta(hours=h), 10.0 + h) for h in (2, 3, 4)
    ]
    # Recording through the port feeds the same aggregates and latest values.
    sensor = Sensor.objects.get(ref="DMA-1-IN")
    assert Aggregate.objects.filter(sensor=sensor, period="h").count() == 48
    assert LatestValue.objects.get(sensor=sensor).value == 57.0
    # Another tenant sees nothing of it.
    assert port.readings(other_tenant, "DMA-1-IN", "flow", T0, T0 + timedelta(days=3)) == []


def test_record_is_all_or_nothing(port: Any, tenant: Any, settings: Any) -> None:
    settings.SENSORS_MAX_BACKFILL_DAYS = 100_000
    settings.SENSORS_RAW_RETENTION_DAYS = 100_000
    port.ensure_sensor(
        tenant, SensorInfo(ref="P1", kind="water_pressure", name="P1", quantities=("pressure",))
    )
    with pytest.raises(ValueError, match="out_of_range"):
        port.record(tenant, "P1", "pressure", [Point(T0, 4.0), Point(T0 + timedelta(hours=1), 80)])
    with pytest.raises(ValueError, match="naive"):
        port.record(tenant, "P1", "pressure", [Point(datetime(2026, 1, 1), 4.0)])
    with pytest.raises(ValueError, match="does not measure"):
        port.record(tenant, "P1", "flow", [Point(T0, 4.0)])
    with pytest.raises(ValueError, match="unknown sensor"):
        port.record(tenant, "NOPE", "pressure", [Point(T0, 4.0)])
    assert (
        port.readings(tenant, "P1", "pressure", T0 - timedelta(days=1), T0 + timedelta(days=1))
        == []
    )
    with pytest.raises(ValueError, match="kind"):
        port.ensure_sensor(tenant, SensorInfo(ref="X", kind="volcano", name="X", quantities=()))
