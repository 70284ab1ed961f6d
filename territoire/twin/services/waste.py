"""Waste collection twin: forecast fill levels, plan tomorrow's rounds, compare to fixed ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from territoire.core.models import LocalAuthority
from territoire.core.timeseries import SensorInfo, provider
from territoire.twin import factors, routing
from territoire.twin.models import Truck
from territoire.twin.services.runs import TwinInputError

FILL_KIND = "waste_fill"
FILL_QUANTITY = "fill_level"  # percent of the container's volume
DEFAULT_CAPACITY_L = 3000
HISTORY_DAYS = 28
HORIZON_DAYS = 7
Progress = Callable[[int, str], None]


@dataclass
class Container:
    info: SensorInfo
    capacity_l: int
    fixed_days: tuple[int, ...]  # weekdays of the fixed rounds, Monday = 0
    level: float  # latest fill, %
    rate: float | None  # %/day, None when the history is too short

    @property
    def ref(self) -> str:
        return self.info.ref


def containers_with_forecast(tenant: LocalAuthority, *, now: datetime) -> list[Container]:
    """Every fill-level sensor with its latest level and filling rate."""
    tz = timezone.get_current_timezone()
    start = now - timedelta(days=HISTORY_DAYS)
    result = []
    for info in provider().sensors(tenant, kind=FILL_KIND):
        if info.lon is None or info.lat is None:
            continue
        points = provider().readings(tenant, info.ref, FILL_QUANTITY, start, now)
        levels = routing.daily_levels([(p.time.astimezone(tz).date(), p.value) for p in points])
        days = tuple(int(d) for d in info.extra.get("days", (0, 3)))
        result.append(
            Container(
                info=info,
                capacity_l=int(info.extra.get("capacity_l", DEFAULT_CAPACITY_L)),
                fixed_days=days,
                level=levels[-1][1] if levels else 0.0,
                rate=routing.fill_rate(levels),
            )
        )
    return result


def _vehicles(tenant: LocalAuthority) -> list[routing.Vehicle]:
    return [
        routing.Vehicle(t.name, t.capacity_l, (t.depot_lon, t.depot_lat))
        for t in Truck.objects.for_tenant(tenant).filter(active=True)
    ]


def _stops(selected: list[tuple[Container, float]]) -> list[routing.Stop]:
    return [
        routing.Stop(
            c.ref, c.info.lon or 0.0, c.info.lat or 0.0, round(c.capacity_l * min(level, 100) / 100)
        )
        for c, level in selected
    ]


def _due(c: Container, level: float, weekday: int, threshold: float) -> bool:
    """Collect now if the container would pass the threshold before the next round."""
    if weekday == 6:
        return False  # no collection on Sundays
    if c.rate is None:
        return weekday in c.fixed_days  # too little history: keep its fixed days
    days_to_next_round = 2 if weekday == 5 else 1
    return level + c.rate * days_to_next_round >= threshold


def _simulate_week(
    containers: list[Container],
    vehicles: list[routing.Vehicle],
    *,
    first_day: date,
    smart: bool,
    threshold: float,
) -> dict[str, Any]:
    """Seven days of rounds: fixed weekdays, or containers about to pass the threshold."""
    levels = {c.ref: c.level for c in containers}
    km = 0.0
    visits = 0
    overflows = 0
    days = []
    for offset in range(HORIZON_DAYS):
        day = first_day + timedelta(days=offset)
        rate = {c.ref: c.rate if c.rate is not None else 0.0 for c in containers}
        # Containers fill during the day before the round (rounds run in the morning).
        for c in containers:
            levels[c.ref] += rate[c.ref]
        if smart:
            selected = [
                (c, levels[c.ref])
                for c in containers
                if _due(c, levels[c.ref], day.weekday(), threshold)
            ]
        else:
            selected = [(c, levels[c.ref]) for c in containers if day.weekday() in c.fixed_days]
        plan = routing.solve_cvrp(_stops(selected), vehicles)
        km += plan.distance_m / 1000
        visits += plan.visits
        for c, _level in selected:
            levels[c.ref] = 0.0
        overflows += sum(1 for v in levels.values() if v > 100)
        days.append(
            {"day": day.isoformat(), "km": round(plan.distance_m / 1000, 1), "visits": plan.visits}
        )
    fuel = km * factors.DIESEL_L_PER_100KM / 100
    return {
        "km": round(km, 1),
        "visits": visits,
        "overflows": overflows,
        "fuel_l": round(fuel, 1),
        "co2_kg": round(fuel * factors.DIESEL_CO2_KG_PER_L, 1),
        "eur": round(fuel * factors.DIESEL_EUR_PER_L, 0),
        "days": days,
    }


def waste_plan(
    *,
    tenant: LocalAuthority,
    now: datetime | None = None,
    threshold: float = 85.0,
    progress: Progress = lambda p, m: None,
) -> dict[str, Any]:
    """Tomorrow's rounds from forecast fill levels, and a week compared with fixed rounds."""
    now = now or timezone.now()
    progress(5, _("Lecture des niveaux de remplissage"))
    containers = containers_with_forecast(tenant, now=now)
    if not containers:
        raise TwinInputError(
            _(
                "Aucun capteur de remplissage (« %(kind)s ») n'est géolocalisé pour cette "
                "collectivité."
            )
            % {"kind": FILL_KIND}
        )
    vehicles = _vehicles(tenant)
    if not vehicles:
        raise TwinInputError(
            _("Aucun camion en service : ajoutez-en un pour planifier les tournées.")
        )
    tomorrow = now.astimezone(timezone.get_current_timezone()).date() + timedelta(days=1)
    progress(20, _("Tournées de demain"))
    forecast = []
    due = []
    for c in containers:
        rate = c.rate if c.rate is not None else 0.0
        tomorrow_level = c.level + rate
        collect = _due(c, tomorrow_level, tomorrow.weekday(), threshold)
        forecast.append(
            {
                "ref": c.ref,
                "name": c.info.name,
                "lon": c.info.lon,
                "lat": c.info.lat,
                "level": round(c.level, 1),
                "rate": None if c.rate is None else round(c.rate, 1),
                "tomorrow": round(min(tomorrow_level, 100), 1),
                "collect": collect,
            }
        )
        if collect:
            due.append((c, tomorrow_level))
    try:
        plan = routing.solve_cvrp(_stops(due), vehicles)
        progress(45, _("Comparaison avec les tournées fixes"))
        fixed = _simulate_week(
            containers, vehicles, first_day=tomorrow, smart=False, threshold=threshold
        )
        progress(70, _("Semaine pilotée par les capteurs"))
        smart = _simulate_week(
            containers, vehicles, first_day=tomorrow, smart=True, threshold=threshold
        )
    except routing.RoutingError as exc:
        raise TwinInputError(str(exc)) from exc
    by_ref = {c.ref: c for c in containers}
    routes = [
        {
            "truck": r.vehicle,
            "km": round(r.distance_m / 1000, 1),
            "load_l": r.load_l,
            "capacity_l": next(v.capacity_l for v in vehicles if v.name == r.vehicle),
            "depot": next(v.depot for v in vehicles if v.name == r.vehicle),
            "stops": [
                {
                    "ref": ref,
                    "name": by_ref[ref].info.name,
                    "lon": by_ref[ref].info.lon,
                    "lat": by_ref[ref].info.lat,
                }
                for ref in r.stops
            ],
        }
        for r in plan.routes
    ]
    progress(100, _("Tournées calculées"))
    return {
        "day": tomorrow.isoformat(),
        "threshold": threshold,
        "routes": routes,
        "forecast": sorted(forecast, key=lambda f: -f["tomorrow"]),
        "short_history": [f["ref"] for f in forecast if f["rate"] is None],
        "week": {"fixed": fixed, "smart": smart},
    }
