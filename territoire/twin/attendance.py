"""Swimming-pool attendance: hourly forecasts and opening hours that cover most visits.

The model is a Poisson regression (statsmodels GLM) of the visits of each opening hour on
the hour of the week and a linear trend: visits are counts, and the hour-of-week effects
pool all past weeks, which smooths out one week's chance. It is checked on the last
held-out weeks against the naive forecast "same hour last week".
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from territoire.core.timeseries import Point

HOLDOUT_WEEKS = 2
MIN_TRAIN_WEEKS = 3


class TooLittleHistory(ValueError):
    pass


def hour_of_week(moment: datetime, tz: ZoneInfo) -> int:
    local = moment.astimezone(tz)
    return local.weekday() * 24 + local.hour


def _design(rows: list[tuple[int, float]], slots: list[int]) -> list[list[float]]:
    index = {s: i for i, s in enumerate(slots)}
    design = []
    for slot, week in rows:
        row = [0.0] * (len(slots) + 1)
        row[index[slot]] = 1.0
        row[-1] = week
        design.append(row)
    return design


@dataclass
class Fitted:
    slots: list[int]
    params: list[float]
    last_week: float

    def predict(self, slot: int, week: float) -> float:
        if slot not in self.slots:
            return 0.0
        return math.exp(self.params[self.slots.index(slot)] + self.params[-1] * week)


def fit(samples: list[tuple[datetime, float]], *, tz: ZoneInfo, origin: datetime) -> Fitted:
    """Poisson GLM of counts on hour-of-week dummies and a weekly trend."""
    import numpy as np
    import statsmodels.api as sm
    from threadpoolctl import threadpool_limits

    rows = [(hour_of_week(t, tz), (t - origin).total_seconds() / 604800) for t, _v in samples]
    slots = sorted({s for s, _w in rows})
    x = np.asarray(_design(rows, slots))
    y = np.asarray([v for _t, v in samples])
    # A small problem: BLAS threads only add contention (×20 slower on a busy server).
    with threadpool_limits(limits=1, user_api="blas"):
        result = sm.GLM(y, x, family=sm.families.Poisson()).fit()
    return Fitted(slots, [float(p) for p in result.params], max(w for _s, w in rows))


@dataclass(frozen=True)
class Accuracy:
    mae_model: float
    mae_naive: float
    weeks: int


def evaluate(points: list[Point], *, tz: ZoneInfo) -> tuple[Accuracy, Fitted]:
    """Fit on all but the last weeks, score both forecasts there, refit on everything."""
    if not points:
        raise TooLittleHistory("no data")
    points = sorted(points, key=lambda p: p.time)
    origin = points[0].time
    end = points[-1].time
    span_weeks = (end - origin).total_seconds() / 604800
    if span_weeks < MIN_TRAIN_WEEKS + HOLDOUT_WEEKS - 0.2:
        raise TooLittleHistory(f"{span_weeks:.1f}")
    cut = end - timedelta(weeks=HOLDOUT_WEEKS)
    train = [(p.time, p.value) for p in points if p.time <= cut]
    test = [p for p in points if p.time > cut]
    model = fit(train, tz=tz, origin=origin)
    by_time = {p.time: p.value for p in points}
    errors_model, errors_naive = [], []
    for p in test:
        last_week = by_time.get(p.time - timedelta(weeks=1))
        if last_week is None:
            continue
        week = (p.time - origin).total_seconds() / 604800
        errors_model.append(abs(model.predict(hour_of_week(p.time, tz), week) - p.value))
        errors_naive.append(abs(last_week - p.value))
    if not errors_model:
        raise TooLittleHistory("holdout")
    accuracy = Accuracy(
        statistics.fmean(errors_model), statistics.fmean(errors_naive), HOLDOUT_WEEKS
    )
    return accuracy, fit([(p.time, p.value) for p in points], tz=tz, origin=origin)


def forecast_week(model: Fitted) -> dict[int, float]:
    """Expected visits per hour of next week (hour of week → visits)."""
    week = model.last_week + 1
    return {slot: model.predict(slot, week) for slot in model.slots}


def opening_hours(forecast: dict[int, float], *, share: float) -> dict[int, tuple[int, int] | None]:
    """Per weekday, the shortest [open, close) window holding ``share`` of its visits."""
    result: dict[int, tuple[int, int] | None] = {}
    for weekday in range(7):
        hours = {s % 24: v for s, v in forecast.items() if s // 24 == weekday}
        total = sum(hours.values())
        if not hours or total <= 0:
            result[weekday] = None
            continue
        first, last = min(hours), max(hours) + 1
        best = (first, last)
        for start in range(first, last):
            for stop in range(start + 1, last + 1):
                covered = sum(v for h, v in hours.items() if start <= h < stop)
                if covered >= share * total and stop - start < best[1] - best[0]:
                    best = (start, stop)
        result[weekday] = best
    return result
