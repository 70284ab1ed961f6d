"""School heating: heat when pupils are there, from the calendar and measured CO2.

CO2 above outdoor level (≈420 ppm) means people in the rooms. For each weekday we learn
the hours a school is usually occupied (over half of the recent school days of that
weekday, CO2 above 600 ppm). The proposed schedule heats to comfort from a pre-heating
period before the first occupied hour to the last one, and keeps the setback
temperature otherwise, on Wednesday afternoons, weekends and holidays. The comfort
constraint: every usually-occupied hour of a school day is at comfort temperature.

Energy is a steady-state estimate: heat loss (kW/K) × (indoor − outdoor) per hour, with
the month's mean outdoor temperature; it is compared with the fixed schedule the
boilers run today (same hours every weekday, holidays included).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from territoire.core.timeseries import Point

OCCUPIED_PPM = 600
PREHEAT_HOURS = 2
BOILER_EFFICIENCY = 0.9
# Mean outdoor temperature per month on the Atlantic coast (°C), for the estimate.
OUTDOOR_C = {
    1: 7.0,
    2: 7.5,
    3: 9.5,
    4: 11.5,
    5: 15.0,
    6: 18.0,
    7: 20.0,
    8: 20.0,
    9: 17.5,
    10: 14.0,
    11: 10.0,
    12: 7.5,
}
HEATING_MONTHS = {1, 2, 3, 4, 5, 10, 11, 12}


def occupancy(
    points: Iterable[Point], *, tz: ZoneInfo, holidays: list[tuple[date, date]]
) -> dict[int, set[int]]:
    """Usually-occupied hours per weekday (Monday = 0) from CO2 readings of school days."""
    seen: dict[tuple[int, int], list[bool]] = {}
    for p in points:
        local = p.time.astimezone(tz)
        if any(a <= local.date() <= b for a, b in holidays):
            continue
        seen.setdefault((local.weekday(), local.hour), []).append(p.value > OCCUPIED_PPM)
    profile: dict[int, set[int]] = {d: set() for d in range(7)}
    for (weekday, hour), flags in seen.items():
        if sum(flags) * 2 > len(flags):
            profile[weekday].add(hour)
    return profile


def schedule(profile: dict[int, set[int]]) -> dict[int, tuple[int, int] | None]:
    """Comfort period [start, end) per weekday, or None (setback all day)."""
    result: dict[int, tuple[int, int] | None] = {}
    for weekday in range(7):
        hours = profile.get(weekday) or set()
        result[weekday] = (max(0, min(hours) - PREHEAT_HOURS), max(hours) + 1) if hours else None
    return result


@dataclass(frozen=True)
class HeatingComparison:
    kwh_fixed: float
    kwh_smart: float
    comfort_ok: bool  # every occupied hour of a school day is heated to comfort

    @property
    def kwh_saved(self) -> float:
        return self.kwh_fixed - self.kwh_smart


def compare(
    *,
    profile: dict[int, set[int]],
    smart: dict[int, tuple[int, int] | None],
    fixed: tuple[int, int],
    loss_kw_per_k: float,
    comfort_c: float,
    setback_c: float,
    holidays: list[tuple[date, date]],
    start: date,
    days: int,
) -> HeatingComparison:
    """Gas kWh of the fixed and the proposed schedules over ``days`` from ``start``."""
    fixed_kwh = smart_kwh = 0.0
    comfort_ok = True
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.month not in HEATING_MONTHS:
            continue
        outdoor = OUTDOOR_C[day.month]
        holiday = any(a <= day <= b for a, b in holidays)
        period = None if holiday else smart.get(day.weekday())
        for hour in range(24):
            fixed_on = day.weekday() < 5 and fixed[0] <= hour < fixed[1]
            smart_on = period is not None and period[0] <= hour < period[1]
            if not holiday and hour in profile.get(day.weekday(), set()) and not smart_on:
                comfort_ok = False
            for on, acc in ((fixed_on, "fixed"), (smart_on, "smart")):
                need = loss_kw_per_k * max(0.0, (comfort_c if on else setback_c) - outdoor)
                if acc == "fixed":
                    fixed_kwh += need
                else:
                    smart_kwh += need
    return HeatingComparison(
        fixed_kwh / BOILER_EFFICIENCY, smart_kwh / BOILER_EFFICIENCY, comfort_ok
    )
