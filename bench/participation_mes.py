"""Benchmark: Method of Equal Shares (cost utilities, add1 completion) on realistic sizes.

Usage: .venv/bin/python bench/participation_mes.py [--runs 5] [--compare]

Instances are synthetic but shaped like real participatory budgets: project costs from
10,000 to 1,500,000 (log-uniform), popularity skewed (a few projects draw most votes),
each voter approving 1 to 10 projects, a budget of about a quarter of the total cost.
Prints the median wall time over ``--runs`` runs. ``--compare`` also runs pabutools on
the smallest instance and checks that both select the same projects.
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

from territoire.participation.rules import Election, equal_shares, greedy

SIZES = [
    ("50 projects × 10,000 voters", 50, 10_000, 10),
    ("Warsaw-sized: 138 projects × 79,000 voters", 138, 79_000, 10),
    ("200 projects × 100,000 voters", 200, 100_000, 10),
]


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


def median_time(fn, runs: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    for label, m, n, k in SIZES:
        e = instance(m, n, k)
        t_mes, out = median_time(lambda e=e: equal_shares(e, completion="add1"), args.runs)
        t_greedy, _ = median_time(lambda e=e: greedy(e), args.runs)
        print(
            f"{label}: Equal Shares add1 median {t_mes:.3f} s "
            f"({out.increments} increments, {len(out.selected)} selected, "
            f"{out.exact_fallbacks} exact fallbacks); greedy median {t_greedy:.3f} s"
        )
    if args.compare:
        for label, m, n, k in SIZES[:2]:
            e = instance(m, n, k)
            start = time.perf_counter()
            ref = pabutools_add1(e)
            elapsed = time.perf_counter() - start
            ours = equal_shares(e, completion="add1")
            same = ref == ours.selected
            print(
                f"pabutools on {label}: {elapsed:.1f} s (one run); "
                f"same projects in the same order: {same}"
            )


def pabutools_add1(e: Election) -> list[str]:
    """The reference: pabutools' Equal Shares with add1, our tie-breaking, in its order."""
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
        inst, profile, sat_class=Cost_Sat, tie_breaking=tie, voter_budget_increment=1
    )
    return [p.name for p in ref]


if __name__ == "__main__":
    main()
