"""An election indexed for computation: identical ballots grouped, approvers per project.

Voters with the same approval set are interchangeable for every rule here (under Equal
Shares they start with the same money and pay the same shares), so each distinct ballot
becomes one *group* with a multiplicity. Supporters of each project are kept as a
compressed sparse row index (``sup_ptr``/``sup_idx``) over groups, built with numpy.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain

import numpy as np

from territoire.participation.rules.model import Election, TieBreak


@dataclass
class Prepared:
    ids: list[str]
    costs: list[Fraction]
    budget: Fraction
    votes: list[int]  # number of voters approving each project (multiplicities counted)
    weights: list[int]  # multiplicity of each distinct ballot (a "group")
    rank: list[int]  # position of each project in the tie-breaking order (lower wins)
    voters: int

    # numpy mirrors for the fast engine
    np_costs: np.ndarray
    np_weights: np.ndarray
    np_approvers: list[np.ndarray]  # views into one CSR array, one per project
    sup_idx: np.ndarray  # supporters (groups) of every project, project after project
    sup_project: np.ndarray  # the project of each entry of ``sup_idx``
    pairs: int = 0  # (group, approved project) pairs: the size of the problem
    _approvers: list[list[int]] | None = field(default=None, repr=False)
    _overlaps: dict[tuple[int, int], bool] = field(default_factory=dict, repr=False)

    @property
    def m(self) -> int:
        return len(self.ids)

    @property
    def approvers(self) -> list[list[int]]:
        """Group indices approving each project, as Python lists (exact engine)."""
        if self._approvers is None:
            self._approvers = [a.tolist() for a in self.np_approvers]
        return self._approvers

    def overlap(self, a: int, b: int) -> bool:
        """Whether projects ``a`` and ``b`` share a supporter (cached)."""
        key = (a, b) if a < b else (b, a)
        known = self._overlaps.get(key)
        if known is None:
            ia, ib = self.np_approvers[a], self.np_approvers[b]
            known = bool(np.intersect1d(ia, ib, assume_unique=True).size)
            self._overlaps[key] = known
        return known


def prepare(election: Election) -> Prepared:
    """Group identical ballots and index everything by position.

    Raises ``ValueError`` when a ballot names an unknown project or a cost is negative.
    """
    ids = [p.id for p in election.projects]
    if len(set(ids)) != len(ids):
        raise ValueError("Duplicate project id.")
    index = {pid: i for i, pid in enumerate(ids)}
    costs = [p.cost for p in election.projects]
    if any(c.numerator < 0 for c in costs):
        raise ValueError("A project cost is negative.")
    grouped: Counter[frozenset[str]]
    if election.weights is None:
        grouped = Counter(election.ballots)
    else:
        grouped = Counter()
        for ballot, weight in zip(election.ballots, election.weights, strict=True):
            grouped[ballot] += weight
    ballots = list(grouped)
    weights = list(grouped.values())
    m = len(ids)
    try:
        flat = np.fromiter(
            map(index.__getitem__, chain.from_iterable(ballots)),
            dtype=np.int64,
            count=sum(map(len, ballots)),
        )
    except KeyError as exc:
        raise ValueError(f"A ballot names an unknown project: {exc.args[0]}") from None
    lengths = np.fromiter(map(len, ballots), dtype=np.int64, count=len(ballots))
    group_of = np.repeat(np.arange(len(ballots), dtype=np.int64), lengths)
    # group_of is increasing, so a stable sort by project keeps each project's
    # supporters in increasing group order.
    # (16-bit keys get numpy's radix sort: several times faster than on 64-bit ones.)
    keys = flat.astype(np.int16) if m < 2**15 else flat
    order = np.argsort(keys, kind="stable")
    sup_idx = group_of[order]
    counts = np.bincount(flat, minlength=m)
    sup_ptr = np.concatenate(([0], np.cumsum(counts)))
    np_weights_int = np.array(weights, dtype=np.int64)
    votes_np = np.bincount(flat, weights=np_weights_int[group_of], minlength=m)
    votes = [int(v) for v in votes_np.round()] if len(votes_np) else [0] * m
    if np_weights_int.max(initial=0) > 2**52:  # pragma: no cover - absurd sizes
        votes = [0] * m
        for c, g in zip(flat.tolist(), group_of.tolist(), strict=True):
            votes[c] += weights[g]
    np_approvers = [sup_idx[sup_ptr[c] : sup_ptr[c + 1]] for c in range(m)]
    tie = TieBreak(dict(zip(ids, votes, strict=True)), dict(zip(ids, costs, strict=True)))
    order_ids = sorted(range(m), key=lambda i: tie.key(ids[i]))
    rank = [0] * m
    for position, i in enumerate(order_ids):
        rank[i] = position
    return Prepared(
        ids=ids,
        costs=costs,
        budget=election.budget,
        votes=votes,
        weights=weights,
        rank=rank,
        voters=sum(weights),
        np_costs=np.array([float(c) for c in costs], dtype=np.float64),
        np_weights=np_weights_int.astype(np.float64),
        np_approvers=np_approvers,
        sup_idx=sup_idx,
        sup_project=flat[order],
        pairs=int(flat.size),
    )
