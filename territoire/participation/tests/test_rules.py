"""Voting rules on hand-checked instances, ties, completions, and the two engines agreeing."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

from territoire.participation.rules import Election, equal_shares, greedy
from territoire.participation.rules.mes_exact import run_exact
from territoire.participation.rules.mes_fast import NeedExact, run_batch, run_fast
from territoire.participation.rules.prepared import prepare


def election(projects: dict[str, int], budget: int, ballots: list[str]) -> Election:
    """Ballots written as space-separated project ids, one string per voter."""
    return Election.build(projects.items(), budget, [b.split() for b in ballots])


# Budget 100, 4 voters (25 each). A (60) by v1-v3, B (40) by v4, C (30) by v1, v2.
ABC = election({"A": 60, "B": 40, "C": 30}, 100, ["A C", "A C", "A", "B"])


@pytest.mark.parametrize("engine", ["exact", "fast"])
def test_equal_shares_single_run_by_hand(engine: str) -> None:
    # Round 1: A costs 20 a head (ρ = 1/3), B's only supporter has 25 < 40, C's two
    # supporters pay 15 each (ρ = 1/2). A is bought; v1, v2 keep 5 each: C is dropped.
    out = equal_shares(ABC, completion="none", engine=engine)
    assert out.selected == ["A"]
    a = out.results["A"]
    assert (a.reason, a.round, a.payers, a.capped) == ("equal-shares", 1, 3, 0)
    assert a.share == 20
    assert out.results["C"].reason == "too-expensive"
    assert out.results["C"].available == 10  # v1 and v2 kept 5 each
    assert out.results["B"].available == 25


@pytest.mark.parametrize("engine", ["exact", "fast"])
def test_add1_stops_at_first_exhaustive_outcome(engine: str) -> None:
    # C becomes affordable after A once 2·(b − 20) ≥ 30, i.e. b = 35 (10 increments),
    # and exactly: v1 and v2 give their last 15 each (a boundary the fast engine must
    # settle exactly). [A, C] costs 90 and B (40) no longer fits: exhaustive.
    out = equal_shares(ABC, completion="add1", engine=engine)
    assert out.selected == ["A", "C"]
    assert out.increments == 10
    assert out.voter_budget == 35
    assert out.results["C"].share == 15
    if engine == "fast":
        assert out.exact_fallbacks >= 1


def test_fast_engine_refuses_to_guess_at_an_exact_boundary() -> None:
    with pytest.raises(NeedExact):
        run_fast(prepare(ABC), Fraction(35), "cost")


# 10 voters, budget 100: six want X1 and X2, four want Y; each costs 50.
MAJORITY = election({"X1": 50, "X2": 50, "Y": 50}, 100, ["X1 X2"] * 6 + ["Y"] * 4)


def test_greedy_gives_everything_to_the_majority() -> None:
    out = greedy(MAJORITY)
    assert out.selected == ["X1", "X2"]
    assert out.results["Y"].reason == "too-expensive"
    assert out.results["Y"].available == 0


@pytest.mark.parametrize("engine", ["exact", "fast"])
def test_equal_shares_is_proportional(engine: str) -> None:
    # Y's four supporters can pay 50 once each holds 12.5: b = 13 after 3 increments.
    # X1 and X2 tie exactly in round 1 (ρ = 1/6): same votes, same cost, so the
    # smaller id wins. Then the majority is left with 13 − 50/6 each: X2 is dropped.
    out = equal_shares(MAJORITY, completion="add1", engine=engine)
    assert out.selected == ["X1", "Y"]
    assert out.increments == 3
    assert out.results["X2"].reason == "too-expensive"
    assert out.results["Y"].payers == 4


def test_completion_none_leaves_money_and_greedy_fill_uses_it() -> None:
    assert equal_shares(MAJORITY, completion="none").selected == ["X1"]
    # add1-greedy: after [X1, Y] (100) nothing fits; on ABC the fill adds nothing either,
    # so use an instance where money is left: budget 130, B fits after [A, C].
    roomy = election({"A": 60, "B": 40, "C": 30}, 130, ["A C", "A C", "A", "B"])
    out = equal_shares(roomy, completion="add1-greedy")
    assert set(out.selected) == {"A", "B", "C"}
    assert out.cost == 130


def test_greedy_fill_after_equal_shares_takes_by_votes() -> None:
    # One voter only: MES gives them 100, they buy P (cheapest ρ = 1/1 for everybody under
    # cost utilities, tie → more votes → P). Nothing else is affordable with 100 − 70.
    # add1 raises their share until the run overspends, keeps the last feasible one.
    e = election({"P": 70, "Q": 50, "R": 20}, 100, ["P Q R", "P", "P R"])
    out = equal_shares(e, completion="add1-greedy")
    assert out.cost <= 100
    assert out.selected[0] == "P"
    assert "R" in out.selected  # 30 left: R (20) fits, Q (50) does not
    assert out.results["Q"].selected is False


def test_cardinality_ties_prefer_more_votes() -> None:
    # Under cardinality utilities ρ = cost / votes in round 1: P = 20/2, Q = 30/3, tie.
    e = election({"P": 20, "Q": 30}, 30, ["P Q", "P Q", "Q"])
    out = equal_shares(e, utility="cardinality", completion="none")
    assert out.selected[0] == "Q"


def test_tie_break_on_cost_then_id() -> None:
    e = election({"10": 40, "9": 40, "2": 30}, 40, ["10 9 2", "10 9 2"])
    # Greedy: all have 2 votes; cheaper first (2), then ids 9 before 10 numerically.
    out = greedy(e)
    assert out.selected == ["2"]
    e2 = election({"10": 40, "9": 40}, 40, ["10 9", "10 9"])
    assert greedy(e2).selected == ["9"]


def test_free_and_unvoted_projects() -> None:
    e = election({"F": 0, "N": 10, "A": 50}, 50, ["F A", "A"])
    for out in (equal_shares(e), greedy(e)):
        assert "F" in out.selected and "A" in out.selected
        assert out.results["N"].reason == "no-votes"


def test_no_voters() -> None:
    e = election({"A": 10}, 10, [])
    assert equal_shares(e).selected == []
    assert greedy(e).selected == []


def test_unknown_project_in_ballot_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown project"):
        equal_shares(election({"A": 10}, 10, ["B"]))


def test_amounts_must_be_exact() -> None:
    with pytest.raises(TypeError):
        Election.build([("A", 0.1)], 1, [])  # type: ignore[list-item]


def random_election(rng: random.Random, m: int, n: int, budget: int) -> Election:
    costs = {str(i + 1): rng.choice([5, 10, 10, 15, 20, 25, 30, 40, 50]) for i in range(m)}
    popularity = [rng.random() ** 2 for _ in range(m)]
    ballots = []
    for _ in range(n):
        size = rng.randint(1, min(4, m))
        ballots.append(rng.choices(list(costs), weights=popularity, k=size))
    return Election.build(costs.items(), budget, ballots)


@pytest.mark.parametrize("seed", range(40))
def test_fast_engine_matches_exact_engine(seed: int) -> None:
    rng = random.Random(seed)
    e = random_election(rng, rng.randint(2, 9), rng.randint(1, 40), rng.choice([30, 60, 100]))
    for utility in ("cost", "cardinality"):
        for completion in ("none", "add1", "add1-greedy"):
            exact = equal_shares(e, utility=utility, completion=completion, engine="exact")
            fast = equal_shares(e, utility=utility, completion=completion, engine="fast")
            assert fast.selected == exact.selected, (utility, completion)
            assert fast.increments == exact.increments


@pytest.mark.parametrize("seed", range(30))
def test_batched_runs_match_exact_runs(seed: int) -> None:
    # Several starting budgets computed side by side, each equal to its own exact run
    # (or left to the exact engine when floating point cannot decide).
    rng = random.Random(300 + seed)
    e = random_election(rng, rng.randint(2, 9), rng.randint(1, 60), rng.choice([30, 60, 100]))
    prep = prepare(e)
    if prep.voters == 0:
        return
    start = prep.budget / prep.voters
    budgets = [start + k for k in range(0, 40, 3)]
    for utility in ("cost", "cardinality"):
        batch = run_batch(prep, budgets, utility)  # type: ignore[arg-type]
        decided = 0
        for k, voter_budget in enumerate(budgets):
            run = batch.run(k)
            if run is None:
                continue
            decided += 1
            exact = run_exact(prep, voter_budget, utility)  # type: ignore[arg-type]
            assert run.selected == exact.selected, (utility, voter_budget)
            for c in run.selected:
                assert run.purchases[c].round == exact.purchases[c].round
                assert run.purchases[c].payers == exact.purchases[c].payers
                assert run.purchases[c].capped == exact.purchases[c].capped
                assert float(run.purchases[c].share) == pytest.approx(
                    float(exact.purchases[c].share)
                )
            for c in range(prep.m):
                assert float(run.available[c]) == pytest.approx(float(exact.available[c]))
        assert decided > 0


def test_runs_resumed_from_the_budget_insensitive_prefix() -> None:
    rng = random.Random(77)
    e = random_election(rng, 9, 200, 100)
    prep = prepare(e)
    start = prep.budget / prep.voters
    first = run_batch(prep, [start], "cost")
    assert first.prefix is not None and first.prefix.round_no >= 1
    later = [start + 2, start + 7]
    resumed = run_batch(prep, later, "cost", first.prefix)
    fresh = run_batch(prep, later, "cost")
    for k in range(len(later)):
        a, b = resumed.run(k), fresh.run(k)
        assert a is not None and b is not None
        assert a.selected == b.selected
        assert a.available == pytest.approx(b.available)


def test_grouping_identical_ballots_changes_nothing() -> None:
    # The same electorate given voter by voter or as weighted distinct ballots.
    rng = random.Random(11)
    e = random_election(rng, 8, 120, 100)
    distinct: dict[frozenset[str], int] = {}
    for ballot in e.ballots:
        distinct[ballot] = distinct.get(ballot, 0) + 1
    grouped = Election(e.projects, e.budget, list(distinct), list(distinct.values()))
    assert len(prepare(grouped).weights) == len(prepare(e).weights) < len(e.ballots)
    for engine in ("fast", "exact"):
        a = equal_shares(e, completion="add1", engine=engine)  # type: ignore[arg-type]
        b = equal_shares(grouped, completion="add1", engine=engine)  # type: ignore[arg-type]
        assert a.selected == b.selected
        assert a.increments == b.increments


@pytest.mark.parametrize("engine", ["exact", "fast"])
def test_degenerate_elections(engine: str) -> None:
    no_projects = Election.build([], 10, [[], []])
    assert equal_shares(no_projects, engine=engine).selected == []  # type: ignore[arg-type]
    only_free = Election.build([("F", 0), ("A", 50)], 10, [["F"], []])
    out = equal_shares(only_free, completion="add1", engine=engine)  # type: ignore[arg-type]
    assert out.selected == ["F"]
    assert out.increments == 0


@pytest.mark.parametrize("seed", range(20))
def test_share_computation_matches_a_sort(seed: int) -> None:
    # The Newton iteration of the fast engine against the textbook computation: sort
    # the supporters by budget and let the poorest give all until the rest can share.
    from territoire.participation.rules.mes_fast import _equal_shares

    rng = np.random.default_rng(seed)
    runs, n = 5, int(rng.integers(1, 60))
    budgets = rng.choice([0.0, 1.0, 2.5, 4.0, 7.0, 30.0], size=(runs, n)) * rng.random((runs, n))
    weights = rng.integers(1, 4, size=n).astype(np.float64)
    cost = float(min((budgets @ weights).min() * rng.uniform(0.2, 0.99), 50.0))
    if cost <= 0:
        return
    expected = []
    for row in budgets:
        order = np.argsort(row)
        paid, left = 0.0, float(weights.sum())
        for i in order:
            q = (cost - paid) / left
            if row[i] >= q:
                break
            paid += row[i] * weights[i]
            left -= weights[i]
        expected.append(q)
    floor = np.array(expected) * rng.uniform(0.0, 1.0, size=runs)  # any lower bound
    share, poor, _ = _equal_shares(budgets, weights, float(weights.sum()), cost, floor)
    assert share == pytest.approx(np.array(expected), rel=1e-12)
    assert poor == pytest.approx(
        [(weights * (row < q)).sum() for row, q in zip(budgets, share, strict=True)]
    )
