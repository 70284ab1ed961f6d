"""Open-data source: statistics of each procedure (no personal data, counts only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from territoire.core.datasources import Column, DataSource, register_source
from territoire.core.models import LocalAuthority


def rows(tenant: LocalAuthority) -> Iterable[dict[str, Any]]:
    from territoire.procedures import selectors
    from territoire.procedures.models import Procedure

    for procedure in Procedure.objects.for_tenant(tenant).visible():
        stats = selectors.procedure_stats(procedure)
        yield {
            "demarche": procedure.title,
            "theme": procedure.theme,
            "dossiers_deposes_12_mois": sum(w["count"] for w in stats.weeks),
            "decisions_12_mois": stats.decided,
            "part_acceptes": stats.accepted_share,
            "part_refuses": stats.refused_share,
            "part_sans_suite": stats.closed_share,
            "delai_median_jours": stats.p50_days,
            "delai_90_jours": stats.p90_days,
            "taux_abandon": stats.abandonment_rate,
        }


def register() -> None:
    register_source(
        DataSource(
            code="procedures.statistics",
            module="procedures",
            title="Délais de traitement des démarches en ligne",
            description=(
                "Pour chaque démarche en ligne : dossiers déposés sur douze mois, part des "
                "dossiers acceptés, refusés ou classés sans suite, délais de traitement "
                "médian et à 90 % des dossiers décidés dans les trente derniers jours, taux "
                "d'abandon. Données agrégées, sans donnée personnelle."
            ),
            columns=(
                Column(name="demarche", title="Démarche"),
                Column(name="theme", title="Thème"),
                Column(
                    name="dossiers_deposes_12_mois",
                    title="Dossiers déposés sur 12 mois",
                    type="integer",
                    counts_people=True,
                ),
                Column(
                    name="decisions_12_mois",
                    title="Décisions sur 12 mois",
                    type="integer",
                    counts_people=True,
                ),
                Column(name="part_acceptes", title="Part des dossiers acceptés (%)", type="number"),
                Column(name="part_refuses", title="Part des dossiers refusés (%)", type="number"),
                Column(name="part_sans_suite", title="Part classée sans suite (%)", type="number"),
                Column(name="delai_median_jours", title="Délai médian (jours)", type="number"),
                Column(
                    name="delai_90_jours",
                    title="Délai dans lequel 90 % des dossiers sont décidés (jours)",
                    type="number",
                ),
                Column(name="taux_abandon", title="Taux d'abandon (%)", type="number"),
            ),
            rows=rows,
            keywords=("démarches en ligne", "délais", "administration"),
            themes=("GOVE",),
            frequency="weekly",
        )
    )
