"""Winner computation for participatory budgets: pure Python, no Django.

Public API::

    from territoire.participation.rules import Election, greedy, equal_shares
    outcome = equal_shares(Election.build(projects, budget, ballots), utility="cost")
"""

from territoire.participation.rules.model import (
    Election,
    Outcome,
    Project,
    ProjectResult,
    TieBreak,
    natural_key,
    to_fraction,
)
from territoire.participation.rules.pabulib import PbError, PbFile, dumps, parse
from territoire.participation.rules.rules import equal_shares, greedy

__all__ = [
    "Election",
    "Outcome",
    "PbError",
    "PbFile",
    "Project",
    "ProjectResult",
    "TieBreak",
    "dumps",
    "equal_shares",
    "greedy",
    "natural_key",
    "parse",
    "to_fraction",
]
