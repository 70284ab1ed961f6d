from __future__ import annotations

from datetime import date, timedelta

import pytest

from territoire.twin import routing

DEPOT = (-1.14, 46.15)


def _stops(n: int, load: int) -> list[routing.Stop]:
    return [
        routing.Stop(f"s{i}", -1.17 + 0.003 * i, 46.14 + 0.002 * (i % 5), load) for i in range(n)
    ]


def test_distance_is_great_circle_times_detour() -> None:
    # One degree of latitude ≈ 111.2 km.
    assert routing.distance_m((0, 0), (0, 1), detour=1.0) == pytest.approx(111_195, rel=1e-3)
    assert routing.distance_m((0, 0), (0, 1)) == pytest.approx(111_195 * 1.3, rel=1e-3)


def test_routes_visit_every_stop_once_within_capacity() -> None:
    stops = _stops(12, 1000)
    vehicles = [routing.Vehicle("A", 5000, DEPOT), routing.Vehicle("B", 8000, DEPOT)]
    plan = routing.solve_cvrp(stops, vehicles)
    visited = [ref for r in plan.routes for ref in r.stops]
    assert sorted(visited) == sorted(s.ref for s in stops)
    for route, vehicle in zip(plan.routes, vehicles, strict=True):
        assert route.load_l <= vehicle.capacity_l
    assert plan.routes[0].load_l + plan.routes[1].load_l == 12000
    assert plan.distance_m > 0


def test_one_big_truck_does_not_need_a_second() -> None:
    plan = routing.solve_cvrp(_stops(5, 100), [routing.Vehicle("A", 10000, DEPOT)])
    assert plan.visits == 5
    # A round trip at least to the farthest stop.
    far = max(routing.distance_m(DEPOT, (s.lon, s.lat)) for s in _stops(5, 100))
    assert plan.distance_m >= 2 * far - 1


def test_too_little_capacity_is_explained() -> None:
    with pytest.raises(routing.RoutingError, match="capacité"):
        routing.solve_cvrp(_stops(10, 1000), [routing.Vehicle("A", 5000, DEPOT)])
    with pytest.raises(routing.RoutingError, match="s0"):
        routing.solve_cvrp(
            [routing.Stop("s0", -1.1, 46.1, 6000)],
            [routing.Vehicle("A", 5000, DEPOT), routing.Vehicle("B", 5000, DEPOT)],
        )
    with pytest.raises(routing.RoutingError, match="camion"):
        routing.solve_cvrp(_stops(1, 10), [])


def test_fill_rate_skips_emptyings_and_needs_history() -> None:
    start = date(2026, 11, 1)
    levels = [(start + timedelta(days=i), v) for i, v in enumerate([10, 20, 30, 0, 10, 20, 30])]
    assert routing.fill_rate(levels) == 10
    assert routing.fill_rate(levels[:3]) is None
    # Readings several per day: the day's last one counts.
    assert routing.daily_levels([(start, 5), (start, 7), (start + timedelta(days=1), 9)]) == [
        (start, 7),
        (start + timedelta(days=1), 9),
    ]
