"""Writes of the participation module, one transaction and (for staff) one audit entry each.

Split by topic: ``process`` (phases, budgets), ``ideas`` (ideas, supports, comments,
study answers, moderation), ``voting`` (eligibility, census, ballots), ``results``
(winner computation and publication), ``projects`` (realisation follow-up).
"""

from territoire.participation.services.consultations import (
    consultation_answer,
    consultation_create,
    consultation_respond,
)
from territoire.participation.services.ideas import (
    comment_add,
    flag_add,
    idea_answer,
    idea_merge,
    idea_submit,
    idea_support,
    moderation_set_hidden,
)
from territoire.participation.services.process import budget_save, process_create, process_set_phase
from territoire.participation.services.projects import (
    milestone_add,
    project_create,
    project_follow,
    project_set_status,
    project_update_progress,
)
from territoire.participation.services.results import results_compute, results_publish
from territoire.participation.services.voting import (
    ballot_cast,
    census_import,
    counter_ballot,
    identity_hash,
    voter_register,
    voter_verify_at_counter,
)

__all__ = [
    "ballot_cast",
    "budget_save",
    "census_import",
    "comment_add",
    "consultation_answer",
    "consultation_create",
    "consultation_respond",
    "counter_ballot",
    "flag_add",
    "idea_answer",
    "idea_merge",
    "idea_submit",
    "idea_support",
    "identity_hash",
    "milestone_add",
    "moderation_set_hidden",
    "process_create",
    "process_set_phase",
    "project_create",
    "project_follow",
    "project_set_status",
    "project_update_progress",
    "results_compute",
    "results_publish",
    "voter_register",
    "voter_verify_at_counter",
]
