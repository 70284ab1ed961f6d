"""Background tasks of the twins (Django's tasks API: inline by default, RQ in production)."""

from __future__ import annotations

from django.tasks import task


@task()
def run_twin(run_id: int) -> str:
    from territoire.twin.services.runs import run_execute

    run = run_execute(run_id)
    return run.status if run is not None else "missing"
