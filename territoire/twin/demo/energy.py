"""Demo lighting segments with footfall counters, schools with CO2 sensors, and pools."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from territoire.core.models import LocalAuthority
from territoire.core.timeseries import Point, SensorInfo
from territoire.twin.demo.sink import sensor_sink
from territoire.twin.models import LightingSegment, School, SchoolHoliday
from territoire.twin.services.attendance import POOL_KIND, VISITS_QUANTITY
from territoire.twin.services.energy import CO2_QUANTITY, FOOTFALL_QUANTITY

# name, lamps, W, safety minimum, lon, lat, evening footfall peak (passages/h)
SEGMENTS = [
    ("Quai Jean-Bart", 64, 90, 40, -1.1712, 46.1455, 140),
    ("Promenade de la plage", 88, 70, 30, -1.1720, 46.1590, 90),
    ("Rue de la République", 52, 100, 40, -1.1500, 46.1480, 110),
    ("Avenue des Hauts", 70, 110, 30, -1.1420, 46.1630, 45),
    ("Chemin des Dunes", 36, 70, 20, -1.1660, 46.1650, 12),
    ("Rue du Port", 40, 90, 30, -1.1630, 46.1440, 60),
]
SCHOOLS = [
    ("École Jules-Ferry", -1.1480, 46.1500, 3.2, (8, 17)),
    ("École du Port", -1.1650, 46.1460, 2.4, (8, 17)),
    ("École des Dunes", -1.1690, 46.1600, 2.1, (8, 16)),
    ("École Marie-Curie", -1.1410, 46.1610, 3.8, (8, 17)),
]
POOLS = [
    ("Piscine des Dunes", "piscine-dunes", -1.1680, 46.1620, (10, 21), 1.0),
    ("Centre aquatique du Port", "piscine-port", -1.1600, 46.1450, (9, 20), 1.6),
]


def school_holidays(today: date) -> list[tuple[str, date, date]]:
    """A zone's school holidays around ``today`` (fictional dates near the real pattern)."""
    y = today.year if today.month >= 9 else today.year - 1
    return [
        ("Vacances de la Toussaint", date(y, 10, 18), date(y, 11, 2)),
        ("Vacances de Noël", date(y, 12, 20), date(y + 1, 1, 4)),
        ("Vacances d'hiver", date(y + 1, 2, 14), date(y + 1, 3, 1)),
        ("Vacances de printemps", date(y + 1, 4, 11), date(y + 1, 4, 26)),
        ("Vacances d'été", date(y + 1, 7, 4), date(y + 1, 8, 31)),
    ]


def _night_footfall(hour: int, peak: float) -> float:
    # Busy in the evening, almost empty after 1 a.m., picking up again before 7.
    shape = {
        17: 1.0,
        18: 1.0,
        19: 0.9,
        20: 0.8,
        21: 0.6,
        22: 0.4,
        23: 0.25,
        0: 0.12,
        1: 0.06,
        2: 0.03,
        3: 0.03,
        4: 0.04,
        5: 0.12,
        6: 0.35,
        7: 0.7,
        8: 1.0,
    }
    return peak * shape.get(hour, 1.0)


def seed_lighting(
    *,
    tenant: LocalAuthority,
    now: datetime,
    rng: random.Random,
    days: int = 28,
    sensors: bool = True,
) -> None:
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    ts = sensor_sink(sensors)
    for i, (name, lamps, watts, minimum, lon, lat, peak) in enumerate(SEGMENTS):
        ref = f"eclairage-passages-{i + 1:02d}"
        ts.ensure_sensor(
            tenant,
            SensorInfo(
                ref=ref,
                kind="people_counter",
                name=f"Compteur de passages — {name}",
                quantities=(FOOTFALL_QUANTITY,),
                lon=lon,
                lat=lat,
                extra={"unit": "passages/h"},
            ),
        )
        LightingSegment.objects.create(
            tenant=tenant,
            name=name,
            lamps=lamps,
            watts_per_lamp=watts,
            min_level_pct=minimum,
            lon=lon,
            lat=lat,
            footfall_sensor=ref if sensors else "",
        )
        points = []
        for offset in range(days, 0, -1):
            day = today - timedelta(days=offset)
            for hour in (*range(17, 24), *range(0, 9)):
                d = day if hour >= 17 else day + timedelta(days=1)
                moment = datetime(d.year, d.month, d.day, hour, tzinfo=tz)
                if moment <= now:
                    value = max(0, round(rng.gauss(_night_footfall(hour, peak), 2 + 0.1 * peak)))
                    points.append(Point(moment, float(value)))
        ts.record(tenant, ref, FOOTFALL_QUANTITY, points)


def seed_heating(
    *,
    tenant: LocalAuthority,
    now: datetime,
    rng: random.Random,
    days: int = 35,
    sensors: bool = True,
) -> None:
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    holidays = school_holidays(today)
    SchoolHoliday.objects.bulk_create(
        [SchoolHoliday(tenant=tenant, label=label, start=a, end=b) for label, a, b in holidays]
    )
    ts = sensor_sink(sensors)
    for i, (name, lon, lat, loss, (first, last)) in enumerate(SCHOOLS):
        ref = f"ecole-co2-{i + 1:02d}"
        ts.ensure_sensor(
            tenant,
            SensorInfo(
                ref=ref,
                kind="indoor_climate",
                name=f"CO2 — {name}",
                quantities=(CO2_QUANTITY,),
                lon=lon,
                lat=lat,
                extra={"unit": "ppm"},
            ),
        )
        School.objects.create(
            tenant=tenant,
            name=name,
            lon=lon,
            lat=lat,
            heat_loss_kw_per_k=loss,
            fixed_start_hour=6,
            fixed_end_hour=19,
            co2_sensor=ref if sensors else "",
        )
        points = []
        for offset in range(days, -1, -1):
            day = today - timedelta(days=offset)
            school_day = day.weekday() < 5 and not any(a <= day <= b for _l, a, b in holidays)
            for hour in range(24):
                moment = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
                if moment > now:
                    break
                occupied = (
                    school_day and first <= hour < last and not (day.weekday() == 2 and hour >= 12)
                )
                level = 1100 if occupied else 430
                # Indoor air never reads below the outdoor background (~420 ppm).
                value = max(420.0, float(round(rng.gauss(level, 60))))
                points.append(Point(moment, value))
        ts.record(tenant, ref, CO2_QUANTITY, points)


def seed_pools(
    *,
    tenant: LocalAuthority,
    now: datetime,
    rng: random.Random,
    weeks: int = 10,
    sensors: bool = True,
) -> None:
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    ts = sensor_sink(sensors)
    for name, ref, lon, lat, (opening, closing), size in POOLS:
        ts.ensure_sensor(
            tenant,
            SensorInfo(
                ref=ref,
                kind=POOL_KIND,
                name=name,
                quantities=(VISITS_QUANTITY,),
                lon=lon,
                lat=lat,
                extra={"unit": "entrées/h", "opening": [opening, closing]},
            ),
        )
        points = []
        for offset in range(weeks * 7, 0, -1):
            day = today - timedelta(days=offset)
            weekend = day.weekday() >= 5
            for hour in range(opening, closing):
                # Lunchtime swimmers, after-school peak, weekend afternoons; quiet late evening.
                base = (
                    8
                    + 22 * math.exp(-((hour - 12.5) ** 2) / 2)
                    + 30 * math.exp(-((hour - 17.5) ** 2) / 3)
                )
                if weekend:
                    base = 12 + 45 * math.exp(-((hour - 15) ** 2) / 6)
                if hour >= closing - 2:
                    base *= 0.25
                expected = base * size * (1 + 0.01 * (weeks * 7 - offset) / 7)
                moment = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
                points.append(Point(moment, float(_poisson(rng, expected))))
        ts.record(tenant, ref, VISITS_QUANTITY, points)


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method for small means, a normal approximation above."""
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
