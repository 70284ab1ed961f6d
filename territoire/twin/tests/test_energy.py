"""Lighting and heating twins: safety minimums, comfort constraint, savings arithmetic."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from territoire.core.timeseries import Point
from territoire.twin import heating, lighting
from territoire.twin.demo.energy import seed_heating, seed_lighting
from territoire.twin.models import LightingSegment, School
from territoire.twin.services import TwinInputError
from territoire.twin.services.energy import heating_plan, lighting_plan

PARIS = ZoneInfo("Europe/Paris")


def test_day_length_at_valmont_latitude() -> None:
    assert lighting.day_length_hours(date(2026, 12, 21), 46.155) == pytest.approx(8.5, abs=0.2)
    assert lighting.day_length_hours(date(2026, 6, 21), 46.155) == pytest.approx(15.6, abs=0.2)


def test_dark_hours_of_a_year_match_public_lighting_practice() -> None:
    # Street lights burn about 4,100-4,300 hours a year in France.
    saving = lighting.savings({}, lamps=1, watts=100, lat=46.155, lon=-1.15, tz=PARIS, year=2026)
    assert 4000 < saving.hours_year < 4500
    assert saving.kwh_year == 0  # full power all night saves nothing


def test_dimming_never_goes_below_safety_minimum() -> None:
    profile = {h: 0.0 for h in lighting.NIGHT_CLOCK_HOURS}
    profile[18] = 100.0  # a busy evening hour
    profile[23] = 25.0
    schedule = lighting.dimming_schedule(profile, min_level_pct=30)
    assert schedule[18] == 100
    assert schedule[23] == 50  # 25/60 = 42 % → next 10 % step
    assert schedule[3] == 30
    assert min(schedule.values()) == 30
    del profile[4]
    assert lighting.dimming_schedule(profile, min_level_pct=30)[4] == 100  # unknown: full


def test_lighting_savings_arithmetic() -> None:
    # 10 lamps × 100 W at 50 % on a fully dark hour saves 0.5 kWh.
    schedule = {h: 100 for h in lighting.NIGHT_CLOCK_HOURS}
    schedule[2] = 50
    saving = lighting.savings(
        schedule, lamps=10, watts=100, lat=46.155, lon=-1.15, tz=PARIS, year=2026
    )
    assert saving.kwh_night == pytest.approx(0.5)
    assert saving.kwh_year == pytest.approx(0.5 * 365)


def test_lighting_plan_on_demo(ts: Any, tenant: Any) -> None:
    seed_lighting(tenant=tenant, now=timezone.now(), rng=random.Random(1))
    result = lighting_plan(tenant=tenant)
    assert len(result["segments"]) == 6
    for row in result["segments"]:
        levels = [level for _h, level, _f in row["schedule"]]
        assert min(levels) >= row["min_level"]
        assert row["kwh_year"] > 0
    busy = next(r for r in result["segments"] if r["name"] == "Quai Jean-Bart")
    assert dict((h, lvl) for h, lvl, _f in busy["schedule"])[18] == 100
    assert result["eur_year"] == round(result["kwh_year"] * 0.20)


def test_lighting_without_counter_keeps_full_power(ts: Any, tenant: Any) -> None:
    LightingSegment.objects.create(
        tenant=tenant, name="Impasse", lamps=5, watts_per_lamp=70, lon=-1.15, lat=46.15
    )
    result = lighting_plan(tenant=tenant)
    assert result["kwh_year"] == 0
    assert not result["segments"][0]["measured"]


def test_occupancy_and_schedule_from_co2() -> None:
    points = []
    start = datetime(2026, 11, 2, tzinfo=PARIS)  # a Monday
    for d in range(14):
        for h in range(24):
            t = start + timedelta(days=d, hours=h)
            occupied = t.weekday() < 5 and 8 <= h < 17 and not (t.weekday() == 2 and h >= 12)
            points.append(Point(t, 1000.0 if occupied else 420.0))
    holidays = [(date(2026, 11, 9), date(2026, 11, 9))]  # a Monday off: not learned from
    profile = heating.occupancy(points, tz=PARIS, holidays=holidays)
    assert profile[0] == set(range(8, 17))
    assert profile[2] == set(range(8, 12))
    assert profile[5] == set()
    sched = heating.schedule(profile)
    assert sched[0] == (6, 17)  # 2 hours of pre-heating
    assert sched[2] == (6, 12)
    assert sched[6] is None


def test_heating_comparison_respects_comfort_and_saves() -> None:
    profile = {d: (set(range(8, 17)) if d < 5 else set()) for d in range(7)}
    smart = heating.schedule(profile)
    result = heating.compare(
        profile=profile,
        smart=smart,
        fixed=(6, 19),
        loss_kw_per_k=1.0,
        comfort_c=19,
        setback_c=16,
        holidays=[(date(2026, 12, 21), date(2026, 12, 31))],
        start=date(2026, 12, 1),
        days=31,
    )
    assert result.comfort_ok
    assert result.kwh_saved > 0
    # A schedule that starts after pupils arrive breaks the comfort constraint.
    late = {d: ((10, 17) if d < 5 else None) for d in range(7)}
    broken = heating.compare(
        profile=profile,
        smart=late,
        fixed=(6, 19),
        loss_kw_per_k=1.0,
        comfort_c=19,
        setback_c=16,
        holidays=[],
        start=date(2026, 12, 1),
        days=7,
    )
    assert not broken.comfort_ok


def test_heating_plan_on_demo(ts: Any, tenant: Any) -> None:
    seed_heating(tenant=tenant, now=timezone.now(), rng=random.Random(2))
    result = heating_plan(tenant=tenant)
    assert len(result["schools"]) == 4
    for row in result["schools"]:
        assert row["comfort_ok"]
        assert row["kwh_saved"] > 0
    assert result["eur_year"] == round(result["kwh_saved"] * 0.11)


def test_missing_assets_are_explained(ts: Any, tenant: Any) -> None:
    with pytest.raises(TwinInputError, match="tronçon"):
        lighting_plan(tenant=tenant)
    with pytest.raises(TwinInputError, match="école"):
        heating_plan(tenant=tenant)


def test_school_without_sensor_keeps_current_hours(ts: Any, tenant: Any) -> None:
    School.objects.create(tenant=tenant, name="École X", lon=-1.15, lat=46.15, heat_loss_kw_per_k=2)
    result = heating_plan(tenant=tenant)
    assert result["schools"][0]["kwh_saved"] == 0
    assert result["schools"][0]["note"]
