"""One run of the Method of Equal Shares in exact rational arithmetic (the reference engine).

Each voter starts with the same amount of money. In each round, every remaining project
asks its supporters to share its cost as equally as they can: supporters who have less
than the equal share give all they have left, the others give the same amount ``q``.
A project is *ρ-affordable* when that works with ``q = ρ · u`` where ``u`` is a supporter's
utility for the project (its cost under cost utilities, 1 under cardinality utilities).
The project with the smallest ρ is bought; projects whose supporters no longer have
enough money between them are dropped. Ties on ρ go to :class:`~.model.TieBreak`.

ρ can only grow from one round to the next (budgets only shrink), so each round visits
projects by their last known ρ and stops as soon as that lower bound exceeds the best
value found: the usual lazy evaluation, which returns the same outcome as a full scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from territoire.participation.rules.model import Utility
from territoire.participation.rules.prepared import Prepared


@dataclass
class Purchase:
    round: int
    rho: Fraction | float
    share: Fraction | float  # what each payer who was not capped gave
    payers: int
    capped: int  # payers who gave all they had left (less than ``share``)


@dataclass
class Run:
    selected: list[int]
    purchases: dict[int, Purchase]
    available: list[Fraction | float]  # supporters' money left at the end, per project
    dropped_round: dict[int, int] = field(default_factory=dict)


def utility_of(prep: Prepared, c: int, utility: Utility) -> Fraction:
    return prep.costs[c] if utility == "cost" else Fraction(1)


def run_exact(prep: Prepared, voter_budget: Fraction, utility: Utility) -> Run:
    weights = prep.weights
    budgets = [voter_budget] * len(weights)
    selected: list[int] = []
    purchases: dict[int, Purchase] = {}
    dropped: dict[int, int] = {}
    candidates: set[int] = set()
    for c in range(prep.m):
        if prep.votes[c] == 0:
            continue
        if prep.costs[c] == 0:
            selected.append(c)  # free and wanted: nobody needs to pay for it
            purchases[c] = Purchase(0, Fraction(0), Fraction(0), 0, 0)
        else:
            candidates.add(c)
    util = {c: utility_of(prep, c, utility) for c in candidates}
    stale = {c: prep.costs[c] / (prep.votes[c] * util[c]) for c in candidates}
    round_no = 0
    while candidates:
        round_no += 1
        best: Fraction | None = None
        tied: list[int] = []
        for c in sorted(candidates, key=stale.__getitem__):
            groups = prep.approvers[c]
            cost = prep.costs[c]
            total = sum((weights[g] * budgets[g] for g in groups), Fraction(0))
            if total < cost:
                candidates.discard(c)
                dropped[c] = round_no
                continue
            if best is not None and stale[c] > best:
                break
            u = util[c]
            contributed = Fraction(0)
            denominator = prep.votes[c] * u
            rho = cost / denominator
            for g in sorted(groups, key=budgets.__getitem__):
                rho = (cost - contributed) / denominator
                if rho * u <= budgets[g]:
                    break
                contributed += weights[g] * budgets[g]
                denominator -= weights[g] * u
            stale[c] = rho
            if best is None or rho < best:
                best, tied = rho, [c]
            elif rho == best:
                tied.append(c)
        if best is None:
            break
        winner = min(tied, key=prep.rank.__getitem__)
        candidates.discard(winner)
        share = best * util[winner]
        payers = capped = 0
        for g in prep.approvers[winner]:
            if budgets[g] == 0:
                continue
            payers += weights[g]
            if budgets[g] < share:
                capped += weights[g]
                budgets[g] = Fraction(0)
            else:
                budgets[g] -= share
        selected.append(winner)
        purchases[winner] = Purchase(round_no, best, share, payers, capped)
    available: list[Fraction | float] = [
        sum((weights[g] * budgets[g] for g in prep.approvers[c]), Fraction(0))
        for c in range(prep.m)
    ]
    return Run(selected, purchases, available, dropped)
