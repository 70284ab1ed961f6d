"""Pool attendance forecasts beat the naive same-hour-last-week forecast on held-out weeks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from territoire.core.timeseries import Point, SensorInfo
from territoire.twin import attendance
from territoire.twin.demo.energy import seed_pools
from territoire.twin.services import TwinInputError
from territoire.twin.services.attendance import attendance_plan

PARIS = ZoneInfo("Europe/Paris")


def test_demo_forecast_beats_naive_on_held_out_weeks(ts: Any, tenant: Any) -> None:
    seed_pools(tenant=tenant, now=timezone.now(), rng=random.Random(5))
    result = attendance_plan(tenant=tenant, share=0.9)
    assert len(result["pools"]) == 2
    for pool in result["pools"]:
        assert pool["holdout_weeks"] == 2
        assert pool["mae_model"] < pool["mae_naive"]
        assert pool["hours_saved_week"] >= 0
        for (_d, now), (_d2, new) in zip(pool["current"], pool["proposed"], strict=True):
            if new:
                assert now[0] <= new[0] < new[1] <= now[1]  # within today's hours
    assert result["eur_year"] == result["hours_saved_week"] * 52 * 150


def test_opening_hours_cover_the_share() -> None:
    forecast = {9: 1.0, 10: 10.0, 11: 10.0, 12: 10.0, 13: 1.0}  # Monday
    hours = attendance.opening_hours(forecast, share=0.9)
    assert hours[0] == (10, 13)
    assert attendance.opening_hours(forecast, share=1.0)[0] == (9, 14)
    assert hours[1] is None


def test_too_little_history_is_explained(ts: Any, tenant: Any) -> None:
    ts.ensure_sensor(
        tenant, SensorInfo(ref="p", kind="people_counter", name="Piscine", quantities=("count",))
    )
    start = timezone.now() - timedelta(days=10)
    ts.record(tenant, "p", "count", [Point(start + timedelta(hours=h), 5.0) for h in range(200)])
    result = attendance_plan(tenant=tenant)
    assert "Historique trop court" in result["pools"][0]["note"]
    with pytest.raises(TwinInputError, match="50 et 100"):
        attendance_plan(tenant=tenant, share=0.2)


def test_no_pool_counter_is_explained(ts: Any, tenant: Any) -> None:
    with pytest.raises(TwinInputError, match="piscine"):
        attendance_plan(tenant=tenant)


def test_glm_learns_hour_of_week_levels() -> None:
    origin = datetime(2026, 9, 7, tzinfo=PARIS)  # Monday
    samples = []
    for week in range(4):
        for hour in (10, 11):
            samples.append(
                (origin + timedelta(weeks=week, hours=hour), 20.0 if hour == 10 else 5.0)
            )
    model = attendance.fit(samples, tz=PARIS, origin=origin)
    assert model.predict(10, 4) == pytest.approx(20, rel=0.01)
    assert model.predict(11, 4) == pytest.approx(5, rel=0.01)
    assert model.predict(12, 4) == 0.0
