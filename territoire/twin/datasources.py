"""The twins' gains offered as open data (through core's open-data port)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from territoire.core.datasources import Column, DataSource, register_source
from territoire.core.models import LocalAuthority


def gain_rows(tenant: LocalAuthority) -> Iterator[dict[str, Any]]:
    from territoire.twin import selectors

    for gain in selectors.gains(tenant):
        yield {
            "jumeau": gain.twin,
            "gain": gain.label,
            "quantite_par_an": round(gain.quantity, 1),
            "unite": gain.unit,
            "euros_par_an": round(gain.eur_per_year, 2),
            "co2_kg_par_an": round(gain.co2_kg_per_year, 1),
            "mesure": gain.measured,
            "methode": gain.basis,
            "calcule_le": gain.computed_at.isoformat(),
        }


GAINS = DataSource(
    code="twin.gains",
    module="twin",
    title="Économies des jumeaux numériques",
    description=(
        "Gains annuels estimés ou mesurés des jumeaux numériques de la collectivité "
        "(fuites d'eau, tournées de collecte, éclairage public, chauffage des écoles, "
        "horaires des piscines), en unités physiques, en euros et en CO2 évité."
    ),
    columns=(
        Column(name="jumeau", title="Jumeau"),
        Column(name="gain", title="Gain"),
        Column(name="quantite_par_an", title="Quantité économisée par an", type="number"),
        Column(name="unite", title="Unité"),
        Column(name="euros_par_an", title="Euros par an", type="number"),
        Column(name="co2_kg_par_an", title="CO2 évité (kg par an)", type="number"),
        Column(name="mesure", title="Mesuré (sinon estimé)", type="boolean"),
        Column(name="methode", title="Méthode"),
        Column(name="calcule_le", title="Calculé le", type="datetime"),
    ),
    rows=gain_rows,
    keywords=("jumeau numérique", "économies d'énergie", "eau", "déchets", "éclairage"),
    themes=("ENER", "ENVI"),
    frequency="daily",
)


def register() -> None:
    register_source(GAINS)
