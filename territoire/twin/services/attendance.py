"""Swimming-pool attendance twin: forecasts, their accuracy, proposed opening hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from territoire.core.models import LocalAuthority
from territoire.core.timeseries import provider
from territoire.twin import attendance, factors
from territoire.twin.services.runs import TwinInputError

POOL_KIND = "people_counter"
VISITS_QUANTITY = "count"  # entries per hour
HISTORY_WEEKS = 12
Progress = Callable[[int, str], None]


def attendance_plan(
    *,
    tenant: LocalAuthority,
    share: float = 0.95,
    now: datetime | None = None,
    progress: Progress = lambda p, m: None,
) -> dict[str, Any]:
    """Per pool: next week's hourly forecast, accuracy on held-out weeks, opening hours."""
    if not 0.5 <= share <= 1:
        raise TwinInputError(
            _("La part des entrées à couvrir doit être comprise entre 50 et 100 %.")
        )
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    pools = provider().sensors(tenant, kind=POOL_KIND)
    if not pools:
        raise TwinInputError(
            _("Aucun compteur d'entrées de piscine (« %(kind)s ») pour cette collectivité.")
            % {"kind": POOL_KIND}
        )
    rows: list[dict[str, Any]] = []
    for i, pool in enumerate(pools):
        progress(5 + 90 * i // len(pools), pool.name)
        points = provider().readings(
            tenant, pool.ref, VISITS_QUANTITY, now - timedelta(weeks=HISTORY_WEEKS), now
        )
        try:
            accuracy, model = attendance.evaluate(points, tz=tz)
        except attendance.TooLittleHistory:
            rows.append(
                {
                    "ref": pool.ref,
                    "name": pool.name,
                    "note": _(
                        "Historique trop court : il faut au moins %(n)s semaines de comptages "
                        "horaires pour prévoir et vérifier la prévision."
                    )
                    % {"n": attendance.MIN_TRAIN_WEEKS + attendance.HOLDOUT_WEEKS},
                }
            )
            continue
        forecast = attendance.forecast_week(model)
        proposed = attendance.opening_hours(forecast, share=share)
        current = attendance.opening_hours(forecast, share=1.0)
        hours_now = sum(b - a for a, b in (p for p in current.values() if p))
        hours_new = sum(b - a for a, b in (p for p in proposed.values() if p))
        rows.append(
            {
                "ref": pool.ref,
                "name": pool.name,
                "mae_model": round(accuracy.mae_model, 2),
                "mae_naive": round(accuracy.mae_naive, 2),
                "holdout_weeks": accuracy.weeks,
                "forecast": [[s, round(v, 1)] for s, v in sorted(forecast.items())],
                "visits_week": round(sum(forecast.values())),
                "current": [[d, list(p) if p else None] for d, p in current.items()],
                "proposed": [[d, list(p) if p else None] for d, p in proposed.items()],
                "hours_saved_week": hours_now - hours_new,
            }
        )
    saved = sum(r.get("hours_saved_week", 0) for r in rows)
    return {
        "share": share,
        "pools": rows,
        "hours_saved_week": saved,
        "eur_year": round(saved * 52 * factors.POOL_EUR_PER_OPEN_HOUR),
    }
