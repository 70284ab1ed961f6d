"""Water network: import, district metered areas, leak detection and localisation."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territoire.core import events
from territoire.core.audit import audit_record
from territoire.core.geo import centroid, contains
from territoire.core.models import District, LocalAuthority, Membership
from territoire.core.services import notify
from territoire.core.timeseries import Point, SensorInfo, provider
from territoire.twin import hydraulics, leaks
from territoire.twin.models import (
    LEAK_TRANSITIONS,
    Dma,
    Leak,
    LeakStatus,
    NetworkNode,
    WaterNetwork,
)
from territoire.twin.services.runs import TwinInputError

FLOW_KIND = "water_flow"
PRESSURE_KIND = "water_pressure"
FLOW_QUANTITY = "flow"  # m³/h entering the DMA
PRESSURE_QUANTITY = "pressure"  # bar
M_PER_BAR = 10.197
HISTORY_DAYS = 21
MAX_CANDIDATES = 20
Progress = Callable[[int, str], None]


def _no_progress(percent: int, message: str) -> None:
    return None


@transaction.atomic
def network_import(
    *,
    actor: Any,
    tenant: LocalAuthority,
    name: str,
    inp_text: str,
    centre_lon: float,
    centre_lat: float,
    extent_m: float = 3000,
    source_name: str = "",
) -> WaterNetwork:
    """Import an EPANET network and place its drawing on the map around (lon, lat).

    Raises :class:`TwinInputError` with a French explanation when the file cannot be used.
    """
    try:
        parsed = hydraulics.parse_network(inp_text)
    except hydraulics.NetworkFormatError as exc:
        raise TwinInputError(str(exc)) from exc
    base = slugify(name)[:70] or "reseau"
    slug, n = base, 1
    while WaterNetwork.objects.for_tenant(tenant).filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    network = WaterNetwork.objects.create(
        tenant=tenant,
        name=name,
        slug=slug,
        inp_text=inp_text,
        source_name=source_name[:200],
        units=parsed.units,
        centre_lon=centre_lon,
        centre_lat=centre_lat,
        extent_m=extent_m,
        links=[[lk.name, lk.kind, lk.start, lk.end, round(lk.length_m, 1)] for lk in parsed.links],
    )
    placed = hydraulics.place_on_map(
        parsed.nodes, centre_lon=centre_lon, centre_lat=centre_lat, extent_m=extent_m
    )
    NetworkNode.objects.bulk_create(
        NetworkNode(
            tenant=tenant,
            network=network,
            name=node.name,
            kind=node.kind,
            lon=placed[node.name][0],
            lat=placed[node.name][1],
            elevation_m=node.elevation,
            base_demand_m3h=node.base_demand_m3h,
        )
        for node in parsed.nodes
    )
    audit_record(
        actor=actor,
        action="twin.network_import",
        tenant=tenant,
        obj=network,
        details={"nodes": len(parsed.nodes), "links": len(parsed.links), "file": source_name},
    )
    return network


def night_demand_by_node(network: WaterNetwork) -> dict[str, float]:
    """Modelled night demand (m³/h, mean of 02:00 and 03:00) of every junction."""
    sim = hydraulics.simulate_baseline(network.inp_text, leaks.NIGHT_END_HOUR)
    hours = range(leaks.NIGHT_START_HOUR, leaks.NIGHT_END_HOUR)
    return {n: statistics.fmean(v[h] for h in hours) for n, v in sim.demand.items()}


@transaction.atomic
def dmas_define_from_districts(
    *, actor: Any, tenant: LocalAuthority, network: WaterNetwork, districts: list[District]
) -> list[Dma]:
    """One DMA per quartier: each junction goes to the quartier it lies in (or the nearest).

    The legitimate night use of each DMA is the modelled night demand of its junctions,
    which the EPANET demands and patterns encode from the customers' billing.
    """
    if not districts:
        raise TwinInputError(_("Aucun quartier n'est défini : dessinez d'abord les quartiers."))
    centres = {d.pk: centroid(d.geometry) for d in districts}
    night = night_demand_by_node(network)
    junctions = list(network.nodes.filter(kind="junction"))
    dmas: dict[int, Dma] = {}
    members: dict[int, list[NetworkNode]] = {d.pk: [] for d in districts}
    for node in junctions:
        home = next((d for d in districts if contains(d.geometry, node.lon, node.lat)), None)
        if home is None:
            home = min(
                districts,
                key=lambda d: (
                    (centres[d.pk][0] - node.lon) ** 2 + (centres[d.pk][1] - node.lat) ** 2
                ),
            )
        members[home.pk].append(node)
    for district in districts:
        nodes = members[district.pk]
        if not nodes:
            continue
        dma, _created = Dma.objects.update_or_create(
            tenant=tenant,
            network=network,
            code=f"dma-{district.slug}",
            defaults={
                "name": _("Secteur %(name)s") % {"name": district.name},
                "legitimate_night_m3h": round(sum(night.get(n.name, 0.0) for n in nodes), 2),
                "district_slug": district.slug,
            },
        )
        NetworkNode.objects.filter(pk__in=[n.pk for n in nodes]).update(dma=dma)
        dmas[district.pk] = dma
    audit_record(
        actor=actor,
        action="twin.dmas_define",
        tenant=tenant,
        obj=network,
        details={"dmas": [d.code for d in dmas.values()]},
    )
    return list(dmas.values())


def _sensors_of(tenant: LocalAuthority, network: WaterNetwork, kind: str) -> list[SensorInfo]:
    return [
        s for s in provider().sensors(tenant, kind=kind) if s.extra.get("network") == network.slug
    ]


def flow_sensor_ref(dma: Dma) -> str:
    return f"eau-{dma.network.slug}-{dma.code}-debit"


def pressure_sensor_ref(network: WaterNetwork, node: str) -> str:
    return f"eau-{network.slug}-pression-{slugify(node)}"


def water_analyse(
    *,
    tenant: LocalAuthority,
    network: WaterNetwork,
    now: datetime | None = None,
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    """Check every DMA's night flow, localise new leaks, raise an alert for each.

    Returns a summary (per DMA figures) for the run's result. A DMA without a flow meter
    is reported as such rather than skipped silently.
    """
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    start = now - timedelta(days=HISTORY_DAYS)
    flow_sensors = {s.extra.get("dma"): s for s in _sensors_of(tenant, network, FLOW_KIND)}
    dmas = list(network.dmas.all())
    if not dmas:
        raise TwinInputError(_("Le réseau n'a aucun secteur de comptage : définissez-les d'abord."))
    if not flow_sensors:
        raise TwinInputError(
            _(
                "Aucun débitmètre de secteur n'est relié à ce réseau : la méthode du débit "
                "minimum de nuit a besoin d'un capteur « %(kind)s » par secteur."
            )
            % {"kind": FLOW_KIND}
        )
    summary: list[dict[str, Any]] = []
    for i, dma in enumerate(dmas):
        progress(5 + 20 * i // len(dmas), _("Débit de nuit : %(dma)s") % {"dma": dma.name})
        sensor = flow_sensors.get(dma.code)
        row: dict[str, Any] = {
            "dma": dma.code,
            "name": dma.name,
            "legitimate": dma.legitimate_night_m3h,
        }
        if sensor is None:
            row["note"] = _("pas de débitmètre")
            summary.append(row)
            continue
        points = provider().readings(tenant, sensor.ref, FLOW_QUANTITY, start, now)
        nights = leaks.nightly_means(points, tz)
        if len(nights) < 3:
            row["note"] = _("moins de trois nuits de mesures")
            summary.append(row)
            continue
        result = leaks.detect_mnf(nights, legitimate_m3h=dma.legitimate_night_m3h)
        row.update(
            {
                "nights": {d.isoformat(): round(v, 2) for d, v in result.nights.items()},
                "threshold": round(result.threshold_m3h, 2),
                "leak": result.leak,
                "excess": round(result.excess_m3h, 2),
            }
        )
        summary.append(row)
        if result.leak:
            existing = Leak.objects.for_tenant(tenant).open().filter(dma=dma).first()
            if existing is None:
                leak = _leak_open(
                    now=now, tenant=tenant, network=network, dma=dma, mnf=result, progress=progress
                )
                row["leak_id"] = leak.pk
            else:
                row["leak_id"] = existing.pk
    progress(100, _("Analyse terminée"))
    return {"dmas": summary, "network": network.slug}


def _leak_open(
    *,
    now: datetime,
    tenant: LocalAuthority,
    network: WaterNetwork,
    dma: Dma,
    mnf: leaks.MnfResult,
    progress: Progress,
) -> Leak:
    assert mnf.first_night is not None
    price = float(network.price_eur_m3)
    last_flow = list(mnf.nights.values())[-1]
    candidates, note = leak_localise(
        now=now,
        tenant=tenant,
        network=network,
        dma=dma,
        first_night=mnf.first_night,
        excess_m3h=mnf.excess_m3h,
        progress=progress,
    )
    with transaction.atomic():
        # Two analyses may run at once (a scheduled one and an agent's click): lock the DMA
        # and look again, so that one leak is opened, and one alert raised, not two.
        Dma.objects.select_for_update().get(pk=dma.pk)
        existing = Leak.objects.for_tenant(tenant).open().filter(dma=dma).first()
        if existing is not None:
            return existing
        best = candidates[0] if candidates else None
        if best is None:
            lon, lat = _dma_centre(dma)
        else:
            lon, lat = best["lon"], best["lat"]
        leak = Leak.objects.create(
            tenant=tenant,
            dma=dma,
            first_night=mnf.first_night,
            night_flow_m3h=round(last_flow, 2),
            excess_m3h=round(mnf.excess_m3h, 2),
            volume_m3_day=round(mnf.volume_m3_day, 1),
            cost_eur_day=round(mnf.cost_eur_day(price), 2),
            candidates=candidates,
            localisation_note=note,
            lon=lon,
            lat=lat,
            alert_sent=True,
        )
        audit_record(
            actor="jumeau numérique",
            action="twin.leak_detect",
            tenant=tenant,
            obj=leak,
            details={"excess_m3h": leak.excess_m3h, "best": best["node"] if best else None},
        )
        places = ", ".join(c["node"] for c in candidates[:3]) or _("non localisée")
        events.publish(
            events.SensorAlertRaised(
                tenant_id=tenant.pk,
                alert_id=leak.pk,
                kind="leak",
                title=_("Fuite probable — %(dma)s") % {"dma": dma.name},
                description=_(
                    "Débit de nuit supérieur de %(excess)s m³/h à l'usage légitime depuis la "
                    "nuit du %(night)s, soit environ %(volume)s m³ et %(cost)s € perdus par "
                    "jour. Nœuds les plus probables : %(places)s."
                )
                % {
                    "excess": f"{leak.excess_m3h:.1f}".replace(".", ","),
                    "night": f"{leak.first_night:%d/%m/%Y}",
                    "volume": f"{leak.volume_m3_day:.0f}",
                    "cost": f"{leak.cost_eur_day:.0f}",
                    "places": places,
                },
                lon=lon,
                lat=lat,
                service_slug="eau",
                source="twin",
            )
        )
        _notify_water_team(tenant, leak)
    return leak


def _dma_centre(dma: Dma) -> tuple[float | None, float | None]:
    nodes = list(dma.nodes.values_list("lon", "lat"))
    if not nodes:
        return None, None
    return (
        round(statistics.fmean(n[0] for n in nodes), 6),
        round(statistics.fmean(n[1] for n in nodes), 6),
    )


def _notify_water_team(tenant: LocalAuthority, leak: Leak) -> None:
    members = (
        Membership.objects.for_tenant(tenant)
        .active()
        .staff()
        .filter(services__slug="eau")
        .select_related("user")
        .distinct()
    )
    for membership in members:
        notify(
            tenant=tenant,
            user=membership.user,
            subject=_("Fuite probable : %(dma)s") % {"dma": leak.dma.name},
            body=_("Environ %(v)s m³ perdus par jour. Emplacements probables sur la fiche.")
            % {"v": f"{leak.volume_m3_day:.0f}"},
        )


def leak_localise(
    *,
    tenant: LocalAuthority,
    network: WaterNetwork,
    dma: Dma,
    first_night: date,
    excess_m3h: float,
    progress: Progress = _no_progress,
    max_candidates: int = MAX_CANDIDATES,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], str]:
    """Ranked candidate nodes of a leak in ``dma`` and a note for the agent.

    Needs at least two pressure sensors on the network with nights before and after the
    leak started; otherwise returns no candidate and says what is missing.
    """
    tz = timezone.get_current_timezone()
    sensors = [s for s in _sensors_of(tenant, network, PRESSURE_KIND) if s.extra.get("node")]
    start = datetime.combine(first_night - timedelta(days=8), datetime.min.time(), tzinfo=tz)
    end = (now or timezone.now()) + timedelta(minutes=1)
    readings = {}
    for sensor in sensors:
        points = provider().readings(tenant, sensor.ref, PRESSURE_QUANTITY, start, end)
        readings[str(sensor.extra["node"])] = [
            Point(time=p.time, value=p.value * M_PER_BAR) for p in points
        ]
    measured = leaks.measured_drops(readings, first_leak_night=first_night, tz=tz)
    if len(measured) < 2:
        return [], _(
            "Localisation impossible : il faut au moins deux capteurs de pression avec des "
            "mesures de nuit avant et après le début de la fuite (%(n)s disponible)."
        ) % {"n": len(measured)}
    coords = {n.name: (n.lon, n.lat) for n in network.nodes.all()}
    pool = list(dma.nodes.filter(kind="junction").values_list("name", flat=True))
    anchor = min(measured, key=lambda n: measured[n])  # the sensor that dropped most
    pool = leaks.nearest_candidates(
        pool,
        anchor=anchor,
        edges=((lk[2], lk[3], float(lk[4] or 0)) for lk in network.links),
        limit=max_candidates,
    )
    hours = range(leaks.NIGHT_START_HOUR, leaks.NIGHT_END_HOUR)
    baseline = hydraulics.simulate_baseline(network.inp_text, leaks.NIGHT_END_HOUR)
    sensor_nodes = sorted(measured)

    def simulate_drops(node: str) -> dict[str, float]:
        night_pressure = statistics.fmean(baseline.pressure[node][h] for h in hours)
        area = hydraulics.leak_area_for_flow(excess_m3h, night_pressure)
        sim = hydraulics.simulate(
            network.inp_text,
            hours=leaks.NIGHT_END_HOUR,
            leak_node=node,
            leak_area_m2=area,
            nodes=sensor_nodes,
        )
        return {
            s: statistics.fmean(sim.pressure[s][h] - baseline.pressure[s][h] for h in hours)
            for s in sensor_nodes
        }

    def on_progress(done: int, total: int) -> None:
        progress(
            25 + 70 * done // total,
            _("Simulation des fuites candidates : %(d)s/%(t)s") % {"d": done, "t": total},
        )

    ranked = leaks.rank_candidates(measured, pool, simulate_drops, on_progress=on_progress)
    candidates = [
        {
            "node": c.node,
            "rank": c.rank,
            "rmse_m": round(c.rmse_m, 4),
            "lon": coords[c.node][0],
            "lat": coords[c.node][1],
        }
        for c in ranked[:10]
    ]
    note = _(
        "%(n)s nœuds simulés avec une fuite de %(q)s m³/h, comparés aux baisses de pression "
        "de %(s)s capteurs."
    ) % {"n": len(pool), "q": f"{excess_m3h:.1f}".replace(".", ","), "s": len(measured)}
    return candidates, note


@transaction.atomic
def leak_transition(*, actor: Any, leak: Leak, to: str, reason: str = "") -> Leak:
    """Move a leak to ``to`` if the state machine allows it; record who, when and why."""
    leak = Leak.objects.select_for_update().get(pk=leak.pk)  # two agents may click at once
    if to not in LEAK_TRANSITIONS.get(leak.status, set()):
        raise TwinInputError(
            _("Une fuite « %(from)s » ne peut pas passer à « %(to)s ».")
            % {
                "from": leak.get_status_display(),
                "to": LeakStatus(to).label if to in LeakStatus.values else to,
            }
        )
    if to == LeakStatus.DISMISSED and not reason.strip():
        raise TwinInputError(_("Indiquez pourquoi la fuite est écartée."))
    previous = leak.status
    leak.status = to
    leak.status_changed_at = timezone.now()
    leak.status_changed_by = getattr(actor, "email", str(actor))[:254]
    leak.status_reason = reason
    leak.save(update_fields=["status", "status_changed_at", "status_changed_by", "status_reason"])
    audit_record(
        actor=actor,
        action="twin.leak_transition",
        tenant=leak.tenant,
        obj=leak,
        details={"from": previous, "to": to, "reason": reason[:500]},
    )
    if getattr(actor, "is_authenticated", False):
        notify(
            tenant=leak.tenant,
            user=actor,
            subject=_("Fuite %(dma)s : %(status)s")
            % {"dma": leak.dma.name, "status": leak.get_status_display()},
            body=reason or "",
            email=False,
        )
    return leak
