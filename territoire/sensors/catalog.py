"""The vocabulary of sensors: kind and quantity codes (a public contract), units, ranges.

Codes never change meaning once published (operators' scripts and the digital twin
send them); new ones may be added. Physical ranges reject values a working device
cannot produce (a negative flow, 900 % fill level), so faulty readings are refused
with a reason instead of polluting aggregates and alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Quantity:
    code: str
    label: Any  # lazy translation
    unit: Any  # a str, or a lazy translation ("personnes")
    minimum: float
    maximum: float
    decimals: int = 1
    additive: bool = False  # a daily total makes sense (energy used, people counted)


@dataclass(frozen=True)
class Kind:
    code: str
    label: object
    quantities: tuple[str, ...]
    ngsi_type: str = ""  # Smart Data Model of its NGSI-LD entity ("" = not exported)
    public: bool = False  # shown on public pages by default
    service_hint: str = ""  # the team usually in charge (a core Service slug)


QUANTITIES: dict[str, Quantity] = {
    q.code: q
    for q in (
        Quantity("flow", _("Débit"), "m³/h", 0, 10_000, 2),
        Quantity("pressure", _("Pression"), "bar", 0, 25, 2),
        Quantity("energy", _("Énergie"), "kWh", 0, 10_000_000, 1, additive=True),
        Quantity("temperature", _("Température"), "°C", -40, 85, 1),
        Quantity("co2", _("CO₂"), "ppm", 250, 10_000, 0),
        Quantity("occupancy", _("Occupation"), _("personnes"), 0, 2_000, 0),
        Quantity("power", _("Puissance"), "W", 0, 5_000, 1),
        Quantity("dimming", _("Gradation"), "%", 0, 100, 0),
        Quantity("pm25", _("Particules PM2,5"), "µg/m³", 0, 1_000, 1),
        Quantity("pm10", _("Particules PM10"), "µg/m³", 0, 2_000, 1),
        Quantity("no2", _("Dioxyde d'azote"), "µg/m³", 0, 2_000, 1),
        Quantity("o3", _("Ozone"), "µg/m³", 0, 1_000, 1),
        Quantity("fill_level", _("Taux de remplissage"), "%", 0, 100, 0),
        Quantity("occupied", _("Place occupée"), "0/1", 0, 1, 0),
        Quantity("count", _("Fréquentation"), _("personnes"), 0, 100_000, 0, additive=True),
    )
}

KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("water_flow", _("Débit d'eau"), ("flow",), "WaterQualityObserved", False, "eau"),
        Kind("water_pressure", _("Pression d'eau"), ("pressure",), "Junction", False, "eau"),
        Kind("energy", _("Énergie d'un bâtiment"), ("energy",), "", False, "si"),
        Kind(
            "indoor_climate",
            _("Climat intérieur"),
            ("temperature", "co2", "occupancy"),
            "IndoorEnvironmentObserved",
            False,
            "education",
        ),
        Kind(
            "street_light",
            _("Éclairage public"),
            ("power", "dimming"),
            "Streetlight",
            False,
            "eclairage",
        ),
        Kind(
            "air_quality",
            _("Qualité de l'air"),
            ("pm25", "pm10", "no2", "o3"),
            "AirQualityObserved",
            True,
        ),
        Kind(
            "waste_fill",
            _("Remplissage de conteneur"),
            ("fill_level",),
            "WasteContainer",
            False,
            "dechets",
        ),
        Kind(
            "parking_spot",
            _("Place de stationnement"),
            ("occupied",),
            "ParkingSpot",
            True,
            "voirie",
        ),
        Kind(
            "people_counter",
            _("Compteur de personnes"),
            ("count",),
            "",  # entries per interval: not IndoorEnvironmentObserved's peopleCount
            True,
        ),
    )
}

KIND_CHOICES = [(k.code, k.label) for k in KINDS.values()]
QUANTITY_CHOICES = [(q.code, q.label) for q in QUANTITIES.values()]


def unit_of(code: str) -> str:
    q = QUANTITIES.get(code)
    return str(q.unit) if q else ""
