"""Series queries over raw and aggregated readings, retention, and the CLI."""

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from territoire.sensors import selectors, services
from territoire.sensors.ingestion import Candidate, ingest_items, store
from territoire.sensors.models import Aggregate, Reading, Sensor
from territoire.sensors.tests.factories import SensorFactory


def test_series_resolutions(tenant: Any) -> None:
    sensor = SensorFactory(tenant=tenant, kind="water_flow")
    t0 = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    # One reading every 15 minutes for 3 days: value = hour of the day.
    store(
        [
            Candidate.of(sensor, "flow", t0 + timedelta(minutes=15 * i), float((i // 4) % 24))
            for i in range(4 * 72)
        ]
    )
    end = t0 + timedelta(days=3)
    assert len(selectors.series(tenant, sensor, "flow", t0, t0 + timedelta(days=1))) == 96  # raw
    hourly = selectors.series(tenant, sensor, "flow", t0, end)  # 3 days: hourly
    assert len(hourly) == 72
    assert hourly[5].mean == 5.0 and hourly[5].count == 4
    daily = selectors.series(tenant, sensor, "flow", t0 - timedelta(days=1), end, "d")
    assert sum(p.count for p in daily) == 288
    assert sum(p.mean * p.count for p in daily) == pytest.approx(
        sum((i // 4) % 24 for i in range(288))
    )


def test_purge_keeps_aggregates(tenant: Any, settings: Any) -> None:
    settings.SENSORS_RAW_RETENTION_DAYS = 30
    sensor = SensorFactory(tenant=tenant, kind="water_flow")
    now = timezone.now()
    old = now - timedelta(days=40)
    store([Candidate.of(sensor, "flow", old, 3.0), Candidate.of(sensor, "flow", now, 4.0)])
    assert services.readings_purge(actor="test", now=now) == 1
    assert list(Reading.objects.values_list("value", flat=True)) == [4.0]
    hour = Aggregate.objects.get(
        sensor=sensor, period="h", start=old.replace(minute=0, second=0, microsecond=0)
    )
    assert (hour.count, hour.total) == (1, 3.0)
    # The purged reading sent again is refused as too old, so it cannot be counted
    # twice in its aggregate.
    with transaction.atomic():
        result = ingest_items(
            tenant=tenant,
            items=[
                {"sensor": sensor.ref, "time": old.isoformat(), "quantity": "flow", "value": 3.0}
            ],
        )
    assert [e.reason for e in result.errors] == ["too_old"]
    assert Aggregate.objects.get(pk=hour.pk).count == 1


def test_register_and_export_commands(tenant: Any) -> None:
    out = io.StringIO()
    call_command(
        "sensors",
        "register",
        "--tenant",
        tenant.slug,
        "--ref",
        "PISC-01",
        "--kind",
        "people_counter",
        "--name",
        "Piscine",
        "--lat",
        "46.15",
        "--lon",
        "-1.16",
        "--dev-eui",
        "70B3D5E75E0000AA",
        stdout=out,
    )
    sensor = Sensor.objects.for_tenant(tenant).get(ref="PISC-01")
    assert (sensor.dev_eui, sensor.lat, sensor.is_public) == ("70b3d5e75e0000aa", 46.15, True)
    t0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    store([Candidate.of(sensor, "count", t0 + timedelta(hours=h), float(10 * h)) for h in range(3)])
    out = io.StringIO()
    call_command(
        "sensors",
        "export",
        "--tenant",
        tenant.slug,
        "--ref",
        "PISC-01",
        "--format",
        "csv",
        stdout=out,
    )
    assert out.getvalue().splitlines() == [
        "time,quantity,value",
        "2026-11-20T08:00:00+00:00,count,0.0",
        "2026-11-20T09:00:00+00:00,count,10.0",
        "2026-11-20T10:00:00+00:00,count,20.0",
    ]
    with pytest.raises(CommandError):
        call_command(
            "sensors",
            "register",
            "--tenant",
            tenant.slug,
            "--ref",
            "PISC-01",
            "--kind",
            "people_counter",
        )  # already registered
    with pytest.raises(CommandError):
        call_command("sensors", "export", "--tenant", "nowhere", "--ref", "X", "--format", "csv")


def test_simulate_into_the_database(tenant: Any) -> None:
    for kind in (
        "water_flow",
        "water_pressure",
        "energy",
        "indoor_climate",
        "street_light",
        "air_quality",
        "waste_fill",
        "parking_spot",
        "people_counter",
    ):
        SensorFactory(tenant=tenant, kind=kind)
    out = io.StringIO()
    call_command("sensors", "simulate", "--tenant", tenant.slug, "--hours", "24", stdout=out)
    assert "accepted" in out.getvalue()
    kinds = set(Reading.objects.values_list("sensor__kind", flat=True))
    assert len(kinds) == 9  # every kind produced plausible, accepted values


def test_simulated_leak_raises_the_night_flow(tenant: Any) -> None:
    SensorFactory(tenant=tenant, ref="DMA-1", kind="water_flow")
    SensorFactory(tenant=tenant, ref="DMA-2", kind="water_flow")
    call_command(
        "sensors",
        "simulate",
        "--tenant",
        tenant.slug,
        "--hours",
        "96",
        "--leak",
        "DMA-1",
        stdout=io.StringIO(),
    )

    def night_mean(ref: str, first_half: bool) -> float:
        rows = Reading.objects.filter(sensor__ref=ref).order_by("time")
        values = [(r.time, r.value) for r in rows]
        half = values[: len(values) // 2] if first_half else values[len(values) // 2 + 1 :]
        night = [v for t, v in half if 2 <= timezone.localtime(t).hour < 5]
        return sum(night) / len(night)

    assert night_mean("DMA-1", False) - night_mean("DMA-1", True) > 4  # +6 m³/h leak
    assert abs(night_mean("DMA-2", False) - night_mean("DMA-2", True)) < 2
