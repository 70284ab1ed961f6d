"""Realistic synthetic streams for every kind: daily and weekly rhythms, noise, gaps, faults.

Used by the demo, ``territoire sensors simulate`` and the benchmarks. ``values_at``
is a pure function of (kind, time, random generator, state) so that streams can be
produced for any period, quickly, without a database.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Stream:
    ref: str
    kind: str
    scale: float = 1.0  # size of the district, school, pool…
    state: dict[str, Any] = field(default_factory=dict)
    leak_from: datetime | None = None  # water flow: an extra night flow from then on
    leak_flow: float = 0.0


def _daily(hour: float, peaks: tuple[tuple[float, float, float], ...]) -> float:
    """Sum of Gaussian bumps (centre hour, width, height) over a day."""
    return sum(h * math.exp(-(((hour - c) / w) ** 2)) for c, w, h in peaks)


def values_at(stream: Stream, when: datetime, rng: random.Random) -> dict[str, float]:
    local = when.astimezone(PARIS)
    hour = local.hour + local.minute / 60
    weekend = local.weekday() >= 5
    kind, s = stream.kind, stream.scale
    if kind == "water_flow":
        base = 8 + _daily(hour, ((7.5, 1.6, 28), (12.5, 1.5, 14), (20, 2.2, 22))) * (
            1.1 if weekend else 1
        )
        flow = s * base * (1 + rng.gauss(0, 0.05))
        if stream.leak_from and when >= stream.leak_from:
            flow += stream.leak_flow
        return {"flow": round(max(flow, 0.0), 2)}
    if kind == "water_pressure":
        demand = _daily(hour, ((7.5, 1.6, 1), (20, 2.2, 0.8)))
        return {"pressure": round(4.2 - 0.6 * demand + rng.gauss(0, 0.04), 2)}
    if kind == "energy":
        open_ = 0 if weekend else _daily(hour, ((10, 3.5, 1),))
        return {"energy": round(s * (12 + 55 * open_) * (1 + rng.gauss(0, 0.04)), 1)}
    if kind == "indoor_climate":
        school = 0.0 if weekend else _daily(hour, ((10, 1.8, 1), (14.5, 1.8, 0.9)))
        occupancy = round(s * 26 * school * (1 + rng.gauss(0, 0.05))) if school > 0.05 else 0
        co2 = 420 + occupancy * 38 + rng.gauss(0, 15)
        heating = 1 if (7 <= hour < 18 and not weekend) else 0
        temperature = 17.0 + 3.0 * heating + 0.04 * occupancy + rng.gauss(0, 0.2)
        return {
            "temperature": round(temperature, 1),
            "co2": round(max(co2, 300)),
            "occupancy": float(max(occupancy, 0)),
        }
    if kind == "street_light":
        night = hour >= 18.5 or hour < 7.5
        if not night:
            return {"power": 0.0, "dimming": 0.0}
        dimming = 50.0 if 0 <= hour < 5 else 100.0  # dimmed in the middle of the night
        return {
            "power": round(s * 60 * dimming / 100 * (1 + rng.gauss(0, 0.02)), 1),
            "dimming": dimming,
        }
    if kind == "air_quality":
        traffic = _daily(hour, ((8.5, 1.5, 1), (18, 2, 1))) * (0.6 if weekend else 1)
        sun = _daily(hour, ((15, 3, 1),))
        return {
            "pm25": round(max(6 + 9 * traffic + rng.gauss(0, 1.5), 0.5), 1),
            "pm10": round(max(12 + 14 * traffic + rng.gauss(0, 2.5), 1), 1),
            "no2": round(max(14 + 30 * traffic + rng.gauss(0, 3), 1), 1),
            "o3": round(max(35 + 45 * sun - 10 * traffic + rng.gauss(0, 4), 1), 1),
        }
    if kind == "waste_fill":
        level = stream.state.get("level", rng.uniform(5, 40))
        level += s * (1.1 + (0.6 if weekend else 0)) * rng.uniform(0.2, 1.8)
        if level >= 92 or (local.weekday() in (1, 4) and local.hour == 6 and level > 35):
            level = rng.uniform(0, 4)  # emptied by the collection round
        stream.state["level"] = level
        return {"fill_level": round(min(level, 100), 0)}
    if kind == "parking_spot":
        busy = 0.25 + 0.6 * _daily(hour, ((11, 3, 1), (17, 2.5, 0.8))) + (0.15 if weekend else 0)
        return {"occupied": 1.0 if rng.random() < min(busy, 0.97) else 0.0}
    if kind == "people_counter":
        open_ = 9 <= hour < 20
        if not open_:
            return {"count": 0.0}
        rush = _daily(hour, ((12.5, 1.5, 1), (17.5, 1.5, 1.2))) * (1.5 if weekend else 1)
        return {"count": float(max(round(s * (25 + 70 * rush) * (1 + rng.gauss(0, 0.1))), 0))}
    raise ValueError(f"no simulation for kind {kind!r}")


def generate(
    streams: list[Stream],
    start: datetime,
    end: datetime,
    step: timedelta,
    rng: random.Random,
    *,
    gap_rate: float = 0.004,
    fault_rate: float = 0.0,
) -> Iterator[tuple[str, datetime, dict[str, float]]]:
    """(ref, time, values) for every stream and step; some gaps, optional faults.

    A fault is a value outside the physical range (a stuck sensor sending 0xFFFF):
    the ingestion refuses it with a reason, as it would a real one.
    """
    when = start
    while when < end:
        for stream in streams:
            if rng.random() < gap_rate:
                continue
            values = values_at(stream, when, rng)
            if fault_rate and rng.random() < fault_rate:
                key = next(iter(values))
                values[key] = 65535.0 if key != "occupied" else 7.0
            yield stream.ref, when, values
        when += step
