"""Runs of the Method of Equal Shares in floating point, batched, with proven decisions.

Same algorithm as :mod:`.mes_exact`, vectorised with numpy over groups of identical
ballots, and over *several starting budgets at once*: the add1 completion needs the
outcome for ``b``, ``b + 1``, ``b + 2``, … and those runs mostly take the same decisions
in the same rounds, so one pass computes them side by side. Budgets are a matrix with
one row per ballot group and one column per run; each project's supporters are a row
index (:mod:`.prepared`), so evaluating a project or paying for it touches only its
supporters' rows, for every run in one numpy operation.

Each round is lazy: ρ can only grow as budgets fall, so a project's last computed ρ is
a lower bound, projects are visited by that bound and a run stops visiting as soon as the
bound exceeds the best ρ found (the usual lazy evaluation, same outcome as a full scan).
A project is evaluated at once for every run whose bound for it does not exceed that
run's best ρ so far (few runs: a flat ``take`` per run; many: a row gather). The share
itself is found by Newton's method from below (see :func:`_equal_shares`). Runs with a
larger starting budget start after the rounds that did not depend on it (:class:`Prefix`).

Floating point is only trusted where it cannot change the outcome:

- every quantity the rule compares (ρ values, supporters' money against a cost) is a
  continuous function of the budgets, so a decision taken with a margin much larger than
  the rounding error (relative ``TOLERANCE``) is the decision exact arithmetic takes;
- when two candidates are within the tolerance of each other (a possible exact tie), or
  supporters' money is within it of a cost, the decision is settled exactly when the
  projects involved are *pristine* (none of their supporters has paid anything yet, so
  everything is known in closed form: ρ = cost / (votes · u)); otherwise that run is
  marked as undecided and the caller redoes it in exact arithmetic.

Exact ties are common in the first rounds (under cost utilities ρ = 1/votes, so projects
with the same vote count tie), which is why pristine ties are settled here rather than
by falling back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from threadpoolctl import threadpool_limits

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
    with a larger starting budget (the next add1 steps) therefore repeats those rounds
    exactly, and can start from here with every budget raised by the difference. Those
    first rounds buy the most popular projects, the ones with the most supporters.
    """

    voter_budget: Fraction
    budgets: np.ndarray
    stale: np.ndarray
    alive: np.ndarray
    selected: list[int]
    purchases: dict[int, Purchase]
    paid: list[int]
    round_no: int


@dataclass
class Batch:
    """Outcomes of several runs computed together (``runs[k]`` is None when undecided)."""

    prep: Prepared
    voter_budgets: list[Fraction]
    runs: list[Run | None]
    budgets: np.ndarray  # final money of each group (rows) in each run (columns)
    prefix: Prefix | None = None  # a single run records its budget-insensitive start

    def run(self, k: int) -> Run | None:
        """Run ``k`` with its supporters' money left per project filled in."""
        run = self.runs[k]
        if run is None or run.available:
            return run
        prep = self.prep
        money = prep.np_weights[prep.sup_idx] * self.budgets[prep.sup_idx, k]
        run.available = np.bincount(prep.sup_project, weights=money, minlength=prep.m).tolist()
        return run


def run_fast(prep: Prepared, voter_budget: Fraction, utility: Utility) -> Run:
    """One run; raises :class:`NeedExact` when floating point cannot decide."""
    run = run_batch(prep, [voter_budget], utility).run(0)
    if run is None:
        raise NeedExact
    return run


def run_batch(
    prep: Prepared,
    voter_budgets: Sequence[Fraction],
    utility: Utility,
    prefix: Prefix | None = None,
    out: np.ndarray | None = None,
) -> Batch:
    """Runs for each starting budget in ``voter_budgets``, computed side by side.

    With ``prefix`` (recorded by an earlier single run with no larger a budget), the
    runs start after its budget-insensitive rounds. ``out`` (groups × runs) receives
    the budget matrix, to spare a large allocation per batch.
    """
    # One BLAS thread: the products here are matrix-vector ones, where threads only
    # add overhead (and crawl when the machine is busy).
    with threadpool_limits(limits=1, user_api="blas"):
        return _BatchRunner(prep, list(voter_budgets), utility, prefix, out).run()


class _BatchRunner:
    def __init__(
        self,
        prep: Prepared,
        voter_budgets: list[Fraction],
        utility: Utility,
        prefix: Prefix | None,
        out: np.ndarray | None = None,
    ):
        self.prep = prep
        self.voter_budgets = voter_budgets
        self.utility = utility
        m, k = prep.m, len(voter_budgets)
        self.k = k
        self.util = prep.np_costs.copy() if utility == "cost" else np.ones(m)
        self.support = np.array([float(v) for v in prep.votes], dtype=np.float64)
        self.supporters = [float(v) for v in prep.votes]
        self.cost = [float(c) for c in prep.costs]
        self.weights = [prep.np_weights[idx] for idx in prep.np_approvers]
        start = np.array([float(b) for b in voter_budgets], dtype=np.float64)
        shape = (len(prep.weights), k)
        if out is None or out.shape != shape or not out.flags.c_contiguous:
            out = np.empty(shape)
        self.budgets = out
        resuming = prefix is not None and all(b >= prefix.voter_budget for b in voter_budgets)
        if not resuming:
            self.budgets[:] = start
        self.alive = np.zeros((m, k), dtype=bool)
        self.stale = np.full((m, k), np.inf)
        self.active = np.ones(k, dtype=bool)
        self.undecided = np.zeros(k, dtype=bool)
        self.selected: list[list[int]] = [[] for _ in range(k)]
        self.purchases: list[dict[int, Purchase]] = [{} for _ in range(k)]
        self.dropped: list[dict[int, int]] = [{} for _ in range(k)]
        self.paid: list[list[int]] = [[] for _ in range(k)]  # bought with money
        for c in range(m):
            if prep.votes[c] == 0:
                continue
            if prep.costs[c] == 0:
                for run in range(k):  # free and wanted: nobody needs to pay for it
                    self.selected[run].append(c)
                    self.purchases[run][c] = Purchase(0, 0.0, 0.0, 0, 0)
            else:
                self.alive[c] = True
                self.stale[c] = prep.np_costs[c] / (self.support[c] * self.util[c])
        self.round_no = 0
        self.flat = self.budgets.reshape(-1)  # a view: budgets stay C-contiguous
        self._offsets: list[np.ndarray | None] = [None] * m
        self.record = k == 1 and prefix is None
        self.sensitive = False  # has a decision depended on the starting budget yet?
        self.prefix: Prefix | None = None
        if prefix is not None and resuming:
            self.resume(prefix)

    def resume(self, prefix: Prefix) -> None:
        raise_by = np.array([float(b - prefix.voter_budget) for b in self.voter_budgets])
        np.add(prefix.budgets[:, None], raise_by[None, :], out=self.budgets)
        self.stale[:] = prefix.stale[:, None]
        self.alive[:] = prefix.alive[:, None]
        for run in range(self.k):
            self.selected[run] = list(prefix.selected)
            self.purchases[run] = dict(prefix.purchases)
            self.paid[run] = list(prefix.paid)
        self.round_no = prefix.round_no

    def snapshot(self) -> Prefix:
        return Prefix(
            self.voter_budgets[0],
            self.budgets[:, 0].copy(),
            self.stale[:, 0].copy(),
            self.alive[:, 0].copy(),
            list(self.selected[0]),
            dict(self.purchases[0]),
            list(self.paid[0]),
            self.round_no,
        )

    # -- helpers ---------------------------------------------------------------------

    def pristine(self, c: int, run: int) -> bool:
        return not any(self.prep.overlap(c, s) for s in self.paid[run])

    def exact_rho(self, c: int) -> Fraction:
        u = self.prep.costs[c] if self.utility == "cost" else Fraction(1)
        return self.prep.costs[c] / (self.prep.votes[c] * u)

    def give_up(self, run: int) -> None:
        self.sensitive = True
        self.undecided[run] = True
        self.active[run] = False

    # -- the rule --------------------------------------------------------------------

    def run(self) -> Batch:
        while np.count_nonzero(self.active):
            if self.record and not self.sensitive:
                self.prefix = self.snapshot()
            self.round_no += 1
            if not self.one_round():
                break
        runs: list[Run | None] = [
            None
            if self.undecided[k]
            else Run(self.selected[k], self.purchases[k], [], self.dropped[k])
            for k in range(self.k)
        ]
        return Batch(self.prep, self.voter_budgets, runs, self.budgets, self.prefix)

    def one_round(self) -> bool:
        m, k = self.prep.m, self.k
        if not np.count_nonzero(self.alive):
            return False  # no candidate left in any run (or no project at all)
        every = np.arange(k)
        self.best = np.full(k, np.inf)
        self.rho = np.full((m, k), np.inf)  # ρ computed this round
        self.share = np.zeros((m, k))
        self.poor = np.zeros((m, k))  # weight of supporters with less than the share
        self.seen = ~self.alive
        self.seen[:, ~self.active] = True
        while True:
            pending = np.where(self.seen, np.inf, self.stale)
            following = pending.argmin(axis=0)
            bound = pending[following, every]
            need = self.active & np.isfinite(bound) & (bound <= self.best * (1 + TOLERANCE))
            if not np.count_nonzero(need):
                break
            for c in sorted(set(following[need].tolist())):
                self.evaluate(c)
        finished = self.active & ~np.isfinite(self.best)
        self.active[finished] = False
        deciding = self.active.copy()
        if not np.count_nonzero(deciding):
            return False
        near = self.rho <= (self.best * (1 + TOLERANCE))[None, :]
        near[:, ~deciding] = False
        winner = self.rho.argmin(axis=0)
        for run in np.flatnonzero(near.sum(axis=0) > 1).tolist():
            tied = np.flatnonzero(near[:, run]).tolist()
            if not all(self.pristine(c, run) for c in tied):
                self.give_up(run)
                deciding[run] = False
                continue
            exact = {c: self.exact_rho(c) for c in tied}
            low = min(exact.values())
            winner[run] = min((c for c in tied if exact[c] == low), key=self.prep.rank.__getitem__)
        runs = deciding.nonzero()[0]
        chosen = winner[runs]
        for s in sorted(set(chosen.tolist())):
            self.buy(s, runs[chosen == s])
        return True

    def gather(self, c: int, cols: np.ndarray) -> np.ndarray:
        """Money of project ``c``'s supporters in runs ``cols``: one row per run.

        Few runs: one flat ``take`` per run row. Many: a gather of whole rows of the
        budget matrix (cheaper per element), seen transposed.
        """
        if cols.size * 2 <= self.k:
            return self.flat.take(cols[:, None] + self.offsets(c)[None, :])
        rows = self.budgets[self.prep.np_approvers[c]].T
        return rows if cols.size == self.k else rows[cols]

    def offsets(self, c: int) -> np.ndarray:
        """Positions of ``c``'s supporters in the flattened budget matrix (first run)."""
        known = self._offsets[c]
        if known is None:
            known = self._offsets[c] = self.prep.np_approvers[c] * self.k
        return known

    def evaluate(self, c: int) -> None:
        """ρ of project ``c`` in every active run where it is still a candidate."""
        # Only the runs where its bound does not already exceed the best ρ found: the
        # best only falls during a round, so the other runs will never need it.
        wanted = self.alive[c] & self.active
        wanted &= self.stale[c] <= self.best * (1 + TOLERANCE)
        cols = wanted.nonzero()[0]
        if cols.size == 0:
            return
        self.seen[c, cols] = True
        sub = self.gather(c, cols)
        wc = self.weights[c]
        cost = self.cost[c]
        total = sub @ wc
        if total.min() <= cost * (1 + TOLERANCE):
            ok = self.short_of_money(c, cols, total)
            if not ok.any():
                return
            if not ok.all():
                sub = sub[ok]
                cols = cols[ok]
        floor = self.stale[c, cols] * self.util[c]
        q, poor, capped = _equal_shares(sub, wc, self.supporters[c], cost, floor)
        self.sensitive = self.sensitive or capped
        rho = q / self.util[c]
        self.stale[c, cols] = rho
        self.rho[c, cols] = rho
        self.share[c, cols] = q
        self.poor[c, cols] = poor
        self.best[cols] = np.minimum(self.best[cols], rho)

    def short_of_money(self, c: int, cols: np.ndarray, total: np.ndarray) -> np.ndarray:
        """Drop ``c`` where its supporters cannot pay for it; say where they can."""
        self.sensitive = True
        cost = self.cost[c]
        short = total < cost * (1 - TOLERANCE)
        boundary = ~short & (total <= cost * (1 + TOLERANCE))
        ok = ~short
        for j in np.flatnonzero(boundary).tolist():
            run = int(cols[j])
            # Supporters have (nearly) exactly the cost between them.
            if not self.pristine(c, run):
                self.give_up(run)
                ok[j] = False
            elif self.voter_budgets[run] * self.prep.votes[c] < self.prep.costs[c]:
                short[j] = True
                ok[j] = False
        for run in cols[short].tolist():
            self.alive[c, run] = False
            self.dropped[run][c] = self.round_no
        return ok

    def buy(self, s: int, cols: np.ndarray) -> None:
        """Project ``s`` is bought in the runs ``cols``: its supporters pay."""
        idx = self.prep.np_approvers[s]
        wc = self.weights[s]
        q = self.share[s, cols]
        if cols.size * 2 <= self.k:
            where = cols[:, None] + self.offsets(s)[None, :]
            sub = self.flat.take(where)
            self.flat[where] = sub - np.minimum(sub, q[:, None])
        else:
            # Whole rows, with a share of 0 in the other runs (nobody pays there).
            share = np.zeros(self.k)
            share[cols] = q
            rows = self.budgets[idx]
            self.budgets[idx] = rows - np.minimum(rows, share)
            sub = rows.T if cols.size == self.k else rows.T[cols]
        payers = (sub > 0) @ wc
        # Those with less than the share, less those who had nothing left.
        capped = self.poor[s, cols] - (self.supporters[s] - payers)
        self.alive[s, cols] = False
        rho = self.rho[s, cols]
        for j, run in enumerate(cols.tolist()):
            self.selected[run].append(s)
            self.paid[run].append(s)
            self.purchases[run][s] = Purchase(
                self.round_no,
                float(rho[j]),
                float(q[j]),
                round(float(payers[j])),
                round(float(capped[j])),
            )


def _equal_shares(
    budgets: np.ndarray, weights: np.ndarray, total_weight: float, cost: float, floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Per run (row), the share q each supporter pays (those with less than q give all).

    Newton's method on the concave, piecewise-linear money function, from below: take
    as capped ("poor") the supporters with less than the current guess, share the rest
    of the cost among the others, until the capped set stops growing. No sort; most
    runs settle in one or two passes, and settled runs leave the computation. ``floor``
    is a known lower bound per run (the last ρ found times the utility: ρ only grows
    as budgets fall), a warm start. Runs must be affordable (supporters' money ≥ cost).
    Also gives the weight of the capped supporters per run, and whether there were any.
    """
    share = np.maximum(cost / total_weight, floor * (1 - 1e-9))
    n = share.size
    todo = np.arange(n)
    sub = budgets
    previous = np.full(n, -1.0)
    capped_any = False
    while True:
        cap = sub < (share[todo] if todo.size < n else share)[:, None]
        capped_weight = cap @ weights
        moved = capped_weight != previous[todo]
        still = np.count_nonzero(moved)  # (cheaper than .any() on small arrays)
        if not still:
            break
        capped_any = capped_any or bool(np.count_nonzero(capped_weight))
        if still < moved.size:
            todo, sub, cap, capped_weight = (
                todo[moved],
                sub[moved],
                cap[moved],
                capped_weight[moved],
            )
        capped_money = (sub * cap) @ weights
        remaining = total_weight - capped_weight
        safe = remaining > 0
        share[todo] = np.where(
            safe, (cost - capped_money) / np.where(safe, remaining, 1.0), share[todo]
        )
        previous[todo] = capped_weight
    return share, previous, capped_any
