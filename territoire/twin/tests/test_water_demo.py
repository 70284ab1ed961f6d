"""The demo scenario end to end: Net3 on Valmont, readings, detection, localisation, alert."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils import timezone

from territoire.core import events
from territoire.core.models import AuditEntry
from territoire.twin.demo import water as demo_water
from territoire.twin.models import Leak, LeakStatus
from territoire.twin.services import TwinInputError, water_analyse


@pytest.fixture
def scenario(ts: Any, tenant: Any, valmont_districts: Any) -> demo_water.WaterScenario:
    return demo_water.seed_water(tenant=tenant, now=timezone.now(), rng=random.Random(7), days=14)


@pytest.fixture
def raised() -> Any:
    received: list[events.SensorAlertRaised] = []
    handler = events.subscribe(events.SensorAlertRaised)(received.append)
    yield received
    events._subscribers[events.SensorAlertRaised].remove(handler)


def test_demo_leak_detected_localised_and_alerted(
    scenario: Any, tenant: Any, raised: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        summary = water_analyse(tenant=tenant, network=scenario.network)
    flagged = {row["dma"] for row in summary["dmas"] if row.get("leak")}
    assert flagged == {scenario.leak_dma.code}  # healthy DMAs are not flagged
    assert len(summary["dmas"]) == 4

    leak = Leak.objects.for_tenant(tenant).get()
    assert leak.dma == scenario.leak_dma
    assert leak.first_night == scenario.leak_start
    assert leak.excess_m3h == pytest.approx(demo_water.LEAK_FLOW_M3H, rel=0.15)
    assert leak.volume_m3_day == pytest.approx(leak.excess_m3h * 20, rel=0.01)
    assert leak.cost_eur_day == pytest.approx(leak.volume_m3_day * 1.2, rel=0.01)
    dma_nodes = set(scenario.leak_dma.nodes.values_list("name", flat=True))
    assert {c["node"] for c in leak.candidates} <= dma_nodes  # candidates stay in the DMA
    top3 = [c["node"] for c in leak.candidates[:3]]
    assert scenario.leak_node in top3
    assert scenario.leak_node not in scenario.pressure_nodes  # no sensor sits on the leak

    assert len(raised) == 1
    alert = raised[0]
    assert alert.service_slug == "eau"
    assert alert.kind == "leak"
    assert alert.source == "twin"
    assert alert.alert_id == leak.pk
    assert (alert.lon, alert.lat) == (leak.candidates[0]["lon"], leak.candidates[0]["lat"])
    assert AuditEntry.objects.filter(action="twin.leak_detect", tenant=tenant).count() == 1

    # A second analysis the next hour does not open the same leak twice.
    with django_capture_on_commit_callbacks(execute=True):
        water_analyse(tenant=tenant, network=scenario.network)
    assert Leak.objects.for_tenant(tenant).count() == 1
    assert len(raised) == 1


def test_intervention_closed_marks_leak_repaired(
    scenario: Any, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    water_analyse(tenant=tenant, network=scenario.network, progress=lambda p, m: None)
    leak = Leak.objects.for_tenant(tenant).get()
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(
            events.InterventionClosed(
                tenant_id=tenant.pk, intervention_id=9, source="other", source_ref=str(leak.pk)
            )
        )
    leak.refresh_from_db()
    assert leak.status == LeakStatus.DETECTED  # another module's intervention: not ours
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(
            events.InterventionClosed(
                tenant_id=tenant.pk, intervention_id=10, source="twin", source_ref=str(leak.pk)
            )
        )
    leak.refresh_from_db()
    assert leak.status == LeakStatus.REPAIRED


def test_without_pressure_sensors_the_leak_is_found_but_not_localised(
    scenario: Any, tenant: Any, ts: Any
) -> None:
    for key in [k for k, info in ts.infos.items() if info.kind == "water_pressure"]:
        del ts.infos[key]
    water_analyse(tenant=tenant, network=scenario.network)
    leak = Leak.objects.for_tenant(tenant).get()
    assert leak.candidates == []
    assert "au moins deux capteurs de pression" in leak.localisation_note
    assert leak.lon is not None  # the DMA's centre, so the team still knows where to go


def test_without_flow_meters_analysis_explains(scenario: Any, tenant: Any, ts: Any) -> None:
    ts.infos.clear()
    with pytest.raises(TwinInputError, match="débitmètre"):
        water_analyse(tenant=tenant, network=scenario.network)


def test_other_tenant_sensors_are_not_used(scenario: Any, tenant: Any, other_tenant: Any) -> None:
    from territoire.twin.models import Dma, WaterNetwork

    assert not WaterNetwork.objects.for_tenant(other_tenant).exists()
    dmas = list(scenario.network.dmas.all())
    net = scenario.network
    net.pk = None
    net.tenant = other_tenant
    net.save()  # the same network and DMA codes on another tenant, which has no sensors
    for dma in dmas:
        Dma.objects.create(
            tenant=other_tenant,
            network=net,
            code=dma.code,
            name=dma.name,
            legitimate_night_m3h=dma.legitimate_night_m3h,
        )
    with pytest.raises(TwinInputError, match="débitmètre"):
        water_analyse(tenant=other_tenant, network=net)
    assert not Leak.objects.for_tenant(other_tenant).exists()
