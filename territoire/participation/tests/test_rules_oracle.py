"""Our rules against pabutools (the reference implementation) on random instances.

pabutools is a development dependency only. Both sides use the same tie-breaking: more
votes, then cheaper, then smaller id (numeric). Every project gets at least one vote,
since our greedy never funds a project nobody voted for while pabutools' may.
"""

from __future__ import annotations

import random

import pytest

from territoire.participation.rules import Election, equal_shares, greedy, natural_key

pabutools = pytest.importorskip("pabutools")

from pabutools.election import (  # noqa: E402
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
    Instance,
)
from pabutools.election import Project as PbProject  # noqa: E402
from pabutools.rules import (  # noqa: E402
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import TieBreakingRule  # noqa: E402


def oracle(e: Election, rule: str, utility: str, completion: str) -> list[str]:
    """pabutools' outcome, in the order it selected the projects."""
    projects = {p.id: PbProject(p.id, p.cost) for p in e.projects}
    instance = Instance(projects.values(), budget_limit=e.budget)
    profile = ApprovalProfile([ApprovalBallot(projects[p] for p in b) for b in e.ballots])
    tie = TieBreakingRule(
        lambda inst, prof, proj: (-prof.approval_score(proj), proj.cost, natural_key(proj.name))
    )
    if rule == "greedy":
        out = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, tie_breaking=tie)
        return [p.name for p in out]
    sat = Cost_Sat if utility == "cost" else Cardinality_Sat
    mes = {"sat_class": sat, "tie_breaking": tie}
    if completion != "none":
        mes["voter_budget_increment"] = 1
    if completion == "add1-greedy":
        out = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [mes, {"sat_class": Cost_Sat, "tie_breaking": tie}],
        )
    else:
        out = method_of_equal_shares(instance, profile, **mes)
    return [p.name for p in out]


def random_election(rng: random.Random) -> Election:
    m = rng.randint(2, 10)
    costs = {str(i + 1): rng.choice([1, 5, 10, 10, 20, 25, 30, 45, 60]) for i in range(m)}
    ids = list(costs)
    popularity = [rng.random() + 0.05 for _ in ids]
    ballots = [[pid] for pid in ids]  # everyone gets a vote
    for _ in range(rng.randint(0, 30)):
        ballots.append(rng.choices(ids, weights=popularity, k=rng.randint(1, min(5, m))))
    return Election.build(costs.items(), rng.choice([20, 50, 80, 120]), ballots)


@pytest.mark.parametrize("seed", range(60))
def test_same_outcome_as_pabutools(seed: int) -> None:
    rng = random.Random(1000 + seed)
    e = random_election(rng)
    assert set(greedy(e).selected) == set(oracle(e, "greedy", "cost", "none"))
    for utility in ("cost", "cardinality"):
        for completion in ("none", "add1", "add1-greedy"):
            for engine in ("fast", "exact"):
                ours = equal_shares(e, utility=utility, completion=completion, engine=engine)
                # Same projects, chosen in the same order.
                assert ours.selected == oracle(e, "mes", utility, completion), (
                    utility,
                    completion,
                    engine,
                )


def tied_election(rng: random.Random) -> Election:
    """Many exact ties: few distinct costs, voters copying a handful of ballots."""
    m = rng.randint(3, 8)
    costs = {str(i + 1): rng.choice([10, 20]) for i in range(m)}
    ids = list(costs)
    templates = [rng.sample(ids, rng.randint(1, min(3, m))) for _ in range(rng.randint(2, 5))]
    ballots = [[pid] for pid in ids]
    for template in templates:
        ballots.extend([template] * rng.randint(1, 4))
    return Election.build(costs.items(), rng.choice([30, 40, 60]), ballots)


@pytest.mark.parametrize("seed", range(40))
def test_ties_settled_like_pabutools(seed: int) -> None:
    e = tied_election(random.Random(5000 + seed))
    for utility in ("cost", "cardinality"):
        for completion in ("none", "add1"):
            ours = equal_shares(e, utility=utility, completion=completion, engine="fast")
            assert ours.selected == oracle(e, "mes", utility, completion), (utility, completion)


@pytest.mark.parametrize("seed", range(3))
def test_larger_instance_same_order_as_pabutools(seed: int) -> None:
    # Big enough for the batched float engine to run many add1 steps side by side.
    rng = random.Random(9000 + seed)
    m = 25
    costs = {str(i + 1): rng.randrange(1_000, 60_000, 100) for i in range(m)}
    ids = list(costs)
    popularity = [rng.paretovariate(1.3) for _ in ids]
    ballots = [set(rng.choices(ids, weights=popularity, k=rng.randint(1, 6))) for _ in range(800)]
    e = Election.build(costs.items(), sum(costs.values()) // 3, ballots)
    ours = equal_shares(e, completion="add1", engine="fast")
    assert ours.increments > 1
    assert ours.selected == oracle(e, "mes", "cost", "add1")
