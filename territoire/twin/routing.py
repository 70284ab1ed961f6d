"""Waste collection: fill-level forecasts and capacitated vehicle routing (OR-Tools).

Without a road graph, the distance between two points is the great-circle distance times
a detour factor (streets are not straight: 1.3 is the usual urban ratio). The routing is
a capacitated vehicle routing problem (CVRP) solved by OR-Tools' routing library with
its cheapest-arc first solution and greedy local search, which is deterministic (no
time-limited metaheuristic) so that the same data gives the same rounds.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from django.utils.translation import gettext as _

EARTH_RADIUS_M = 6_371_000
DETOUR_FACTOR = 1.3


class RoutingError(ValueError):
    """The rounds cannot be planned; the message says what is missing, in French."""


def distance_m(
    a: tuple[float, float], b: tuple[float, float], detour: float = DETOUR_FACTOR
) -> float:
    """Road distance estimate between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h)) * detour


def daily_levels(points: list[tuple[date, float]]) -> list[tuple[date, float]]:
    """The last reading of each day, in day order."""
    by_day: dict[date, float] = {}
    for day, value in sorted(points):
        by_day[day] = value
    return sorted(by_day.items())


def fill_rate(levels: list[tuple[date, float]], *, min_samples: int = 4) -> float | None:
    """Median filling per day (percentage points), from day-to-day rises.

    A fall is an emptying and is skipped. ``None`` when the history is too short to say.
    """
    rises = []
    for (d0, v0), (d1, v1) in pairwise(levels):
        days = (d1 - d0).days
        if days >= 1 and v1 >= v0:
            rises.append((v1 - v0) / days)
    if len(rises) < min_samples:
        return None
    return statistics.median(rises)


@dataclass(frozen=True)
class Stop:
    ref: str
    lon: float
    lat: float
    load_l: int


@dataclass(frozen=True)
class Vehicle:
    name: str
    capacity_l: int
    depot: tuple[float, float]


@dataclass
class Route:
    vehicle: str
    stops: list[str] = field(default_factory=list)
    load_l: int = 0
    distance_m: float = 0.0


@dataclass
class Plan:
    routes: list[Route]

    @property
    def distance_m(self) -> float:
        return sum(r.distance_m for r in self.routes)

    @property
    def visits(self) -> int:
        return sum(len(r.stops) for r in self.routes)


def solve_cvrp(
    stops: list[Stop],
    vehicles: list[Vehicle],
    *,
    detour: float = DETOUR_FACTOR,
    time_limit_s: int = 10,
) -> Plan:
    """Rounds visiting every stop once, no truck over its capacity, shortest total distance."""
    if not vehicles:
        raise RoutingError(
            _("Aucun camion en service : ajoutez-en un pour planifier les tournées.")
        )
    if not stops:
        return Plan([Route(v.name) for v in vehicles])
    total = sum(s.load_l for s in stops)
    capacity = sum(v.capacity_l for v in vehicles)
    if total > capacity:
        raise RoutingError(
            _(
                "Les camions ne peuvent pas tout collecter en une tournée : %(total)s litres à "
                "collecter pour %(cap)s litres de capacité. Ajoutez un camion ou un second "
                "passage, ou relevez le seuil de remplissage."
            )
            % {"total": f"{total:,}".replace(",", " "), "cap": f"{capacity:,}".replace(",", " ")}
        )
    biggest = max(v.capacity_l for v in vehicles)
    too_big = [s.ref for s in stops if s.load_l > biggest]
    if too_big:
        raise RoutingError(
            _("Ces conteneurs dépassent la capacité du plus grand camion : %(refs)s.")
            % {"refs": ", ".join(too_big[:10])}
        )
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    points = [v.depot for v in vehicles] + [(s.lon, s.lat) for s in stops]
    n_vehicles = len(vehicles)
    matrix = [[round(distance_m(a, b, detour)) for b in points] for a in points]
    loads = [0] * n_vehicles + [s.load_l for s in stops]
    depots = list(range(n_vehicles))
    manager = pywrapcp.RoutingIndexManager(len(points), n_vehicles, depots, depots)
    model = pywrapcp.RoutingModel(manager)

    def arc(i: int, j: int) -> int:
        return matrix[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def demand(i: int) -> int:
        return loads[manager.IndexToNode(i)]

    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitCallback(arc))
    model.AddDimensionWithVehicleCapacity(
        model.RegisterUnaryTransitCallback(demand),
        0,
        [v.capacity_l for v in vehicles],
        True,
        "load",
    )
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    params.time_limit.seconds = time_limit_s
    solution = model.SolveWithParameters(params)
    if solution is None:
        raise RoutingError(_("Aucune tournée ne respecte les capacités des camions."))
    routes = []
    for k, vehicle in enumerate(vehicles):
        route = Route(vehicle.name)
        index = model.Start(k)
        while not model.IsEnd(index):
            nxt = solution.Value(model.NextVar(index))
            route.distance_m += matrix[manager.IndexToNode(index)][manager.IndexToNode(nxt)]
            node = manager.IndexToNode(nxt)
            if node >= n_vehicles:
                stop = stops[node - n_vehicles]
                route.stops.append(stop.ref)
                route.load_l += stop.load_l
            index = nxt
        routes.append(route)
    return Plan(routes)
