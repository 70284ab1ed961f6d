"""Demo waste collection: 60 instrumented containers of Valmont, two trucks, fixed rounds.

Each container fills at its own pace (a busy square fills several times faster than a
quiet lane) and is emptied on its fixed weekdays; the sensor reads the level every
morning before the round. Over 100 % the container overflows and the reading stays at 100.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from territoire.core.geo import contains
from territoire.core.models import District, LocalAuthority
from territoire.core.timeseries import Point, SensorInfo
from territoire.twin.demo.sink import sensor_sink
from territoire.twin.models import Truck
from territoire.twin.services.waste import FILL_KIND, FILL_QUANTITY

DEPOT = (-1.1385, 46.1465)  # centre technique municipal
FIXED_DAYS = ((0, 3), (1, 4), (2, 5))  # Mon/Thu, Tue/Fri, Wed/Sat
CAPACITY_L = 3000


def create_trucks(*, tenant: LocalAuthority) -> None:
    Truck.objects.bulk_create(
        [
            Truck(
                tenant=tenant, name=name, capacity_l=30000, depot_lon=DEPOT[0], depot_lat=DEPOT[1]
            )
            for name in ("Benne 1", "Benne 2")
        ]
    )


def seed_waste(
    *,
    tenant: LocalAuthority,
    now: datetime,
    rng: random.Random,
    containers: int = 60,
    days: int = 28,
    sensors: bool = True,
) -> list[str]:
    create_trucks(tenant=tenant)
    districts = list(District.objects.for_tenant(tenant))
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    ts = sensor_sink(sensors)
    refs = []
    for i in range(containers):
        lon = round(rng.uniform(-1.172, -1.133), 6)
        lat = round(rng.uniform(46.142, 46.168), 6)
        district = next((d for d in districts if contains(d.geometry, lon, lat)), None)
        ref = f"dechets-pav-{i + 1:03d}"
        fixed = FIXED_DAYS[i % 3]
        ts.ensure_sensor(
            tenant,
            SensorInfo(
                ref=ref,
                kind=FILL_KIND,
                name=f"Conteneur {district.name if district else 'Valmont'} n° {i + 1}",
                quantities=(FILL_QUANTITY,),
                lon=lon,
                lat=lat,
                district_slug=district.slug if district else "",
                extra={"capacity_l": CAPACITY_L, "days": list(fixed), "unit": "%"},
            ),
        )
        rate = min(35.0, max(3.0, rng.lognormvariate(2.4, 0.6)))  # %/day, median ≈ 11
        level = rng.uniform(0, 40)
        points = []
        for offset in range(days, -1, -1):
            day = today - timedelta(days=offset)
            moment = datetime(day.year, day.month, day.day, 6, tzinfo=tz)
            if moment > now:
                break
            level += rate * rng.uniform(0.7, 1.3)
            points.append(Point(moment, round(min(100.0, max(0.0, level + rng.gauss(0, 1.5))), 1)))
            if day.weekday() in fixed:
                level = 0.0  # emptied by the morning round, after the reading
        ts.record(tenant, ref, FILL_QUANTITY, points)
        refs.append(ref)
    return refs
