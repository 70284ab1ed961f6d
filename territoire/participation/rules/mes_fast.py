"""One run of the Method of Equal Shares in floating point, with proven decisions.

Same algorithm as :mod:`.mes_exact`, vectorised with numpy over groups of identical
ballots. Floating point is only trusted where it cannot change the outcome:

- every quantity the rule compares (ρ values, supporters' money against a cost) is a
  continuous function of the budgets, so a decision taken with a margin much larger than
  the rounding error (relative ``TOLERANCE``) is the decision exact arithmetic takes;
- when two candidates are within the tolerance of each other (a possible exact tie), or
  supporters' money is within it of a cost, the decision is settled exactly when the
  projects involved are *pristine* (none of their supporters has paid anything yet, so
  everything is known in closed form: ρ = cost / (votes · u)); otherwise the engine
  raises :class:`NeedExact` and the caller redoes the run in exact arithmetic.

Exact ties are common in the first rounds (under cost utilities ρ = 1/votes, so projects
with the same vote count tie), which is why pristine ties are settled here rather than
by falling back.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from territoire.participation.rules.mes_exact import Purchase, Run
from territoire.participation.rules.model import Utility
from territoire.participation.rules.prepared import Prepared

# Relative rounding error is below 1e-12 for realistic sizes (10^5 voters, a few hundred
# rounds); 1e-9 leaves three orders of magnitude of margin.
TOLERANCE = 1e-9


class NeedExact(Exception):
    """A decision is too close to call in floating point: redo the run exactly."""


@dataclass
class Prefix:
    """The state of a run after its budget-insensitive first rounds.

    Until the first round in which some supporter cannot pay the equal share, or a
    project is dropped for lack of money, a run's decisions do not depend on how much
    each voter started with (shares are cost ÷ supporters, whoever pays them). A run
    with a larger starting budget (the next add1 step) therefore repeats those rounds
    exactly, and can start from here with every budget raised by the difference.
    """

    voter_budget: Fraction
    budgets: np.ndarray
    touched: np.ndarray
    selected: list[int]
    purchases: dict[int, Purchase]
    stale: dict[int, float]
    alive: set[int]
    round_no: int


def run_fast(
    prep: Prepared,
    voter_budget: Fraction,
    utility: Utility,
    cache: dict[str, Prefix] | None = None,
) -> Run:
    """One run; with ``cache``, start from (and update) the budget-insensitive prefix."""
    try:
        return _run_fast(prep, voter_budget, utility, cache)
    finally:
        if cache is not None:
            cache.pop("done", None)


def _run_fast(
    prep: Prepared,
    voter_budget: Fraction,
    utility: Utility,
    cache: dict[str, Prefix] | None,
) -> Run:
    weights = prep.np_weights
    costs = prep.np_costs
    start = cache.get("prefix") if cache is not None else None
    if start is not None and start.voter_budget <= voter_budget:
        budgets = start.budgets + float(voter_budget - start.voter_budget)
        touched = start.touched.copy()
        selected = list(start.selected)
        purchases = dict(start.purchases)
        stale = dict(start.stale)
        alive = set(start.alive)
        round_no = start.round_no
    else:
        budgets = np.full(len(weights), float(voter_budget))
        touched = np.zeros(len(weights), dtype=bool)
        selected, purchases, stale, alive, round_no = [], {}, {}, set(), 0
        for c in range(prep.m):
            if prep.votes[c] == 0:
                continue
            if prep.costs[c] == 0:
                selected.append(c)
                purchases[c] = Purchase(0, 0.0, 0.0, 0, 0)
            else:
                alive.add(c)
                u = float(prep.costs[c]) if utility == "cost" else 1.0
                stale[c] = float(prep.costs[c]) / (prep.votes[c] * u)
    util = {c: (float(prep.costs[c]) if utility == "cost" else 1.0) for c in stale}
    dropped: dict[int, int] = {}
    sensitive = False

    def pristine(c: int) -> bool:
        return not touched[prep.np_approvers[c]].any()

    def exact_pristine_rho(c: int) -> Fraction:
        u = prep.costs[c] if utility == "cost" else Fraction(1)
        return prep.costs[c] / (prep.votes[c] * u)

    while alive:
        if not sensitive and cache is not None:
            snapshot = Prefix(
                voter_budget,
                budgets.copy(),
                touched.copy(),
                list(selected),
                dict(purchases),
                dict(stale),
                set(alive),
                round_no,
            )
        round_no += 1
        best = np.inf
        evaluated: list[tuple[int, float, float]] = []  # (project, rho, share)
        for c in sorted(alive, key=stale.__getitem__):
            if stale[c] > best * (1 + TOLERANCE):
                break
            idx = prep.np_approvers[c]
            bc = budgets[idx]
            wc = weights[idx]
            cost = costs[c]
            total = float(bc @ wc)
            if total < cost * (1 - TOLERANCE):
                alive.discard(c)
                dropped[c] = round_no
                sensitive = True
                continue
            if total <= cost * (1 + TOLERANCE):
                # Supporters have (nearly) exactly the cost between them.
                sensitive = True
                if not pristine(c):
                    raise NeedExact
                if voter_budget * prep.votes[c] < prep.costs[c]:
                    alive.discard(c)
                    dropped[c] = round_no
                    continue
            share, capped_any = _equal_share(bc, wc, cost)
            sensitive = sensitive or capped_any
            rho = share / util[c]
            stale[c] = rho
            best = min(best, rho)
            evaluated.append((c, rho, share))
        if not evaluated:
            break
        near = [e for e in evaluated if e[1] <= best * (1 + TOLERANCE)]
        if len(near) == 1:
            winner, rho, share = near[0]
        else:
            if not all(pristine(e[0]) for e in near):
                raise NeedExact
            exact = {e[0]: exact_pristine_rho(e[0]) for e in near}
            low = min(exact.values())
            winner = min((c for c, r in exact.items() if r == low), key=prep.rank.__getitem__)
            rho, share = next((e[1], e[2]) for e in near if e[0] == winner)
        if sensitive and cache is not None and "done" not in cache:
            cache["prefix"] = snapshot
            cache["done"] = snapshot  # only the first sensitive round of this run
        alive.discard(winner)
        idx = prep.np_approvers[winner]
        bc = budgets[idx]
        wc = weights[idx]
        paying = bc > 0
        capped = paying & (bc < share)
        budgets[idx] = bc - np.minimum(bc, share)
        touched[idx] = True
        selected.append(winner)
        purchases[winner] = Purchase(
            round_no, rho, share, int(wc[paying].sum()), int(wc[capped].sum())
        )
    available: list[Fraction | float] = [
        float(budgets[prep.np_approvers[c]] @ weights[prep.np_approvers[c]]) for c in range(prep.m)
    ]
    return Run(selected, purchases, available, dropped)


def _equal_share(budgets: np.ndarray, weights: np.ndarray, cost: float) -> tuple[float, bool]:
    """The share q each supporter pays (those with less than q give all they have).

    Iterates on the set of capped supporters ("poor"), which only grows, instead of
    sorting: most projects need one pass. Also says whether anyone was capped.
    """
    total_weight = float(weights.sum())
    share = cost / total_weight
    capped = budgets < share
    if not capped.any():
        return share, False
    count = -1
    while True:
        n_capped = int(capped.sum())
        if n_capped == count:
            return share, True
        count = n_capped
        capped_weight = float(weights[capped].sum())
        remaining = total_weight - capped_weight
        if remaining <= 0:
            return share, True
        share = (cost - float(budgets[capped] @ weights[capped])) / remaining
        capped = budgets < share
