"""Writes of the twin module, one file per twin (views, API, tasks and demo call these)."""

from territoire.twin.services.runs import TwinInputError, gain_save, run_execute, run_request
from territoire.twin.services.water import (
    dmas_define_from_districts,
    leak_transition,
    network_import,
    water_analyse,
)

__all__ = [
    "TwinInputError",
    "dmas_define_from_districts",
    "gain_save",
    "leak_transition",
    "network_import",
    "run_execute",
    "run_request",
    "water_analyse",
]
