from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from territoire.core.timeseries import Point
from territoire.twin import leaks

PARIS = ZoneInfo("Europe/Paris")


def _nights(values: list[float]) -> dict[date, float]:
    return {date(2026, 11, 1) + timedelta(days=i): v for i, v in enumerate(values)}


def test_nightly_means_use_local_02_04_window() -> None:
    # 01:30 UTC is 02:30 in Paris (winter): inside; 03:30 UTC is 04:30: outside.
    points = [
        Point(datetime(2026, 11, 10, 1, 30, tzinfo=UTC), 10.0),
        Point(datetime(2026, 11, 10, 2, 30, tzinfo=UTC), 20.0),
        Point(datetime(2026, 11, 10, 3, 30, tzinfo=UTC), 99.0),
        Point(datetime(2026, 11, 10, 12, 0, tzinfo=UTC), 500.0),
    ]
    assert leaks.nightly_means(points, PARIS) == {date(2026, 11, 10): 15.0}


def test_mnf_flags_a_lasting_excess_and_prices_it() -> None:
    result = leaks.detect_mnf(_nights([100, 101, 99, 100, 130, 131, 129]), legitimate_m3h=100)
    assert result.leak
    assert result.first_night == date(2026, 11, 5)
    assert result.excess_m3h == pytest.approx(30)
    assert result.volume_m3_day == pytest.approx(30 * 20)  # night-day factor 20 h
    assert result.cost_eur_day(1.5) == pytest.approx(900)


def test_mnf_ignores_ordinary_variation_and_a_single_night() -> None:
    assert not leaks.detect_mnf(_nights([100, 103, 97, 102, 98]), legitimate_m3h=100).leak
    # One high night (a pool filled, a fire hydrant used) is not a leak.
    assert not leaks.detect_mnf(_nights([100, 100, 100, 100, 140]), legitimate_m3h=100).leak
    # A leak that stopped (repaired) is no longer flagged.
    assert not leaks.detect_mnf(_nights([100, 140, 140, 140, 100]), legitimate_m3h=100).leak


def test_small_dma_uses_absolute_floor() -> None:
    result = leaks.detect_mnf(_nights([5, 5, 6.5, 6.6]), legitimate_m3h=5)
    assert result.threshold_m3h == 2.0
    assert not result.leak


def test_measured_drops_compare_nights_before_and_after() -> None:
    points = []
    for day in range(1, 11):
        value = 30.0 if day < 8 else 29.5
        points.append(Point(datetime(2026, 11, day, 2, 0, tzinfo=PARIS), value))
        points.append(Point(datetime(2026, 11, day, 12, 0, tzinfo=PARIS), 10.0))  # ignored
    drops = leaks.measured_drops(
        {"A": points, "B": []}, first_leak_night=date(2026, 11, 8), tz=PARIS
    )
    assert drops == {"A": pytest.approx(-0.5)}


def test_rank_candidates_orders_by_misfit() -> None:
    measured = {"s1": -0.5, "s2": -0.1}
    fake = {"x": {"s1": -0.1, "s2": -0.5}, "y": {"s1": -0.45, "s2": -0.12}, "z": {}}
    progress = []
    ranked = leaks.rank_candidates(
        measured, ["x", "y", "z"], fake.__getitem__, on_progress=lambda d, t: progress.append(d)
    )
    assert [c.node for c in ranked] == ["y", "z", "x"]
    assert [c.rank for c in ranked] == [1, 2, 3]
    assert progress == [1, 2, 3]


def test_nearest_candidates_follow_pipes() -> None:
    edges = [("a", "b", 10), ("b", "c", 10), ("c", "d", 10), ("a", "e", 100)]
    assert leaks.nearest_candidates(["b", "c", "d", "e"], anchor="a", edges=edges, limit=2) == [
        "b",
        "c",
    ]
    assert leaks.nearest_candidates(["d"], anchor="a", edges=edges, limit=5) == ["d"]
