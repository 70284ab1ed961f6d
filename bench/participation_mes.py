"""Benchmark: Method of Equal Shares (cost utilities, add1 completion) on realistic sizes.

Usage: .venv/bin/python bench/participation_mes.py [--runs 5] [--pabutools]

Instances are synthetic but shaped like real participatory budgets: project costs from
10,000 to 1,500,000 (log-uniform), popularity skewed (a few projects draw most votes),
each voter approving 1 to 10 projects, a budget of about a quarter of the total cost.
Prints, per instance, the median and p95 wall time over ``--runs`` runs (CPU time too:
on a shared machine the wall time mostly measures the neighbours), beside the figure
before the batched engine. ``--pabutools`` also runs the reference implementation once
on the 10,000-voter and Warsaw-sized instances (about half a minute for the latter on
a quiet machine) and checks that it selects the same projects in the same order.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from territoire.participation.rules import Election, Outcome, equal_shares, greedy

SIZES = [
    ("50 projects × 10,000 voters", 50, 10_000, 10),
    ("Warsaw-sized: 138 projects × 79,000 voters", 138, 79_000, 10),
    ("200 projects × 100,000 voters", 200, 100_000, 10),
]

# Equal Shares add1 before the batched engine (one float run per increment, each from
# scratch after a short shared prefix), wall time on this kind of machine: the issue's
# figure, then what the same code took here on the day of the change (CPU in brackets;
# the old engine's BLAS calls used both cores).
PREVIOUS = {
    "50 projects × 10,000 voters": "1.25–2.5 s",
    "Warsaw-sized: 138 projects × 79,000 voters": "16.6 s; 2.0–6.2 s (2.4–3.4 s CPU)",
    "200 projects × 100,000 voters": "4.4–10.2 s (5.4–6.4 s CPU)",
}


def instance(m: int, n: int, max_approvals: int, seed: int = 7) -> Election:
    rng = random.Random(seed)
    costs = {
        str(i + 1): int(math.exp(rng.uniform(math.log(10_000), math.log(1_500_000))) // 100 * 100)
        for i in range(m)
    }
    ids = list(costs)
    popularity = [rng.paretovariate(1.2) for _ in ids]
    ballots = []
    for _ in range(n):
        k = min(m, rng.randint(1, max_approvals))
        ballots.append(set(rng.choices(ids, weights=popularity, k=k)))
    budget = sum(costs.values()) // 4
    return Election.build(costs.items(), budget, ballots)


def timings(fn, runs: int) -> tuple[list[float], list[float], object]:
    walls, cpus = [], []
    result = None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pabutools", action="store_true")
    args = parser.parse_args()
    for label, m, n, k in SIZES:
        e = instance(m, n, k)
        walls, cpus, out = timings(lambda e=e: equal_shares(e, completion="add1"), args.runs)
        assert isinstance(out, Outcome)
        g_walls, _, _ = timings(lambda e=e: greedy(e), args.runs)
        print(
            f"{label}: Equal Shares add1 median {statistics.median(walls):.3f} s, "
            f"p95 {p95(walls):.3f} s (CPU median {statistics.median(cpus):.3f} s) over "
            f"{args.runs} runs; {out.increments} increments, {len(out.selected)} selected, "
            f"{out.exact_fallbacks} exact fallbacks; before: {PREVIOUS[label]}; "
            f"greedy median {statistics.median(g_walls):.3f} s"
        )
    if args.pabutools:
        # pabutools' add1 on the Warsaw-sized instance would take about 100 of its runs
        # (and its caches grow by gigabytes): time one run, and check add1 in full on a
        # smaller instance.
        label, m, n, k = SIZES[1]
        e = instance(m, n, k)
        wall, cpu = time.perf_counter(), time.process_time()
        ref = pabutools_mes(e, add1=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        ours = equal_shares(e, completion="add1")
        same = ref == equal_shares(e, completion="none").selected
        print(
            f"pabutools on {label}: one Equal Shares run {wall:.1f} s (CPU {cpu:.1f} s), "
            f"same projects in the same order: {same}; its add1 needs "
            f"{ours.increments + 1} runs: about {(ours.increments + 1) * cpu / 60:.0f} min CPU"
        )
        label, e = "30 projects × 1,000 voters", instance(30, 1_000, 10)
        start = time.perf_counter()
        ref = pabutools_mes(e, add1=True)
        elapsed = time.perf_counter() - start
        ours = equal_shares(e, completion="add1")
        print(
            f"pabutools add1 on {label}: {elapsed:.1f} s ({ours.increments} increments); "
            f"same projects in the same order: {ref == ours.selected}"
        )


def pabutools_mes(e: Election, *, add1: bool) -> list[str]:
    """The reference: pabutools' Equal Shares (with add1 or not), our tie-breaking, in
    its order of selection."""
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance
    from pabutools.election import Project as PbProject
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    from territoire.participation.rules import natural_key

    projects = {p.id: PbProject(p.id, p.cost) for p in e.projects}
    inst = Instance(projects.values(), budget_limit=e.budget)
    profile = ApprovalProfile([ApprovalBallot(projects[p] for p in b) for b in e.ballots])
    tie = TieBreakingRule(lambda i, prof, p: (-prof.approval_score(p), p.cost, natural_key(p.name)))
    ref = method_of_equal_shares(
        inst,
        profile,
        sat_class=Cost_Sat,
        tie_breaking=tie,
        voter_budget_increment=1 if add1 else None,
    )
    return [p.name for p in ref]


if __name__ == "__main__":
    main()
