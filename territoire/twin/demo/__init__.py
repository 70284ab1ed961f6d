"""Demo data of the twins for Valmont-sur-Mer (runs after the sensors module's seeder).

Sensor streams go through the core time-series port. Without a provider (the sensors
module is not installed) the twin still gets its network, DMAs, trucks, street segments
and schools, prints a note and skips sensor data and computations.
"""

from __future__ import annotations

import time

from territoire.core.demo import VALMONT, DemoContext
from territoire.core.timeseries import NoTimeSeriesProvider, provider
from territoire.twin.demo.energy import seed_heating, seed_lighting, seed_pools
from territoire.twin.demo.waste import create_trucks, seed_waste
from territoire.twin.demo.water import import_demo_network, seed_past_leaks, seed_water
from territoire.twin.models import RunKind
from territoire.twin.services.runs import run_execute, run_request


def seed(ctx: DemoContext) -> None:
    tenant = ctx.tenants[VALMONT]
    started = time.monotonic()
    try:
        provider()
    except NoTimeSeriesProvider:
        import_demo_network(tenant=tenant)
        create_trucks(tenant=tenant)
        seed_lighting(tenant=tenant, now=ctx.now, rng=ctx.rng, sensors=False)
        seed_heating(tenant=tenant, now=ctx.now, rng=ctx.rng, sensors=False)
        ctx.notes.append(
            "Jumeaux numériques : aucun fournisseur de séries temporelles (module Capteurs "
            "absent) ; réseau et équipements créés, sans mesures ni calculs."
        )
        return
    scenario = seed_water(tenant=tenant, now=ctx.now, rng=ctx.rng)
    seed_past_leaks(tenant=tenant, scenario=scenario, now=ctx.now)
    seed_waste(tenant=tenant, now=ctx.now, rng=ctx.rng)
    seed_lighting(tenant=tenant, now=ctx.now, rng=ctx.rng)
    seed_heating(tenant=tenant, now=ctx.now, rng=ctx.rng)
    seed_pools(tenant=tenant, now=ctx.now, rng=ctx.rng)
    agent = ctx.person(VALMONT, "agent")
    for kind in RunKind.values:
        run = run_request(actor=agent, tenant=tenant, kind=kind)
        run_execute(run.pk)  # the task queued on commit then finds it done and stops
    ctx.notes.append(
        f"Jumeaux numériques : fuite injectée au nœud {scenario.leak_node} du réseau Net3 "
        f"({scenario.leak_dma.name}) depuis le {scenario.leak_start:%d/%m/%Y} ; "
        f"calculs faits en {time.monotonic() - started:.0f} s."
    )
