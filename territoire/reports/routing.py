"""The day's round of a team: its reports ordered into a short route.

Distances are great-circle metres between points (no street network). OR-Tools'
routing solver gives the order (one vehicle, start and end at the depot, guided local
search for a short time budget). If OR-Tools is missing or fails, a documented heuristic
is used instead: nearest neighbour from the depot, then 2-opt (reverse any segment that
shortens the tour) until no improvement. Reports without coordinates go last, in the
order they were planned.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence

from territoire.reports.selectors import distance_m

logger = logging.getLogger(__name__)

Point = tuple[float, float]  # (lon, lat)


def matrix(points: Sequence[Point]) -> list[list[int]]:
    return [[round(distance_m(a[0], a[1], b[0], b[1])) for b in points] for a in points]


def tour_length(order: Sequence[int], dist: list[list[int]]) -> int:
    """Length of the closed tour depot → order… → depot (node 0 is the depot)."""
    path = [0, *order, 0]
    return sum(dist[a][b] for a, b in itertools.pairwise(path))


def nearest_neighbour_2opt(dist: list[list[int]]) -> list[int]:
    n = len(dist)
    todo = set(range(1, n))
    order: list[int] = []
    here = 0
    while todo:
        here = min(todo, key=lambda j: (dist[here][j], j))
        order.append(here)
        todo.remove(here)
    improved = True
    while improved:
        improved = False
        path = [0, *order, 0]
        for i in range(1, len(path) - 2):
            for k in range(i + 1, len(path) - 1):
                a, b, c, d = path[i - 1], path[i], path[k], path[k + 1]
                if dist[a][c] + dist[b][d] < dist[a][b] + dist[c][d]:
                    path[i : k + 1] = reversed(path[i : k + 1])
                    improved = True
        order = path[1:-1]
    return order


def ortools_order(dist: list[list[int]], seconds: int = 1) -> list[int] | None:
    try:
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    except ImportError:  # pragma: no cover - ortools is a dependency
        return None
    n = len(dist)
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)

    def cost(i: int, j: int) -> int:
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    transit = routing.RegisterTransitCallback(cost)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    if n > 12:  # small rounds: local search to a local optimum is instant and enough
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        params.time_limit.seconds = seconds
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return None
    order = []
    index = routing.Start(0)
    while not routing.IsEnd(index):
        node = manager.IndexToNode(index)
        if node != 0:
            order.append(node)
        index = solution.Value(routing.NextVar(index))
    return order


def plan_route(
    depot: Point, stops: Sequence[Point], *, use_ortools: bool = True
) -> tuple[list[int], int, str]:
    """Indices of ``stops`` in visiting order, the tour length in metres and the method."""
    if not stops:
        return [], 0, "none"
    dist = matrix([depot, *stops])
    method = "heuristic"
    order = None
    if use_ortools and len(stops) > 1:
        try:
            order = ortools_order(dist)
            method = "ortools"
        except Exception:  # pragma: no cover - fall back rather than fail the page
            logger.exception("OR-Tools failed; using the heuristic")
            order = None
    if order is None:
        order = nearest_neighbour_2opt(dist)
        method = "heuristic"
    return [i - 1 for i in order], tour_length(order, dist), method
