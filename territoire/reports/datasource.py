"""The reports offered to the open-data portal (core/datasources.py port)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from territoire.core.datasources import Column, DataSource, register_source

if TYPE_CHECKING:
    from territoire.core.models import LocalAuthority


def rows(tenant: LocalAuthority) -> Iterator[dict[str, Any]]:
    from territoire.reports.models import Report

    reports = (
        Report.objects.for_tenant(tenant)
        .public()
        .select_related("category", "district")
        .order_by("pk")
    )
    for r in reports.iterator(chunk_size=1000):
        yield {
            "id": r.pk,
            "categorie_code": r.category.service_code if r.category else "",
            "categorie": r.category.name if r.category else "",
            "statut": r.status,
            "open311_statut": r.open311_status,
            "quartier": r.district.name if r.district else "",
            "date_signalement": r.requested_at.isoformat(),
            "date_cloture": r.closed_at.isoformat() if r.closed_at else "",
            "longitude": r.lon,
            "latitude": r.lat,
            "lieu": r.address,
            "description": r.description,
        }


def register_datasource() -> None:
    register_source(
        DataSource(
            code="reports.requests",
            module="reports",
            title="Signalements dans l'espace public",
            description=(
                "Problèmes signalés par les habitants (voirie, éclairage, propreté…) et leur "
                "traitement par les services : catégorie, statut, quartier, dates, lieu."
            ),
            columns=(
                Column(name="id", title="Identifiant", type="integer"),
                Column(name="categorie_code", title="Code de catégorie (Open311)"),
                Column(name="categorie", title="Catégorie"),
                Column(name="statut", title="Statut"),
                Column(name="open311_statut", title="Statut Open311 (open/closed)"),
                Column(name="quartier", title="Quartier", quasi_identifier=True),
                Column(
                    name="date_signalement",
                    title="Date du signalement",
                    type="datetime",
                    quasi_identifier=True,
                ),
                Column(name="date_cloture", title="Date de clôture", type="datetime"),
                Column(name="longitude", title="Longitude", type="number", quasi_identifier=True),
                Column(name="latitude", title="Latitude", type="number", quasi_identifier=True),
                Column(
                    name="lieu",
                    title="Adresse ou lieu",
                    description="Texte libre saisi par l'habitant : peut désigner un domicile.",
                    quasi_identifier=True,
                ),
                Column(
                    name="description",
                    title="Description",
                    description="Texte libre : peut nommer une personne.",
                    personal=True,
                ),
            ),
            rows=rows,
            keywords=("signalement", "voirie", "propreté", "éclairage", "Open311"),
            themes=("GOVE", "TRAN", "ENVI"),
            frequency="daily",
            lon_column="longitude",
            lat_column="latitude",
        )
    )
