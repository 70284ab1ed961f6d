"""Reads of the twin module (always scoped by tenant)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from territoire.core.models import LocalAuthority
from territoire.twin import drawing
from territoire.twin.models import Gain, Leak, LeakQuerySet, RunKind, TwinRun, WaterNetwork


def gains(tenant: LocalAuthority) -> QuerySet[Gain]:
    return Gain.objects.for_tenant(tenant).order_by("twin", "label")


def runs(tenant: LocalAuthority) -> QuerySet[TwinRun]:
    return TwinRun.objects.for_tenant(tenant).select_related("requested_by")


def latest_run(tenant: LocalAuthority, kind: str) -> TwinRun | None:
    return TwinRun.objects.for_tenant(tenant).latest_done(kind)


def last_runs_by_kind(tenant: LocalAuthority) -> dict[str, TwinRun]:
    """The most recent run of each twin, whatever its state (for the dashboard)."""
    result: dict[str, TwinRun] = {}
    for run in TwinRun.objects.for_tenant(tenant).order_by("-created", "-pk")[:200]:
        result.setdefault(run.kind, run)
    return result


def networks(tenant: LocalAuthority) -> QuerySet[WaterNetwork]:
    return WaterNetwork.objects.for_tenant(tenant)


def leaks(tenant: LocalAuthority) -> LeakQuerySet:
    qs: LeakQuerySet = Leak.objects.for_tenant(tenant).select_related("dma", "dma__network")
    return qs


def pressure_sensor_nodes(tenant: LocalAuthority, network: WaterNetwork) -> set[str]:
    """Nodes of ``network`` that carry a pressure sensor (empty without the sensors module)."""
    from territoire.core.timeseries import NoTimeSeriesProvider, provider
    from territoire.twin.services.water import PRESSURE_KIND

    try:
        sensors = provider().sensors(tenant, kind=PRESSURE_KIND)
    except NoTimeSeriesProvider:
        return set()
    return {str(s.extra.get("node")) for s in sensors if s.extra.get("network") == network.slug}


def network_drawing(
    network: WaterNetwork,
    *,
    highlight: list[dict[str, Any]] | None = None,
    sensor_nodes: set[str] | None = None,
) -> dict[str, Any]:
    """SVG geometry of a network: pipes, junctions coloured by DMA, leak candidates."""
    nodes = list(network.nodes.select_related("dma"))
    projector = drawing.Projector.around((n.lon, n.lat) for n in nodes)
    where = {n.name: projector.xy(n.lon, n.lat) for n in nodes}
    dma_codes = sorted({n.dma.code for n in nodes if n.dma})
    colour = {code: drawing.PALETTE[i % len(drawing.PALETTE)] for i, code in enumerate(dma_codes)}
    pipes = [
        (*where[a], *where[b])
        for _name, _kind, a, b, _length in network.links
        if a in where and b in where
    ]
    dots = [
        {
            "x": where[n.name][0],
            "y": where[n.name][1],
            "colour": colour.get(n.dma.code, "#4a4a4a") if n.dma else "#4a4a4a",
            "kind": n.kind,
            "name": n.name,
        }
        for n in nodes
    ]
    marks = [
        {
            "x": where[c["node"]][0],
            "y": where[c["node"]][1],
            "label_x": where[c["node"]][0] + 14,
            "rank": c["rank"],
            "node": c["node"],
        }
        for c in (highlight or [])
        if c["node"] in where
    ]
    sensors = [
        {"x": where[n][0] - 5, "y": where[n][1] - 5, "node": n}
        for n in sorted(sensor_nodes or ())
        if n in where
    ]
    legend = [(n.dma.name, colour[n.dma.code]) for n in nodes if n.dma]
    return {
        "width": projector.width,
        "height": projector.height,
        "pipes": pipes,
        "dots": dots,
        "marks": marks,
        "sensors": sensors,
        "legend": sorted(set(legend)),
    }


def run_kinds() -> list[tuple[str, str]]:
    return [(k.value, str(k.label)) for k in RunKind]
