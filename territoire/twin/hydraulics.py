"""Hydraulic model of a drinking-water network: EPANET ``.inp`` files simulated with WNTR.

WNTR (the US EPA's Water Network Tool for Resilience) reads EPANET files and its
``WNTRSimulator`` models leaks as pressure-dependent orifices (the EPANET simulator
ignores them), which is what leak localisation needs. WNTR and its scientific stack are
heavy to import, so they are imported inside the functions that need them.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

# WNTR logs every solver step at INFO: keep only its warnings in our logs.
logging.getLogger("wntr").setLevel(logging.WARNING)

GRAVITY = 9.81
LEAK_DISCHARGE_COEFF = 0.75  # WNTR's default for a sharp-edged orifice
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0


class NetworkFormatError(ValueError):
    """The ``.inp`` text is not a network WNTR can read; the message says why, in French."""


@dataclass(frozen=True)
class NodeGeo:
    name: str
    kind: str  # "junction", "tank", "reservoir"
    x: float
    y: float
    elevation: float
    base_demand_m3h: float


@dataclass(frozen=True)
class LinkGeo:
    name: str
    kind: str  # "pipe", "pump", "valve"
    start: str
    end: str
    length_m: float
    diameter_m: float


@dataclass
class ParsedNetwork:
    nodes: list[NodeGeo]
    links: list[LinkGeo]
    units: str
    duration_h: float
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def load_model(inp_text: str) -> Any:
    """A fresh ``WaterNetworkModel`` from EPANET text (a new object each call: leaks mutate it)."""
    import wntr

    if not inp_text.strip():
        raise NetworkFormatError(_("Le fichier est vide."))
    if "[JUNCTIONS]" not in inp_text.upper() and "[RESERVOIRS]" not in inp_text.upper():
        raise NetworkFormatError(
            _(
                "Ce n'est pas un fichier EPANET : il manque les sections [JUNCTIONS] "
                "ou [RESERVOIRS]."
            )
        )
    # WNTR reads from a path only; the temporary file lives for the parse.
    fd, path = tempfile.mkstemp(suffix=".inp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(inp_text)
        try:
            return wntr.network.WaterNetworkModel(path)
        except Exception as exc:  # WNTR raises bare RuntimeError/KeyError/ValueError...
            detail = str(exc).replace(path, "fichier")[:300]
            raise NetworkFormatError(
                _("Le fichier EPANET n'a pas pu être lu : %(detail)s") % {"detail": detail}
            ) from exc
    finally:
        os.unlink(path)


def parse_network(inp_text: str) -> ParsedNetwork:
    """Nodes, links and units of an EPANET network, checked for what the twin needs."""
    wn = load_model(inp_text)
    nodes: list[NodeGeo] = []
    for name, node in wn.nodes():
        kind = {"Junction": "junction", "Tank": "tank", "Reservoir": "reservoir"}.get(
            node.node_type, "junction"
        )
        demand = 0.0
        if kind == "junction":
            demand = sum(d.base_value for d in node.demand_timeseries_list) * 3600
        x, y = node.coordinates if node.coordinates else (0.0, 0.0)
        elevation = float(getattr(node, "elevation", 0.0) or 0.0)
        nodes.append(NodeGeo(name, kind, float(x), float(y), elevation, float(demand)))
    links: list[LinkGeo] = []
    for name, link in wn.links():
        kind = {"Pipe": "pipe", "Pump": "pump"}.get(link.link_type, "valve")
        links.append(
            LinkGeo(
                name,
                kind,
                link.start_node_name,
                link.end_node_name,
                float(getattr(link, "length", 0.0) or 0.0),
                float(getattr(link, "diameter", 0.0) or 0.0),
            )
        )
    if not any(n.kind == "junction" for n in nodes):
        raise NetworkFormatError(_("Le réseau ne contient aucun nœud de consommation."))
    if not any(n.kind in ("tank", "reservoir") for n in nodes):
        raise NetworkFormatError(_("Le réseau n'a ni réservoir ni bâche : il n'est pas alimenté."))
    if all(n.x == 0 and n.y == 0 for n in nodes):
        raise NetworkFormatError(
            _("Le fichier n'a pas de section [COORDINATES] : impossible de placer le réseau.")
        )
    return ParsedNetwork(
        nodes=nodes,
        links=links,
        units=str(wn.options.hydraulic.inpfile_units),
        duration_h=float(wn.options.time.duration) / 3600,
        title=" ".join(wn.title or [])[:200],
    )


def place_on_map(
    nodes: list[NodeGeo], *, centre_lon: float, centre_lat: float, extent_m: float
) -> dict[str, tuple[float, float]]:
    """(lon, lat) of every node: the drawing is scaled so its longest side is ``extent_m``.

    EPANET coordinates are in arbitrary drawing units; an affine transform (uniform scale,
    no rotation) keeps the layout and puts its centre on the town.
    """
    xs = [n.x for n in nodes]
    ys = [n.y for n in nodes]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = extent_m / span  # metres per drawing unit
    cx = (max(xs) + min(xs)) / 2
    cy = (max(ys) + min(ys)) / 2
    m_per_deg_lon = M_PER_DEG_LON_EQUATOR * math.cos(math.radians(centre_lat))
    return {
        n.name: (
            round(centre_lon + (n.x - cx) * scale / m_per_deg_lon, 6),
            round(centre_lat + (n.y - cy) * scale / M_PER_DEG_LAT, 6),
        )
        for n in nodes
    }


def leak_area_for_flow(flow_m3h: float, pressure_m: float) -> float:
    """Orifice area (m²) that leaks ``flow_m3h`` under ``pressure_m`` (Torricelli)."""
    pressure = max(pressure_m, 1.0)
    return (flow_m3h / 3600) / (LEAK_DISCHARGE_COEFF * math.sqrt(2 * GRAVITY * pressure))


@dataclass
class Simulation:
    """Pressures (m) and demands (m³/h) per hour of the day, for the nodes asked for."""

    pressure: dict[str, list[float]]
    demand: dict[str, list[float]]
    leak_m3h: list[float]


def simulate(
    inp_text: str,
    *,
    hours: int = 24,
    leak_node: str | None = None,
    leak_area_m2: float = 0.0,
    nodes: list[str] | None = None,
) -> Simulation:
    """Run WNTRSimulator from midnight for ``hours`` hourly steps, with an optional leak.

    The leak is open for the whole run so that night hours of a simulated day match the
    nights measured once the leak had started.
    """
    import wntr

    wn = load_model(inp_text)
    wn.options.time.duration = hours * 3600
    wn.options.time.hydraulic_timestep = 3600
    wn.options.time.report_timestep = 3600
    if leak_node is not None:
        try:
            junction = wn.get_node(leak_node)
        except KeyError as exc:
            raise NetworkFormatError(_("Nœud inconnu : %(n)s") % {"n": leak_node}) from exc
        junction.add_leak(wn, area=leak_area_m2, discharge_coeff=LEAK_DISCHARGE_COEFF, start_time=0)
    from threadpoolctl import threadpool_limits

    try:
        with threadpool_limits(limits=1, user_api="blas"):  # small sparse systems: one thread
            results = wntr.sim.WNTRSimulator(wn).run_sim()
    except Exception as exc:  # the solver fails on inconsistent networks
        raise NetworkFormatError(
            _("La simulation hydraulique n'a pas convergé : %(d)s") % {"d": str(exc)[:200]}
        ) from exc
    names = nodes if nodes is not None else list(wn.junction_name_list)
    # Controls (tank levels switching pumps) add intermediate time steps: keep the hours.
    steps = [h * 3600 for h in range(hours + 1)]
    pressure = results.node["pressure"].reindex(steps, method="ffill")
    demand = results.node["demand"].reindex(steps, method="ffill")
    leak = [0.0] * (hours + 1)
    if leak_node is not None and "leak_demand" in results.node:
        leak_demand = results.node["leak_demand"].reindex(steps, method="ffill")
        leak = [float(v) * 3600 for v in leak_demand[leak_node].tolist()]
    return Simulation(
        pressure={n: [float(v) for v in pressure[n].tolist()] for n in names},
        demand={n: [float(v) * 3600 for v in demand[n].tolist()] for n in names},
        leak_m3h=leak,
    )


@lru_cache(maxsize=4)
def simulate_baseline(inp_text: str, hours: int) -> Simulation:
    """The leak-free run of a network, cached: every localisation compares against it.

    Callers must not modify the returned object.
    """
    return simulate(inp_text, hours=hours)
