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

from fractions import Fraction
from typing import Literal

from territoire.participation.rules.mes_exact import Run, run_exact
from territoire.participation.rules.mes_fast import NeedExact, Prefix, run_fast
from territoire.participation.rules.model import (
    Completion,
    Election,
    Outcome,
    ProjectResult,
    Utility,
)
from territoire.participation.rules.prepared import Prepared, prepare

Engine = Literal["auto", "exact", "fast"]
# Below this many (ballot group × approval) pairs the exact engine is fast enough.
EXACT_ENGINE_LIMIT = 20_000


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
    size = sum(len(a) for a in prep.approvers)
    use_exact = engine == "exact" or (engine == "auto" and size <= EXACT_ENGINE_LIMIT)
    wanted = [c for c in range(prep.m) if prep.votes[c] > 0 and prep.costs[c] > 0]

    cache: dict[str, Prefix] = {}

    def run(voter_budget: Fraction) -> Run:
        if use_exact:
            return run_exact(prep, voter_budget, utility)
        try:
            return run_fast(prep, voter_budget, utility, cache)
        except NeedExact:
            outcome.exact_fallbacks += 1
            return run_exact(prep, voter_budget, utility)

    voter_budget = prep.budget / prep.voters
    final = run(voter_budget)
    final_budget = voter_budget
    if completion != "none":
        previous, previous_budget = final, voter_budget
        while True:
            cost = sum((prep.costs[c] for c in final.selected), Fraction(0))
            if cost > prep.budget:
                final, final_budget = previous, previous_budget
                break
            chosen = set(final.selected)
            if all(c in chosen or cost + prep.costs[c] > prep.budget for c in wanted):
                break  # exhaustive
            previous, previous_budget = final, final_budget
            final_budget = final_budget + 1
            outcome.increments += 1
            final = run(final_budget)
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
