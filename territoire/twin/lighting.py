"""Public lighting: a dimming schedule per street segment from measured footfall.

Each hour of the night, a segment is lit in proportion to how many people usually pass
(the median count for that hour over recent nights, relative to a busy-street reference),
rounded up to the next 10 % step and never below the segment's safety minimum. Savings
are counted against full power for every hour of darkness of the year, from sunset and
sunrise computed at the town's latitude.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from territoire.core.timeseries import Point

FULL_POWER_FOOTFALL = 60  # passages per hour that justify full power
NIGHT_CLOCK_HOURS = (*range(17, 24), *range(0, 9))  # hours that can be dark, in order


def day_length_hours(day: date, lat: float) -> float:
    """Hours between sunrise and sunset (standard astronomical approximation)."""
    declination = math.radians(23.44) * math.sin(
        2 * math.pi * (284 + day.timetuple().tm_yday) / 365
    )
    x = -math.tan(math.radians(lat)) * math.tan(declination)
    return 2 * math.degrees(math.acos(max(-1.0, min(1.0, x)))) / 15


def dark_fraction(day: date, hour: int, *, lat: float, lon: float, tz: ZoneInfo) -> float:
    """Share of clock hour ``hour`` (local) of ``day`` that is between sunset and sunrise."""
    half = day_length_hours(day, lat) / 2
    # Solar noon in UTC is 12:00 minus the longitude in hours; then to local clock time.
    noon_utc = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("UTC")) - timedelta(
        hours=lon / 15
    )
    offset = noon_utc.astimezone(tz).utcoffset() or timedelta()
    noon = 12 - lon / 15 + offset.total_seconds() / 3600
    sunrise, sunset = noon - half, noon + half
    lit_by_sun = max(0.0, min(hour + 1, sunset) - max(hour, sunrise))
    return 1.0 - lit_by_sun


def footfall_profile(points: Iterable[Point], tz: ZoneInfo) -> dict[int, float]:
    """Median passages per clock hour over the nights measured."""
    by_hour: dict[int, list[float]] = {}
    for p in points:
        by_hour.setdefault(p.time.astimezone(tz).hour, []).append(p.value)
    return {h: statistics.median(v) for h, v in by_hour.items()}


def dimming_schedule(profile: dict[int, float], *, min_level_pct: int) -> dict[int, int]:
    """Lighting level (%) for each night hour; hours without data stay at full power."""
    schedule = {}
    for hour in NIGHT_CLOCK_HOURS:
        if hour not in profile:
            schedule[hour] = 100
            continue
        wanted = 100 * profile[hour] / FULL_POWER_FOOTFALL
        stepped = min(100, 10 * math.ceil(wanted / 10))
        schedule[hour] = max(min_level_pct, stepped)
    return schedule


@dataclass(frozen=True)
class LightingSaving:
    kwh_night: float  # a typical winter night (21 December)
    kwh_year: float
    hours_year: float  # hours of darkness in the year


def savings(
    schedule: dict[int, int],
    *,
    lamps: int,
    watts: int,
    lat: float,
    lon: float,
    tz: ZoneInfo,
    year: int,
) -> LightingSaving:
    """kWh saved against full power, one winter night and over a whole year of nights."""
    kw = lamps * watts / 1000

    def night_saving(day: date) -> tuple[float, float]:
        saved = hours = 0.0
        for hour in NIGHT_CLOCK_HOURS:
            dark = dark_fraction(day, hour, lat=lat, lon=lon, tz=tz)
            hours += dark
            saved += dark * kw * (100 - schedule.get(hour, 100)) / 100
        return saved, hours

    total = dark_hours = 0.0
    day = date(year, 1, 1)
    while day.year == year:
        saved, hours = night_saving(day)
        total += saved
        dark_hours += hours
        day += timedelta(days=1)
    return LightingSaving(night_saving(date(year, 12, 21))[0], total, dark_hours)
