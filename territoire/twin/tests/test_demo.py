from __future__ import annotations

import random
from typing import Any

from django.utils import timezone

from territoire.core import timeseries
from territoire.core.demo import VALMONT, DemoContext
from territoire.twin.demo import seed
from territoire.twin.models import Dma, LightingSegment, School, Truck, TwinRun, WaterNetwork


def test_without_sensor_provider_the_demo_seeds_assets_and_says_so(
    tenant: Any, valmont_districts: Any
) -> None:
    previous = timeseries._provider
    timeseries._provider = None
    try:
        ctx = DemoContext(rng=random.Random(1), now=timezone.now(), tenants={VALMONT: tenant})
        seed(ctx)
    finally:
        timeseries._provider = previous
    assert any("aucun fournisseur" in note for note in ctx.notes)
    assert WaterNetwork.objects.for_tenant(tenant).count() == 1
    assert Dma.objects.for_tenant(tenant).count() == 4
    assert Truck.objects.for_tenant(tenant).count() == 2
    assert LightingSegment.objects.for_tenant(tenant).exclude(footfall_sensor="").count() == 0
    assert School.objects.for_tenant(tenant).exclude(co2_sensor="").count() == 0
    assert not TwinRun.objects.exists()
