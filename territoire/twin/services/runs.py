"""Background computations of the twins (with progress on a row) and the gains they publish."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territoire.core import events
from territoire.core.audit import audit_record
from territoire.core.models import LocalAuthority
from territoire.core.timeseries import NoTimeSeriesProvider
from territoire.twin.models import Gain, RunKind, RunStatus, TwinRun

logger = logging.getLogger(__name__)


class TwinInputError(ValueError):
    """The data a twin needs is missing or wrong; the message tells a person what to do."""


@transaction.atomic
def run_request(
    *, actor: Any, tenant: LocalAuthority, kind: str, params: dict[str, Any] | None = None
) -> TwinRun:
    """Queue a computation of twin ``kind``; it runs in the background after commit."""
    from territoire.twin.tasks import run_twin

    if kind not in RunKind.values:
        raise TwinInputError(_("Jumeau inconnu : %(k)s") % {"k": kind})
    run = TwinRun.objects.create(
        tenant=tenant,
        kind=kind,
        params=params or {},
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        message=_("En attente d'un processus de calcul"),
    )
    audit_record(
        actor=actor, action="twin.run_request", tenant=tenant, obj=run, details={"kind": kind}
    )
    transaction.on_commit(lambda: run_twin.enqueue(run.pk))
    return run


def run_progress(run: TwinRun, percent: int, message: str) -> None:
    """Store progress on the row so that the page polling it shows where the work is."""
    run.progress = max(0, min(100, percent))
    run.message = message[:300]
    TwinRun.objects.filter(pk=run.pk).update(progress=run.progress, message=run.message)


def run_execute(run_id: int) -> TwinRun | None:
    """Run a queued computation; a missing input ends it with an explanation, not a crash."""
    from territoire.twin.computations import COMPUTATIONS

    run = TwinRun.objects.select_related("tenant").filter(pk=run_id).first()
    if run is None or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return run
    run.status = RunStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        result = COMPUTATIONS[run.kind](run, lambda p, m: run_progress(run, p, m))
    except TwinInputError as exc:
        run.status, run.error, run.result = RunStatus.FAILED, str(exc), {}
    except NoTimeSeriesProvider:
        run.status, run.result = RunStatus.FAILED, {}
        run.error = _("Aucune mesure n'est disponible : le module Capteurs n'est pas installé.")
    except Exception:
        logger.exception("twin run failed", extra={"run": run.pk, "kind": run.kind})
        run.status = RunStatus.FAILED
        run.error = _("Le calcul a échoué de façon inattendue ; l'équipe technique est prévenue.")
    else:
        run.status, run.result, run.progress = RunStatus.DONE, result, 100
        run.message = _("Terminé")
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "result", "progress", "message", "finished_at"])
    return run


@transaction.atomic
def gain_save(
    *,
    tenant: LocalAuthority,
    twin: str,
    label: str,
    quantity: float,
    unit: str,
    eur_per_year: float,
    co2_kg_per_year: float = 0.0,
    basis: str = "",
    measured: bool = False,
    run: TwinRun | None = None,
) -> Gain:
    """Record the current yearly gain of a twin; the open-data dataset is told to refresh."""
    gain, _created = Gain.objects.update_or_create(
        tenant=tenant,
        twin=twin,
        label=label,
        defaults={
            "quantity": round(quantity, 1),
            "unit": unit,
            "eur_per_year": round(eur_per_year, 0),
            "co2_kg_per_year": round(co2_kg_per_year, 0),
            "basis": basis,
            "measured": measured,
            "computed_at": timezone.now(),
            "run": run,
        },
    )
    events.publish(
        events.DatasetSourceChanged(
            tenant_id=tenant.pk, source_code="twin.gains", details={"twin": twin}
        )
    )
    return gain
