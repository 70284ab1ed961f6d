"""The quality score of a dataset, computed like udata's (data.gouv.fr): one point per
criterion met, with advice for each missing one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from territoire.opendata.models import FREQUENCY_DAYS, Dataset, VersionStatus

OPEN_FORMATS = {"csv", "json", "geojson", "parquet", "source"}
MIN_DESCRIPTION = 200  # udata asks for a description "long enough"


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    met: bool
    advice: str


@dataclass(frozen=True)
class Quality:
    criteria: list[Criterion]

    @property
    def score(self) -> int:
        return sum(c.met for c in self.criteria)

    @property
    def total(self) -> int:
        return len(self.criteria)

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.total)


def dataset_quality(dataset: Dataset, resources: list[Any] | None = None) -> Quality:
    """Nine criteria; ``resources`` (with ``current`` selected) avoids extra queries."""
    if resources is None:
        resources = list(dataset.resources.select_related("current"))
    current = [r.current for r in resources if r.current is not None]
    now = timezone.now()
    on_time = False
    days = FREQUENCY_DAYS.get(dataset.frequency)
    if dataset.data_updated_at is not None:
        if days is None:
            on_time = dataset.frequency in ("IRREG",)
        else:
            on_time = now - dataset.data_updated_at <= timedelta(days=days)
    formats = {v.format for v in current}
    criteria = [
        Criterion(
            "licence",
            _("Licence renseignée"),
            bool(dataset.licence),
            _("Choisissez une licence ouverte (Licence Ouverte 2.0 recommandée)."),
        ),
        Criterion(
            "temporal",
            _("Couverture temporelle"),
            dataset.temporal_start is not None,
            _("Indiquez la période couverte par les données."),
        ),
        Criterion(
            "spatial",
            _("Couverture géographique"),
            bool(dataset.spatial),
            _("Indiquez le territoire couvert (commune, quartier…)."),
        ),
        Criterion(
            "frequency",
            _("Fréquence de mise à jour"),
            dataset.frequency not in ("", "UNKNOWN"),
            _("Indiquez à quel rythme les données sont mises à jour."),
        ),
        Criterion(
            "on_time",
            _("Mis à jour dans les temps"),
            on_time,
            _(
                "Les données n'ont pas été mises à jour au rythme annoncé : publiez une "
                "nouvelle version ou corrigez la fréquence."
            ),
        ),
        Criterion(
            "description",
            _("Description assez détaillée"),
            len(dataset.description) >= MIN_DESCRIPTION,
            _(
                "Décrivez les données en au moins %(n)d caractères : origine, méthode, "
                "signification des colonnes."
            )
            % {"n": MIN_DESCRIPTION},
        ),
        Criterion(
            "open_format",
            _("Format ouvert"),
            bool(formats) and formats <= OPEN_FORMATS,
            _("Publiez aussi les données dans un format ouvert (CSV plutôt que XLSX)."),
        ),
        Criterion(
            "available",
            _("Toutes les ressources disponibles"),
            bool(resources)
            and all(
                r.current is not None and r.current.status == VersionStatus.READY for r in resources
            ),
            _("Au moins une ressource n'a pas de version publiée."),
        ),
        Criterion(
            "documentation",
            _("Documentation ou schéma"),
            bool(dataset.documentation or dataset.schema),
            _("Ajoutez une documentation des colonnes ou suivez un schéma de données."),
        ),
    ]
    return Quality(criteria)
