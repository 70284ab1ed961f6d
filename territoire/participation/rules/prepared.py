"""An election indexed for computation: identical ballots grouped, approvers per project."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from territoire.participation.rules.model import Election, TieBreak


@dataclass
class Prepared:
    ids: list[str]
    costs: list[Fraction]
    budget: Fraction
    votes: list[int]  # number of voters approving each project (multiplicities counted)
    weights: list[int]  # multiplicity of each distinct ballot (a "group")
    approvers: list[list[int]]  # group indices approving each project
    rank: list[int]  # position of each project in the tie-breaking order (lower wins)
    voters: int

    # numpy mirrors for the fast engine
    np_costs: np.ndarray
    np_weights: np.ndarray
    np_approvers: list[np.ndarray]

    @property
    def m(self) -> int:
        return len(self.ids)


def prepare(election: Election) -> Prepared:
    """Group identical ballots and index everything by position.

    Raises ``ValueError`` when a ballot names an unknown project or a cost is negative.
    """
    ids = [p.id for p in election.projects]
    if len(set(ids)) != len(ids):
        raise ValueError("Duplicate project id.")
    index = {pid: i for i, pid in enumerate(ids)}
    costs = [p.cost for p in election.projects]
    if any(c < 0 for c in costs):
        raise ValueError("A project cost is negative.")
    grouped: Counter[tuple[int, ...]] = Counter()
    weights_in = election.weights or [1] * len(election.ballots)
    for ballot, weight in zip(election.ballots, weights_in, strict=True):
        try:
            key = tuple(sorted(index[p] for p in ballot))
        except KeyError as exc:
            raise ValueError(f"A ballot names an unknown project: {exc.args[0]}") from None
        grouped[key] += weight
    groups = list(grouped.items())
    weights = [w for _, w in groups]
    approvers: list[list[int]] = [[] for _ in ids]
    votes = [0] * len(ids)
    for g, (key, w) in enumerate(groups):
        for c in key:
            approvers[c].append(g)
            votes[c] += w
    tie = TieBreak(dict(zip(ids, votes, strict=True)), dict(zip(ids, costs, strict=True)))
    order = sorted(range(len(ids)), key=lambda i: tie.key(ids[i]))
    rank = [0] * len(ids)
    for position, i in enumerate(order):
        rank[i] = position
    return Prepared(
        ids=ids,
        costs=costs,
        budget=election.budget,
        votes=votes,
        weights=weights,
        approvers=approvers,
        rank=rank,
        voters=sum(weights),
        np_costs=np.array([float(c) for c in costs], dtype=np.float64),
        np_weights=np.array(weights, dtype=np.float64),
        np_approvers=[np.array(a, dtype=np.int64) for a in approvers],
    )
