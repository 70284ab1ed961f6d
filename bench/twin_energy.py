"""Lighting, heating and attendance twins on demo-sized data.

Run: .venv/bin/python bench/twin_energy.py
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from _twin_common import median_time

from territoire.core.timeseries import Point
from territoire.twin import attendance, heating, lighting

TZ = ZoneInfo("Europe/Paris")
rng = random.Random(2)
START = datetime(2026, 9, 7, tzinfo=TZ)
POOL = [
    Point(
        START + timedelta(days=d, hours=h),
        float(max(0, round(rng.gauss(20 + 15 * math.sin(h / 3), 4)))),
    )
    for d in range(70)
    for h in range(9, 21)
]
SCHEDULE = lighting.dimming_schedule(
    {h: 10.0 for h in lighting.NIGHT_CLOCK_HOURS}, min_level_pct=30
)
PROFILE = {d: (set(range(8, 17)) if d < 5 else set()) for d in range(7)}


def lighting_year() -> None:
    lighting.savings(SCHEDULE, lamps=60, watts=90, lat=46.155, lon=-1.15, tz=TZ, year=2026)


def heating_year() -> None:
    heating.compare(
        profile=PROFILE,
        smart=heating.schedule(PROFILE),
        fixed=(6, 19),
        loss_kw_per_k=3,
        comfort_c=19,
        setback_c=16,
        holidays=[],
        start=date(2026, 9, 1),
        days=365,
    )


if __name__ == "__main__":
    median_time("lighting: one segment, a year of nights", lighting_year)
    median_time("heating: one school, a year", heating_year)
    median_time(
        "attendance: GLM fit + held-out check (10 weeks)", lambda: attendance.evaluate(POOL, tz=TZ)
    )
