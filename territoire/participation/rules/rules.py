"""The voting rules: greedy by votes, and the Method of Equal Shares with its completions.

``greedy``: what most participatory budgets do (CONSUL among them). Projects are taken by
number of votes; one that no longer fits in what is left of the budget is skipped and
the next one is tried. Projects nobody voted for are never funded.

``equal_shares`` (Peters & Skowron): the budget is split equally between voters, and each
project is bought by its own supporters (see :mod:`.mes_exact`). Completions, as in the
cities that adopted the method:

- ``none``: one run with each voter holding budget ÷ voters;
- ``add1``: while the outcome is not exhaustive (some approved project would still fit),
  give every voter one more currency unit and run again; keep the last outcome whose
  cost fits the real budget;
- ``add1-greedy`` (default): ``add1``, then fill what is left greedily by votes.

Ties are broken by :class:`~.model.TieBreak` (more votes, then cheaper, then smaller id).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

import numpy as np

from territoire.participation.rules.mes_exact import Run, run_exact
from territoire.participation.rules.mes_fast import Batch, Prefix, run_batch
from territoire.participation.rules.model import (
    Completion,
    Election,
    Outcome,
    ProjectResult,
    Utility,
)
from territoire.participation.rules.prepared import Prepared, prepare

Engine = Literal["auto", "exact", "fast"]
# Below this many (ballot group × approval) pairs the exact engine is fast enough even
# for the hundreds of runs add1 may need; above, the batched float engine (which
# still falls back to exact arithmetic for a run it cannot decide).
EXACT_ENGINE_LIMIT = 1_000


def greedy(election: Election) -> Outcome:
    prep = prepare(election)
    outcome = Outcome(rule="greedy", selected=[], cost=Fraction(0), budget=prep.budget)
    _greedy_fill(prep, outcome, remaining=prep.budget)
    _fill_unselected(prep, outcome, available_by_project=None)
    return outcome


def equal_shares(
    election: Election,
    *,
    utility: Utility = "cost",
    completion: Completion = "add1-greedy",
    engine: Engine = "auto",
) -> Outcome:
    if utility not in ("cost", "cardinality"):
        raise ValueError(f"Unknown utility: {utility}")
    if completion not in ("none", "add1", "add1-greedy"):
        raise ValueError(f"Unknown completion: {completion}")
    prep = prepare(election)
    outcome = Outcome(
        rule=f"equal-shares/{utility}/{completion}",
        selected=[],
        cost=Fraction(0),
        budget=prep.budget,
    )
    if prep.voters == 0:
        if completion == "add1-greedy":
            _greedy_fill(prep, outcome, remaining=prep.budget)
        _fill_unselected(prep, outcome, available_by_project=None)
        return outcome
    use_exact = engine == "exact" or (engine == "auto" and prep.pairs <= EXACT_ENGINE_LIMIT)
    wanted = [c for c in range(prep.m) if prep.votes[c] > 0 and prep.costs[c] > 0]
    start = prep.budget / prep.voters
    runs = _Runs(prep, start, utility, use_exact, outcome)
    k = 0
    final = runs.get(0)
    outcome.increments = 0
    if completion != "none":
        # pabutools' add1: stop at the first exhaustive outcome, or step back from the
        # first one that no longer fits the budget. Costs as integers over a common
        # denominator: the same comparisons as with fractions, without their cost.
        scale = math.lcm(*(c.denominator for c in prep.costs), prep.budget.denominator)
        costs = [int(c * scale) for c in prep.costs]
        limit = int(prep.budget * scale)
        while True:
            cost = sum(costs[c] for c in final.selected)
            if cost > limit:
                k -= 1  # ``increments`` still counts the step that went over
                break
            chosen = set(final.selected)
            if all(c in chosen or cost + costs[c] > limit for c in wanted):
                break  # exhaustive
            k += 1
            outcome.increments = k
            final = runs.get(k)
    final = runs.finish(k)
    final_budget = start + k
    outcome.voter_budget = final_budget
    for c in final.selected:
        purchase = final.purchases[c]
        pid = prep.ids[c]
        free = prep.costs[c] == 0
        outcome.results[pid] = ProjectResult(
            id=pid,
            cost=prep.costs[c],
            votes=prep.votes[c],
            selected=True,
            reason="free" if free else "equal-shares",
            round=None if free else purchase.round,
            share=None if free else purchase.share,
            payers=purchase.payers,
            capped=purchase.capped,
        )
        outcome.selected.append(pid)
        outcome.cost += prep.costs[c]
    if completion == "add1-greedy":
        _greedy_fill(prep, outcome, remaining=prep.budget - outcome.cost)
    _fill_unselected(prep, outcome, available_by_project=final.available)
    return outcome


class _Runs:
    """Outcomes of Equal Shares for starting budgets ``start + k``, k = 0, 1, 2, ….

    The fast engine computes them in batches (1, then 8, then 24 at a time): the add1
    completion usually needs tens of increments, and runs computed side by side share
    their numpy passes; later batches start from the budget-insensitive prefix the
    first run recorded. Runs the fast engine cannot decide are redone in exact
    arithmetic, one by one.
    """

    FIRST_SIZES = (1, 8)
    SIZE = 24

    def __init__(
        self, prep: Prepared, start: Fraction, utility: Utility, exact: bool, outcome: Outcome
    ) -> None:
        self.prep = prep
        self.start = start
        self.utility = utility
        self.exact = exact
        self.outcome = outcome
        self.batches: list[tuple[int, Batch]] = []
        self.cache: dict[int, Run] = {}
        self.computed = 0  # runs below this index belong to a batch
        self.prefix: Prefix | None = None
        self.spare: dict[int, list[np.ndarray]] = {}

    def get(self, k: int) -> Run:
        if k in self.cache:
            return self.cache[k]
        if self.exact:
            run = run_exact(self.prep, self.start + k, self.utility)
        else:
            while k >= self.computed:
                n = len(self.batches)
                size = self.FIRST_SIZES[n] if n < len(self.FIRST_SIZES) else self.SIZE
                budgets = [self.start + i for i in range(self.computed, self.computed + size)]
                # Two budget matrices per size, in turn: the final run is in the last
                # batch or the one before.
                spare = self.spare.setdefault(size, [])
                out = spare.pop(0) if len(spare) == 2 else None
                batch = run_batch(self.prep, budgets, self.utility, self.prefix, out)
                spare.append(batch.budgets)
                self.prefix = self.prefix or batch.prefix
                self.batches.append((self.computed, batch))
                self.computed += size
            first, batch = next((f, b) for f, b in reversed(self.batches) if f <= k)
            fast = batch.runs[k - first]
            if fast is None:
                self.outcome.exact_fallbacks += 1
                run = run_exact(self.prep, self.start + k, self.utility)
            else:
                run = fast
        self.cache[k] = run
        return run

    def finish(self, k: int) -> Run:
        """Run ``k`` with what each project's supporters kept filled in."""
        run = self.get(k)
        if len(run.available) != self.prep.m:  # a fast run: computed on demand
            first, batch = next((f, b) for f, b in reversed(self.batches) if f <= k)
            batch.run(k - first)
        return run


def _greedy_fill(prep: Prepared, outcome: Outcome, *, remaining: Fraction) -> None:
    """Take projects by votes (tie-break order), skipping those that do not fit."""
    chosen = set(outcome.selected)
    position = len(outcome.selected)
    for c in sorted(range(prep.m), key=prep.rank.__getitem__):
        pid = prep.ids[c]
        if pid in chosen or prep.votes[c] == 0:
            continue
        if prep.costs[c] <= remaining:
            position += 1
            outcome.results[pid] = ProjectResult(
                id=pid,
                cost=prep.costs[c],
                votes=prep.votes[c],
                selected=True,
                reason="greedy",
                round=position,
                available=remaining,
            )
            outcome.selected.append(pid)
            outcome.cost += prep.costs[c]
            remaining -= prep.costs[c]
        else:
            outcome.results[pid] = ProjectResult(
                id=pid,
                cost=prep.costs[c],
                votes=prep.votes[c],
                selected=False,
                reason="too-expensive",
                available=remaining,
            )


def _fill_unselected(
    prep: Prepared, outcome: Outcome, *, available_by_project: list[Fraction | float] | None
) -> None:
    chosen = set(outcome.selected)
    for c, pid in enumerate(prep.ids):
        if pid in chosen:
            continue
        if prep.votes[c] == 0:
            outcome.results[pid] = ProjectResult(
                id=pid, cost=prep.costs[c], votes=0, selected=False, reason="no-votes"
            )
        elif available_by_project is not None:
            # Equal Shares: what its supporters still had between them at the end.
            outcome.results[pid] = ProjectResult(
                id=pid,
                cost=prep.costs[c],
                votes=prep.votes[c],
                selected=False,
                reason="too-expensive",
                available=available_by_project[c],
            )
        elif pid not in outcome.results:
            outcome.results[pid] = ProjectResult(
                id=pid,
                cost=prep.costs[c],
                votes=prep.votes[c],
                selected=False,
                reason="too-expensive",
            )
