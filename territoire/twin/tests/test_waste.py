"""Waste rounds on the demo data: capacities respected, fewer km than the fixed rounds."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils import timezone

from territoire.twin.demo.waste import seed_waste
from territoire.twin.models import Truck
from territoire.twin.services import TwinInputError
from territoire.twin.services.waste import waste_plan


@pytest.fixture
def waste_demo(ts: Any, tenant: Any, valmont_districts: Any) -> list[str]:
    return seed_waste(tenant=tenant, now=timezone.now(), rng=random.Random(3))


def test_demo_rounds_respect_capacity_and_beat_fixed_rounds(waste_demo: Any, tenant: Any) -> None:
    result = waste_plan(tenant=tenant)
    due = {f["ref"] for f in result["forecast"] if f["collect"]}
    visited = [s["ref"] for r in result["routes"] for s in r["stops"]]
    assert sorted(visited) == sorted(due)  # every due container once, no other
    for route in result["routes"]:
        assert route["load_l"] <= route["capacity_l"]
    week = result["week"]
    assert week["smart"]["km"] < week["fixed"]["km"]
    assert week["smart"]["fuel_l"] < week["fixed"]["fuel_l"]
    assert week["smart"]["overflows"] <= week["fixed"]["overflows"]
    assert week["fixed"]["visits"] == 60 * 2  # every container twice a week


def test_forecast_reflects_filling_rate(waste_demo: Any, tenant: Any, ts: Any) -> None:
    result = waste_plan(tenant=tenant)
    for row in result["forecast"]:
        assert row["rate"] is not None and 2 <= row["rate"] <= 46
        assert row["tomorrow"] == pytest.approx(min(100, row["level"] + row["rate"]), abs=0.11)


def test_infeasible_capacity_is_explained(waste_demo: Any, tenant: Any) -> None:
    Truck.objects.for_tenant(tenant).update(capacity_l=1000)
    with pytest.raises(TwinInputError, match=r"Ajoutez un camion|capacité"):
        waste_plan(tenant=tenant)


def test_no_trucks_or_sensors_is_explained(
    ts: Any, tenant: Any, other_tenant: Any, waste_demo: Any
) -> None:
    with pytest.raises(TwinInputError, match="capteur de remplissage"):
        waste_plan(tenant=other_tenant)  # the other tenant sees none of our containers
    Truck.objects.for_tenant(tenant).update(active=False)
    with pytest.raises(TwinInputError, match="camion"):
        waste_plan(tenant=tenant)
