"""Water twin on the demo network (Net3): one simulation, and a full localisation.

Run: .venv/bin/python bench/twin_water.py
"""

from __future__ import annotations

import statistics

from _twin_common import median_time

from territoire.twin import hydraulics, leaks
from territoire.twin.demo.water import LEAK_FLOW_M3H, LEAK_NODE, net3_text

TEXT = net3_text()
NIGHT = range(leaks.NIGHT_START_HOUR, leaks.NIGHT_END_HOUR)


def one_leak_simulation() -> None:
    hydraulics.simulate(TEXT, hours=4, leak_node=LEAK_NODE, leak_area_m2=0.002)


def localise() -> list[leaks.Candidate]:
    base = hydraulics.simulate(TEXT, hours=4)
    area = hydraulics.leak_area_for_flow(
        LEAK_FLOW_M3H, statistics.fmean(base.pressure[LEAK_NODE][h] for h in NIGHT)
    )
    truth = hydraulics.simulate(TEXT, hours=4, leak_node=LEAK_NODE, leak_area_m2=area)
    sensors = ["10", "61", "101", "119", "123", "159", "187", "261", "267"]
    measured = {
        s: statistics.fmean(truth.pressure[s][h] - base.pressure[s][h] for h in NIGHT)
        for s in sensors
    }
    parsed = hydraulics.parse_network(TEXT)
    pool = [n.name for n in parsed.nodes if n.kind == "junction"]
    pool = leaks.nearest_candidates(
        pool,
        anchor=min(measured, key=measured.__getitem__),
        edges=((lk.start, lk.end, lk.length_m) for lk in parsed.links),
        limit=20,
    )

    def drops(node: str) -> dict[str, float]:
        pressure = statistics.fmean(base.pressure[node][h] for h in NIGHT)
        sim = hydraulics.simulate(
            TEXT,
            hours=4,
            leak_node=node,
            leak_area_m2=hydraulics.leak_area_for_flow(LEAK_FLOW_M3H, pressure),
            nodes=sensors,
        )
        return {
            s: statistics.fmean(sim.pressure[s][h] - base.pressure[s][h] for h in NIGHT)
            for s in sensors
        }

    return leaks.rank_candidates(measured, pool, drops)


if __name__ == "__main__":
    median_time("parse Net3", lambda: hydraulics.parse_network(TEXT))
    median_time("WNTRSimulator, 4 h with one leak", one_leak_simulation)
    median_time("localisation, 20 candidates + baseline", localise, runs=3)
    ranked = localise()
    print("true node", LEAK_NODE, "ranked", next(c.rank for c in ranked if c.node == LEAK_NODE))
