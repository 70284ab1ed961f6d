"""What each kind of twin run computes: reads sensor data, decides, records gains.

Each function takes the run (its tenant and params) and a progress callback, returns the
JSON result stored on the run, and raises ``TwinInputError`` when an input is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from territoire.twin import factors
from territoire.twin.models import Leak, LeakStatus, RunKind, TwinRun, WaterNetwork
from territoire.twin.services.attendance import attendance_plan
from territoire.twin.services.energy import heating_plan, lighting_plan
from territoire.twin.services.runs import TwinInputError, gain_save
from territoire.twin.services.waste import waste_plan
from territoire.twin.services.water import water_analyse

Progress = Callable[[int, str], None]

# Without night-flow monitoring, a leak that does not surface is found by the yearly
# acoustic sweep: on average half a year later. We count 90 days, a prudent figure.
DAYS_UNNOTICED_WITHOUT_TWIN = 90


def compute_water(run: TwinRun, progress: Progress) -> dict[str, Any]:
    networks = WaterNetwork.objects.for_tenant(run.tenant)
    if run.params.get("network"):
        networks = networks.filter(slug=run.params["network"])
    networks_list = list(networks)
    if not networks_list:
        raise TwinInputError(_("Aucun réseau d'eau n'est importé : importez un fichier EPANET."))
    results = [
        water_analyse(tenant=run.tenant, network=n, progress=progress) for n in networks_list
    ]
    year_ago = timezone.now() - timedelta(days=365)
    found = (
        Leak.objects.for_tenant(run.tenant)
        .filter(detected_at__gte=year_ago)
        .exclude(status=LeakStatus.DISMISSED)
    )
    saved_m3 = 0.0
    saved_eur = 0.0
    for leak in found.select_related("dma__network"):
        delay = max(0, (leak.detected_at.date() - leak.first_night).days)
        days = max(0, DAYS_UNNOTICED_WITHOUT_TWIN - delay)
        saved_m3 += leak.volume_m3_day * days
        saved_eur += leak.volume_m3_day * days * float(leak.dma.network.price_eur_m3)
    gain_save(
        tenant=run.tenant,
        twin=RunKind.WATER,
        label=str(_("Eau non perdue grâce à la détection précoce des fuites")),
        quantity=saved_m3,
        unit="m³",
        eur_per_year=saved_eur,
        basis=str(
            _(
                "Volume perdu par jour de chaque fuite détectée sur douze mois × jours gagnés "
                "sur une découverte sans télésurveillance (%(d)s jours en moyenne)."
            )
            % {"d": DAYS_UNNOTICED_WITHOUT_TWIN}
        ),
        run=run,
    )
    return {"networks": results, "factor_night_day_h": factors.NIGHT_DAY_FACTOR_HOURS}


def compute_waste(run: TwinRun, progress: Progress) -> dict[str, Any]:
    threshold = float(run.params.get("threshold", 85))
    result = waste_plan(tenant=run.tenant, threshold=threshold, progress=progress)
    fixed, smart = result["week"]["fixed"], result["week"]["smart"]
    saved_l = max(0.0, fixed["fuel_l"] - smart["fuel_l"]) * 52
    gain_save(
        tenant=run.tenant,
        twin=RunKind.WASTE,
        label=str(_("Gazole économisé sur les tournées de collecte")),
        quantity=saved_l,
        unit="l",
        eur_per_year=saved_l * factors.DIESEL_EUR_PER_L,
        co2_kg_per_year=saved_l * factors.DIESEL_CO2_KG_PER_L,
        basis=str(
            _(
                "Semaine simulée de tournées selon le remplissage prévu, comparée aux tournées "
                "fixes (%(fixed)s km contre %(smart)s km), × 52 ; %(l)s l/100 km."
            )
            % {"fixed": fixed["km"], "smart": smart["km"], "l": factors.DIESEL_L_PER_100KM}
        ),
        run=run,
    )
    return result


def compute_lighting(run: TwinRun, progress: Progress) -> dict[str, Any]:
    result = lighting_plan(tenant=run.tenant, progress=progress)
    gain_save(
        tenant=run.tenant,
        twin=RunKind.LIGHTING,
        label=str(_("Électricité économisée par l'abaissement de l'éclairage public")),
        quantity=result["kwh_year"],
        unit="kWh",
        eur_per_year=result["eur_year"],
        co2_kg_per_year=result["co2_kg_year"],
        basis=str(
            _(
                "Abaissement selon la fréquentation mesurée, contre la pleine puissance, "
                "sur les heures de nuit de l'année ; %(e)s €/kWh, %(c)s kg CO2/kWh."
            )
            % {"e": factors.ELECTRICITY_EUR_PER_KWH, "c": factors.ELECTRICITY_CO2_KG_PER_KWH}
        ),
        run=run,
    )
    return result


def compute_heating(run: TwinRun, progress: Progress) -> dict[str, Any]:
    result = heating_plan(tenant=run.tenant, progress=progress)
    gain_save(
        tenant=run.tenant,
        twin=RunKind.HEATING,
        label=str(_("Gaz économisé par le chauffage des écoles selon l'occupation")),
        quantity=result["kwh_saved"],
        unit="kWh",
        eur_per_year=result["eur_year"],
        co2_kg_per_year=result["co2_kg_year"],
        basis=str(
            _(
                "Horaires de chauffe tirés de l'occupation mesurée (CO2) et du calendrier "
                "scolaire, contre la programmation fixe ; estimation en régime permanent."
            )
        ),
        run=run,
    )
    return result


def compute_attendance(run: TwinRun, progress: Progress) -> dict[str, Any]:
    share = float(run.params.get("share", 0.95))
    result = attendance_plan(tenant=run.tenant, share=share, progress=progress)
    gain_save(
        tenant=run.tenant,
        twin=RunKind.ATTENDANCE,
        label=str(_("Heures d'ouverture des piscines ajustées à la fréquentation")),
        quantity=result["hours_saved_week"] * 52,
        unit="h",
        eur_per_year=result["eur_year"],
        basis=str(
            _("Horaires couvrant %(s)s %% des entrées prévues ; %(e)s € par heure d'ouverture.")
            % {"s": round(share * 100), "e": factors.POOL_EUR_PER_OPEN_HOUR}
        ),
        run=run,
    )
    return result


COMPUTATIONS: dict[str, Callable[[TwinRun, Progress], dict[str, Any]]] = {
    RunKind.WATER: compute_water,
    RunKind.WASTE: compute_waste,
    RunKind.LIGHTING: compute_lighting,
    RunKind.HEATING: compute_heating,
    RunKind.ATTENDANCE: compute_attendance,
}
