"""Leak detection by minimum night flow, and localisation by simulation.

Minimum night flow (MNF): between 02:00 and 04:00 almost nobody draws water, so the flow
entering a district metered area (DMA) is legitimate night use (known from the customers'
meters) plus leaks. An excess that lasts several nights is a leak; its daily volume is the
night excess times the night-day factor.

Localisation: a leak lowers pressures around it. For each candidate node we simulate the
same network with a leak of the measured size at that node and compare the simulated
pressure drops at the pressure sensors with the measured ones (night means after the leak
started minus night means before). The best-fitting nodes are where to send a team with a
ground microphone. Candidates are limited to the DMA (the flow meter already says where),
and to the nodes hydraulically closest to the sensor that dropped most when the DMA is big,
so that the number of simulations stays small.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from territoire.core.timeseries import Point
from territoire.twin import factors

NIGHT_START_HOUR = 2
NIGHT_END_HOUR = 4  # exclusive: readings at 02:00, 02:xx, 03:xx


def night_of(moment: datetime, tz: ZoneInfo) -> date | None:
    """The date of the night a reading belongs to, if it falls in the MNF window."""
    local = moment.astimezone(tz)
    if NIGHT_START_HOUR <= local.hour < NIGHT_END_HOUR:
        return local.date()
    return None


def nightly_means(points: Iterable[Point], tz: ZoneInfo) -> dict[date, float]:
    """Mean value of the readings of each night's 02:00-04:00 window."""
    buckets: dict[date, list[float]] = {}
    for point in points:
        night = night_of(point.time, tz)
        if night is not None and math.isfinite(point.value):
            buckets.setdefault(night, []).append(point.value)
    return {night: statistics.fmean(values) for night, values in sorted(buckets.items())}


@dataclass(frozen=True)
class MnfResult:
    leak: bool
    nights: dict[date, float]  # measured night flow, m³/h
    legitimate_m3h: float
    excess_m3h: float  # mean excess over the flagged nights (0 when no leak)
    first_night: date | None
    threshold_m3h: float

    @property
    def volume_m3_day(self) -> float:
        return self.excess_m3h * factors.NIGHT_DAY_FACTOR_HOURS

    def cost_eur_day(self, price_eur_m3: float) -> float:
        return self.volume_m3_day * price_eur_m3


def detect_mnf(
    nights: dict[date, float],
    *,
    legitimate_m3h: float,
    min_excess_m3h: float = 2.0,
    min_excess_ratio: float = 0.04,
    nights_required: int = 2,
) -> MnfResult:
    """Flag a leak when the last ``nights_required`` nights all exceed legitimate use.

    The threshold is the larger of an absolute floor (meter accuracy on small DMAs) and
    a share of legitimate use (night use varies a few per cent from night to night).
    The excess is measured from the first night of the current run of exceeding nights.
    """
    threshold = max(min_excess_m3h, min_excess_ratio * legitimate_m3h)
    ordered = sorted(nights.items())
    run: list[tuple[date, float]] = []
    for night, flow in reversed(ordered):
        if flow - legitimate_m3h > threshold:
            run.append((night, flow))
        else:
            break
    if len(run) < nights_required:
        return MnfResult(False, dict(ordered), legitimate_m3h, 0.0, None, threshold)
    excess = statistics.fmean(flow for _, flow in run) - legitimate_m3h
    return MnfResult(True, dict(ordered), legitimate_m3h, excess, run[-1][0], threshold)


def measured_drops(
    readings: dict[str, list[Point]],
    *,
    first_leak_night: date,
    tz: ZoneInfo,
    reference_nights: int = 7,
) -> dict[str, float]:
    """Pressure drop per sensor node: mean of leak nights minus mean of the nights before.

    ``readings`` maps a node name to its pressure readings (metres). Sensors with no night
    reading on one side are left out rather than guessed.
    """
    start_ref = first_leak_night - timedelta(days=reference_nights)
    drops: dict[str, float] = {}
    for node, points in readings.items():
        nights = nightly_means(points, tz)
        before = [v for d, v in nights.items() if start_ref <= d < first_leak_night]
        after = [v for d, v in nights.items() if d >= first_leak_night]
        if before and after:
            drops[node] = statistics.fmean(after) - statistics.fmean(before)
    return drops


@dataclass(frozen=True)
class Candidate:
    node: str
    rmse_m: float  # root-mean-square misfit between simulated and measured drops
    rank: int


def rank_candidates(
    measured: dict[str, float],
    candidates: Iterable[str],
    simulate_drops: Callable[[str], dict[str, float]],
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[Candidate]:
    """Candidates ordered by how well a leak there explains ``measured`` (best first)."""
    sensors = sorted(measured)
    scored: list[tuple[float, str]] = []
    pool = list(candidates)
    for i, node in enumerate(pool):
        simulated = simulate_drops(node)
        misfit = statistics.fmean((simulated.get(s, 0.0) - measured[s]) ** 2 for s in sensors)
        scored.append((math.sqrt(misfit), node))
        if on_progress is not None:
            on_progress(i + 1, len(pool))
    scored.sort()
    return [Candidate(node, rmse, i + 1) for i, (rmse, node) in enumerate(scored)]


def nearest_candidates(
    candidates: list[str],
    *,
    anchor: str,
    edges: Iterable[tuple[str, str, float]],
    limit: int,
) -> list[str]:
    """The ``limit`` candidates closest to ``anchor`` along pipes (Dijkstra on lengths)."""
    if len(candidates) <= limit:
        return list(candidates)
    import heapq

    graph: dict[str, list[tuple[str, float]]] = {}
    for a, b, length in edges:
        graph.setdefault(a, []).append((b, length))
        graph.setdefault(b, []).append((a, length))
    dist = {anchor: 0.0}
    queue = [(0.0, anchor)]
    while queue:
        d, node = heapq.heappop(queue)
        if d > dist.get(node, math.inf):
            continue
        for nxt, length in graph.get(node, []):
            nd = d + max(length, 0.1)
            if nd < dist.get(nxt, math.inf):
                dist[nxt] = nd
                heapq.heappush(queue, (nd, nxt))
    return sorted(candidates, key=lambda n: (dist.get(n, math.inf), n))[:limit]
