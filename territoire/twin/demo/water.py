"""Demo water network: EPANET's Net3 placed on Valmont-sur-Mer, with one injected leak.

Sensor readings are made from WNTR simulations of the same model the twin uses: a
24-hour run without leak gives healthy days, a run with a leak at ``LEAK_NODE`` gives the
days after the leak started. Day-to-day variation of use and sensor noise are added so
that detection has to tell a leak from ordinary nights.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources

from django.utils import timezone

from territoire.core.models import District, LocalAuthority
from territoire.core.timeseries import Point, SensorInfo, provider
from territoire.twin import factors, hydraulics, leaks
from territoire.twin.models import Dma, Leak, LeakStatus, WaterNetwork
from territoire.twin.services.water import (
    FLOW_KIND,
    FLOW_QUANTITY,
    M_PER_BAR,
    PRESSURE_KIND,
    PRESSURE_QUANTITY,
    dmas_define_from_districts,
    flow_sensor_ref,
    network_import,
    pressure_sensor_ref,
)

CENTRE_LON, CENTRE_LAT = -1.153, 46.152
EXTENT_M = 3200
LEAK_NODE = "113"  # in the Plage DMA, between pressure sensors (none on it)
LEAK_FLOW_M3H = 40.0
LEAK_DAYS = 4  # the leak started this many nights before "now"
SENSORS_PER_DMA = 3
FLOW_NOISE = 0.006  # relative, day-to-day variation of night use
PRESSURE_NOISE_M = 0.02
MIN_SERVICE_PRESSURE_M = 10.0  # where a pressure logger is worth installing


def net3_text() -> str:
    return (resources.files("wntr") / "library" / "networks" / "Net3.inp").read_text(
        encoding="utf-8"
    )


@dataclass
class WaterScenario:
    network: WaterNetwork
    leak_node: str
    leak_dma: Dma
    leak_start: date
    pressure_nodes: list[str]


def _spread(nodes: list[tuple[str, float, float]], k: int) -> list[str]:
    """``k`` nodes spread over the area (farthest-point sampling from the centre)."""
    if not nodes:
        return []
    cx = statistics.fmean(n[1] for n in nodes)
    cy = statistics.fmean(n[2] for n in nodes)
    chosen = [min(nodes, key=lambda n: (n[1] - cx) ** 2 + (n[2] - cy) ** 2)]
    while len(chosen) < min(k, len(nodes)):
        chosen.append(
            max(
                (n for n in nodes if n not in chosen),
                key=lambda n: min((n[1] - c[1]) ** 2 + (n[2] - c[2]) ** 2 for c in chosen),
            )
        )
    return [n[0] for n in chosen]


def import_demo_network(*, tenant: LocalAuthority) -> tuple[WaterNetwork, list[Dma]]:
    """Net3 placed on the town, one DMA per quartier (no sensor needed)."""
    network = network_import(
        actor="demo",
        tenant=tenant,
        name="Réseau d'eau potable de Valmont-sur-Mer",
        inp_text=net3_text(),
        centre_lon=CENTRE_LON,
        centre_lat=CENTRE_LAT,
        extent_m=EXTENT_M,
        source_name="Net3.inp",
    )
    districts = list(District.objects.for_tenant(tenant).order_by("name"))
    dmas = dmas_define_from_districts(
        actor="demo", tenant=tenant, network=network, districts=districts
    )
    return network, dmas


def seed_water(
    *,
    tenant: LocalAuthority,
    now: datetime,
    rng: random.Random,
    days: int = 28,
    leak_node: str = LEAK_NODE,
) -> WaterScenario:
    """Import Net3, define DMAs from the quartiers, create sensors and their readings."""
    network, dmas = import_demo_network(tenant=tenant)
    nodes = {n.name: n for n in network.nodes.all()}
    leak_dma = nodes[leak_node].dma
    assert leak_dma is not None

    baseline = hydraulics.simulate_baseline(network.inp_text, 24)
    night = range(leaks.NIGHT_START_HOUR, leaks.NIGHT_END_HOUR)
    area = hydraulics.leak_area_for_flow(
        LEAK_FLOW_M3H, statistics.fmean(baseline.pressure[leak_node][h] for h in night)
    )
    leaky = hydraulics.simulate(network.inp_text, hours=24, leak_node=leak_node, leak_area_m2=area)

    ts = provider()
    pressure_nodes: list[str] = []
    for dma in dmas:
        ts.ensure_sensor(
            tenant,
            SensorInfo(
                ref=flow_sensor_ref(dma),
                kind=FLOW_KIND,
                name=f"Débitmètre {dma.name}",
                quantities=(FLOW_QUANTITY,),
                district_slug=dma.district_slug,
                extra={"network": network.slug, "dma": dma.code, "unit": "m³/h"},
            ),
        )
        # Pressure loggers go on junctions with service pressure: a node near zero
        # pressure (a high point, a tank inlet) would read noise around zero bar.
        members = [
            (n.name, n.lon, n.lat)
            for n in nodes.values()
            if n.dma_id == dma.pk
            and n.name != leak_node
            and n.kind == "junction"
            and min(baseline.pressure[n.name]) >= MIN_SERVICE_PRESSURE_M
            and min(leaky.pressure[n.name]) >= MIN_SERVICE_PRESSURE_M
        ]
        for name in _spread(members, SENSORS_PER_DMA):
            pressure_nodes.append(name)
            ts.ensure_sensor(
                tenant,
                SensorInfo(
                    ref=pressure_sensor_ref(network, name),
                    kind=PRESSURE_KIND,
                    name=f"Pression nœud {name}",
                    quantities=(PRESSURE_QUANTITY,),
                    lon=nodes[name].lon,
                    lat=nodes[name].lat,
                    district_slug=dma.district_slug,
                    extra={"network": network.slug, "node": name, "dma": dma.code, "unit": "bar"},
                ),
            )

    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    leak_start = today - timedelta(days=LEAK_DAYS - 1)
    members_by_dma = {
        d.pk: [n for n in nodes.values() if n.dma_id == d.pk and n.kind == "junction"] for d in dmas
    }
    flows: dict[str, list[Point]] = {flow_sensor_ref(d): [] for d in dmas}
    pressures: dict[str, list[Point]] = {n: [] for n in pressure_nodes}
    for offset in range(days, -1, -1):
        day = today - timedelta(days=offset)
        use = rng.gauss(1.0, FLOW_NOISE)  # the whole town draws a bit more or less that day
        sim = leaky if day >= leak_start else baseline
        for hour in range(24):
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
            if moment > now:
                break
            for dma in dmas:
                flow = sum(sim.demand[n.name][hour] for n in members_by_dma[dma.pk]) * use
                if sim is leaky and dma.pk == leak_dma.pk:
                    flow += leaky.leak_m3h[hour]
                flow *= 1 + rng.gauss(0, 0.002)  # meter noise
                flows[flow_sensor_ref(dma)].append(Point(moment, round(flow, 2)))
            for name in pressure_nodes:
                head = sim.pressure[name][hour] + rng.gauss(0, PRESSURE_NOISE_M)
                pressures[name].append(Point(moment, round(head / M_PER_BAR, 4)))
    for ref, points in flows.items():
        ts.record(tenant, ref, FLOW_QUANTITY, points)
    for name, points in pressures.items():
        ts.record(tenant, pressure_sensor_ref(network, name), PRESSURE_QUANTITY, points)
    return WaterScenario(network, leak_node, leak_dma, leak_start, pressure_nodes)


def seed_past_leaks(*, tenant: LocalAuthority, scenario: WaterScenario, now: datetime) -> None:
    """Two leaks found earlier in the year and repaired: the history a real year leaves."""
    others = [d for d in scenario.network.dmas.all() if d.pk != scenario.leak_dma.pk]
    price = float(scenario.network.price_eur_m3)
    for dma, days_ago, excess, team in zip(
        others, (214, 97), (18.0, 9.5), ("Karim Benali", "Karim Benali"), strict=False
    ):
        first = (now - timedelta(days=days_ago)).date()
        leak = Leak.objects.create(
            tenant=tenant,
            dma=dma,
            status=LeakStatus.REPAIRED,
            first_night=first,
            night_flow_m3h=round(dma.legitimate_night_m3h + excess, 2),
            excess_m3h=excess,
            volume_m3_day=excess * factors.NIGHT_DAY_FACTOR_HOURS,
            cost_eur_day=round(excess * factors.NIGHT_DAY_FACTOR_HOURS * price, 2),
            localisation_note="Fuite sur branchement trouvée à l'écoute par l'équipe réseau.",
            status_changed_at=now - timedelta(days=days_ago - 6),
            status_changed_by=team,
            status_reason="Branchement remplacé.",
        )
        # detected_at is set on creation: backdate it to the morning after the first night.
        Leak.objects.filter(pk=leak.pk).update(detected_at=now - timedelta(days=days_ago - 1))
