"""Background tasks of procedures (Django's tasks API, see core/tasks.py)."""

from __future__ import annotations

from django.tasks import task

from territoire.procedures.services import dossier_accept_overdue


@task()
def accept_overdue_dossiers() -> int:
    """Silence vaut accord, for a scheduler: same work as ``territoire procedures_silence``."""
    return dossier_accept_overdue()
