"""Public lighting and school heating twins: schedules from measured use, and their savings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from territoire.core.models import LocalAuthority
from territoire.core.timeseries import provider
from territoire.twin import factors, heating, lighting
from territoire.twin.models import LightingSegment, School, SchoolHoliday
from territoire.twin.services.runs import TwinInputError

FOOTFALL_QUANTITY = "count"  # passages per hour
CO2_QUANTITY = "co2"  # ppm
Progress = Callable[[int, str], None]


def lighting_plan(
    *, tenant: LocalAuthority, now: datetime | None = None, progress: Progress = lambda p, m: None
) -> dict[str, Any]:
    """Dimming schedule and kWh/€/CO2 savings of every lighting segment."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    segments = list(LightingSegment.objects.for_tenant(tenant))
    if not segments:
        raise TwinInputError(_("Aucun tronçon d'éclairage n'est décrit pour cette collectivité."))
    rows: list[dict[str, Any]] = []
    for i, seg in enumerate(segments):
        progress(5 + 90 * i // len(segments), _("Tronçon %(n)s") % {"n": seg.name})
        points = []
        if seg.footfall_sensor:
            points = provider().readings(
                tenant, seg.footfall_sensor, FOOTFALL_QUANTITY, now - timedelta(days=28), now
            )
        profile = lighting.footfall_profile(points, tz)
        schedule = lighting.dimming_schedule(profile, min_level_pct=seg.min_level_pct)
        saving = lighting.savings(
            schedule,
            lamps=seg.lamps,
            watts=seg.watts_per_lamp,
            lat=seg.lat,
            lon=seg.lon,
            tz=tz,
            year=now.year,
        )
        rows.append(
            {
                "id": seg.pk,
                "name": seg.name,
                "lamps": seg.lamps,
                "kw": seg.lamps * seg.watts_per_lamp / 1000,
                "min_level": seg.min_level_pct,
                "measured": bool(points),
                "schedule": [
                    [h, schedule[h], round(profile.get(h, 0), 1)]
                    for h in lighting.NIGHT_CLOCK_HOURS
                ],
                "kwh_night": round(saving.kwh_night, 1),
                "kwh_year": round(saving.kwh_year),
                "eur_year": round(saving.kwh_year * factors.ELECTRICITY_EUR_PER_KWH),
                "co2_kg_year": round(saving.kwh_year * factors.ELECTRICITY_CO2_KG_PER_KWH),
                "dark_hours_year": round(saving.hours_year),
            }
        )
    total = sum(r["kwh_year"] for r in rows)
    return {
        "segments": rows,
        "kwh_year": total,
        "kwh_night": round(sum(r["kwh_night"] for r in rows), 1),
        "eur_year": round(total * factors.ELECTRICITY_EUR_PER_KWH),
        "co2_kg_year": round(total * factors.ELECTRICITY_CO2_KG_PER_KWH),
        "hours": list(lighting.NIGHT_CLOCK_HOURS),
    }


def heating_plan(
    *, tenant: LocalAuthority, now: datetime | None = None, progress: Progress = lambda p, m: None
) -> dict[str, Any]:
    """Heating schedule per school from occupancy, kWh saved over the coming year."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    schools = list(School.objects.for_tenant(tenant))
    if not schools:
        raise TwinInputError(_("Aucune école n'est décrite pour cette collectivité."))
    holidays = [(h.start, h.end) for h in SchoolHoliday.objects.for_tenant(tenant)]
    today = now.astimezone(tz).date()
    rows: list[dict[str, Any]] = []
    for i, school in enumerate(schools):
        progress(5 + 90 * i // len(schools), school.name)
        points = []
        if school.co2_sensor:
            points = provider().readings(
                tenant, school.co2_sensor, CO2_QUANTITY, now - timedelta(days=35), now
            )
        profile = heating.occupancy(points, tz=tz, holidays=holidays)
        fixed = (school.fixed_start_hour, school.fixed_end_hour)
        if not any(profile.values()):
            # Without occupancy data nothing is known: keep the current hours (comfort first).
            smart = {d: (fixed if d < 5 else None) for d in range(7)}
            note = _("pas de mesure d'occupation : horaires actuels conservés")
        else:
            smart = heating.schedule(profile)
            note = ""
        result = heating.compare(
            profile=profile,
            smart=smart,
            fixed=fixed,
            loss_kw_per_k=school.heat_loss_kw_per_k,
            comfort_c=school.comfort_c,
            setback_c=school.setback_c,
            holidays=holidays,
            start=today,
            days=365,
        )
        rows.append(
            {
                "id": school.pk,
                "name": school.name,
                "fixed": list(fixed),
                "schedule": [[d, list(p) if p else None] for d, p in smart.items()],
                "occupied": [[d, sorted(h)] for d, h in profile.items()],
                "kwh_fixed": round(result.kwh_fixed),
                "kwh_smart": round(result.kwh_smart),
                "kwh_saved": round(result.kwh_saved),
                "comfort_ok": result.comfort_ok,
                "note": note,
            }
        )
    saved = sum(r["kwh_saved"] for r in rows)
    return {
        "schools": rows,
        "kwh_saved": saved,
        "eur_year": round(saved * factors.GAS_EUR_PER_KWH),
        "co2_kg_year": round(saved * factors.GAS_CO2_KG_PER_KWH),
    }
