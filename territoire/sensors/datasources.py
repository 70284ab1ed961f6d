"""Daily measures of public sensors offered as open data (through core's open-data port).

Air quality, parking occupancy, pool attendance…: one row per public sensor, quantity
and completed local day, from the daily aggregates (kept after raw readings are purged).
Sensors are not people, so nothing here is personal or quasi-identifying, except the
numbers of people counted (pool attendance, occupancy): those go in their own columns,
flagged ``counts_people``, so that the gate empties the small ones; the other measures
(µg/m³, occupied 0/1, %) are in the generic columns, which it leaves alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from territoire.core.datasources import Column, DataSource, register_source
from territoire.core.models import LocalAuthority

# Quantities that count persons: published only in the "personnes_*" columns.
PEOPLE_QUANTITIES = frozenset({"count", "occupancy"})


def daily_rows(tenant: LocalAuthority) -> Iterator[dict[str, Any]]:
    """Daily min/mean/max of ``tenant``'s public active sensors, completed days only."""
    from territoire.sensors.catalog import KINDS, QUANTITIES
    from territoire.sensors.ingestion import day_start
    from territoire.sensors.models import Aggregate, Period

    today = day_start(timezone.now())  # today's aggregate is still growing
    rows = (
        Aggregate.objects.for_tenant(tenant)
        .filter(
            period=Period.DAY,
            start__lt=today,
            sensor__tenant=tenant,
            sensor__is_public=True,
            sensor__is_active=True,
        )
        .order_by("sensor__ref", "quantity", "start")
        .values_list(
            "sensor__ref",
            "sensor__name",
            "sensor__kind",
            "sensor__district__name",
            "sensor__lon",
            "sensor__lat",
            "quantity",
            "start",
            "count",
            "total",
            "minimum",
            "maximum",
        )
    )
    for ref, name, kind, district, lon, lat, quantity, start, n, total, lo, hi in rows.iterator(
        chunk_size=5000
    ):
        spec = QUANTITIES.get(quantity)
        if spec is None or not n:
            continue
        digits = spec.decimals + 1
        mean = round(total / n, digits)
        people = quantity in PEOPLE_QUANTITIES
        yield {
            "capteur": ref,
            "nom": name,
            "type": str(KINDS[kind].label) if kind in KINDS else kind,
            "grandeur": quantity,
            "unite": str(spec.unit),
            "jour": timezone.localtime(start).date().isoformat(),
            "nombre_mesures": n,
            "minimum": None if people else round(lo, digits),
            "moyenne": None if people else mean,
            "maximum": None if people else round(hi, digits),
            "personnes_total": round(total) if people and spec.additive else None,
            "personnes_moyenne": mean if people else None,
            "personnes_max": round(hi) if people else None,
            "quartier": district or "",
            "longitude": lon,
            "latitude": lat,
        }


_PEOPLE_NOTE = "Nombre de personnes (piscine, fréquentation) ; les petits effectifs sont masqués."

DAILY = DataSource(
    code="sensors.daily",
    module="sensors",
    title="Mesures quotidiennes des capteurs publics",
    description=(
        "Minimum, moyenne et maximum par jour des capteurs publics de la collectivité : "
        "qualité de l'air (PM2,5, PM10, NO2, O3 en µg/m³), occupation des places de "
        "stationnement, fréquentation de la piscine… Une ligne par capteur, grandeur et "
        "jour (jours complets, heure de Paris)."
    ),
    columns=(
        Column(name="capteur", title="Référence du capteur"),
        Column(name="nom", title="Nom du capteur"),
        Column(name="type", title="Type de capteur"),
        Column(name="grandeur", title="Grandeur mesurée (code)"),
        Column(name="unite", title="Unité"),
        Column(name="jour", title="Jour", type="date"),
        Column(name="nombre_mesures", title="Nombre de mesures", type="integer"),
        Column(name="minimum", title="Minimum", type="number"),
        Column(name="moyenne", title="Moyenne", type="number"),
        Column(name="maximum", title="Maximum", type="number"),
        Column(
            name="personnes_total",
            title="Personnes comptées dans la journée",
            type="integer",
            description=_PEOPLE_NOTE,
            counts_people=True,
        ),
        Column(
            name="personnes_moyenne",
            title="Personnes présentes en moyenne",
            type="number",
            description=_PEOPLE_NOTE,
            counts_people=True,
        ),
        Column(
            name="personnes_max",
            title="Personnes présentes au plus",
            type="integer",
            description=_PEOPLE_NOTE,
            counts_people=True,
        ),
        Column(name="quartier", title="Quartier"),
        Column(name="longitude", title="Longitude", type="number"),
        Column(name="latitude", title="Latitude", type="number"),
    ),
    rows=daily_rows,
    keywords=("capteurs", "qualité de l'air", "stationnement", "piscine", "fréquentation"),
    themes=("ENVI", "TRAN", "SOCI"),
    frequency="daily",
    lon_column="longitude",
    lat_column="latitude",
)


def register() -> None:
    register_source(DAILY)
