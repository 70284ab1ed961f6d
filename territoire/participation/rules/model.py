"""The vocabulary of winner computation: an election, its outcome, and per-project explanations.

Pure Python (no Django): the rules are used by the web app, the ``territoire pb`` command
and the benchmarks alike. Money is exact (:class:`fractions.Fraction`) at the boundary;
the fast engine works in floating point and proves its decisions (see ``mes_fast``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

Utility = Literal["cost", "cardinality"]
Completion = Literal["none", "add1", "add1-greedy"]
Number = int | Fraction | Decimal | str


def to_fraction(value: Number | float) -> Fraction:
    """An exact amount from an int, a Decimal, a decimal string or a Fraction.

    Floats are refused: ``0.1`` is not one tenth, and an outcome must not depend on it.
    """
    if isinstance(value, float):
        raise TypeError("Amounts must be exact (int, Decimal, str or Fraction), not float.")
    if isinstance(value, Decimal | str):
        return Fraction(Decimal(str(value).strip()))
    return Fraction(value)


def natural_key(project_id: str) -> tuple[int, int | str]:
    """Order ids numerically when they are numbers ("2" before "10"), else as text."""
    return (0, int(project_id)) if project_id.isdigit() else (1, project_id)


@dataclass(frozen=True)
class Project:
    id: str
    cost: Fraction
    name: str = ""


@dataclass
class Election:
    """Approval ballots over projects, with a budget limit.

    ``ballots`` are sets of project ids; a ballot may carry a multiplicity through
    ``weights`` (same length) when identical ballots were already grouped.
    """

    projects: list[Project]
    budget: Fraction
    ballots: list[frozenset[str]]
    weights: list[int] | None = None

    @classmethod
    def build(
        cls,
        projects: Iterable[tuple[str, Number]],
        budget: Number,
        ballots: Iterable[Iterable[str]],
    ) -> Election:
        return cls(
            projects=[Project(str(pid), to_fraction(cost)) for pid, cost in projects],
            budget=to_fraction(budget),
            ballots=[frozenset(str(p) for p in b) for b in ballots],
        )

    @property
    def voter_count(self) -> int:
        return sum(self.weights) if self.weights is not None else len(self.ballots)


@dataclass
class ProjectResult:
    """What happened to one project, with the figures a resident needs to understand it.

    ``reason`` is one of:
    - ``equal-shares``: bought by its supporters under Equal Shares (``round``,
      ``share`` paid by each payer, ``payers``, ``capped`` who gave all they had left);
    - ``free``: costs nothing and someone wanted it;
    - ``greedy``: taken by vote count (the greedy rule or the final greedy fill);
    - ``too-expensive``: its supporters' remaining money (``available``) fell short of its
      cost, or under greedy the money left at its turn (``available``) was too little;
    - ``no-votes``: nobody voted for it.
    """

    id: str
    cost: Fraction
    votes: int
    selected: bool
    reason: str
    round: int | None = None
    share: Fraction | float | None = None
    payers: int = 0
    capped: int = 0
    available: Fraction | float | None = None


@dataclass
class Outcome:
    rule: str
    selected: list[str]  # in the order the rule chose them
    cost: Fraction
    budget: Fraction
    results: dict[str, ProjectResult] = field(default_factory=dict)
    voter_budget: Fraction | None = None  # Equal Shares: each voter's share in the final run
    increments: int = 0  # add1: how many times one unit was added to each voter's share
    exact_fallbacks: int = 0  # fast engine: runs redone in exact arithmetic (near ties)

    def ordered(self, order: Sequence[str]) -> list[str]:
        chosen = set(self.selected)
        return [pid for pid in order if pid in chosen]


class TieBreak:
    """Documented, deterministic tie-breaking, shared by every rule.

    Between projects tied on the rule's own criterion, prefer the one with more votes,
    then the cheaper one, then the smaller id (numeric ids compare as numbers).
    """

    def __init__(self, votes: dict[str, int], costs: dict[str, Fraction]) -> None:
        self.votes = votes
        self.costs = costs

    def key(self, project_id: str) -> tuple[int, Fraction, tuple[int, int | str]]:
        return (-self.votes[project_id], self.costs[project_id], natural_key(project_id))
