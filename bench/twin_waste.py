"""Waste twin: CVRP on demo-sized rounds (OR-Tools).

Run: .venv/bin/python bench/twin_waste.py
"""

from __future__ import annotations

import random

from _twin_common import median_time

from territoire.twin import routing
from territoire.twin.demo.waste import DEPOT

rng = random.Random(1)
STOPS = [
    routing.Stop(
        f"c{i}", rng.uniform(-1.172, -1.133), rng.uniform(46.142, 46.168), rng.randint(500, 3000)
    )
    for i in range(60)
]
TRUCKS = [
    routing.Vehicle("Benne 4", 30000, DEPOT),
    routing.Vehicle("Benne 1", 30000, DEPOT),
    routing.Vehicle("Benne 2", 30000, DEPOT),
    routing.Vehicle("Benne 3", 30000, DEPOT),
]

if __name__ == "__main__":
    median_time("CVRP, 20 containers, 4 trucks", lambda: routing.solve_cvrp(STOPS[:20], TRUCKS))
    median_time("CVRP, 40 containers, 4 trucks", lambda: routing.solve_cvrp(STOPS[:40], TRUCKS))
    median_time("CVRP, 60 containers, 4 trucks", lambda: routing.solve_cvrp(STOPS, TRUCKS), runs=3)
