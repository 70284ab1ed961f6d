"""Demo: Valmont-sur-Mer's open data portal.

Uploaded files (deliberations, subsidies and public equipment following the SCDL
schemas, water consumption by quartier, air quality at two stations) go through the same
load, schema check and privacy gate as an agent's upload; then every platform source
(reports, participatory budget results and turnout, procedure statistics, twins' gains,
sensors when present) is published through the gate for both communes. Runs after the
other modules' seeders so their data exists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from territoire.core.datasources import sources
from territoire.core.demo import SAINT_AUBIN, VALMONT, DemoContext
from territoire.opendata import demo_data, services
from territoire.opendata.models import Dataset, Frequency, Licence

LONG = (
    " Les données sont produites par les services de la ville de Valmont-sur-Mer et "
    "publiées sous Licence Ouverte 2.0 : vous pouvez les réutiliser librement, y compris "
    "à des fins commerciales, en citant la source."
)


def _publish(
    ctx: DemoContext,
    *,
    title: str,
    description: str,
    resource: str,
    content: bytes,
    fmt: str = "csv",
    declarations: dict[str, Any] | None = None,
    **meta: Any,
) -> Dataset:
    tenant = ctx.tenants[VALMONT]
    dataset = services.dataset_create(
        tenant=tenant,
        actor="demo",
        title=title,
        description=description + LONG,
        spatial="Valmont-sur-Mer (99101)",
        contact_name="Service des données, mairie de Valmont-sur-Mer",
        contact_email="donnees@valmont-sur-mer.example",
        published=True,
        licence=Licence.ETALAB,
        **meta,
    )
    res = services.resource_create(
        dataset=dataset, actor="demo", title=resource, **(declarations or {})
    )
    version = services.version_upload(
        resource=res,
        actor="demo",
        chunks=[content],
        filename=f"{dataset.slug}.{fmt}",
        fmt=fmt,
        run=False,
    )
    services.version_load(version.pk)
    return dataset


def seed(ctx: DemoContext) -> None:
    if VALMONT not in ctx.tenants:
        return
    rng = ctx.rng
    today = ctx.now.date()
    year = today.year if today.month > 6 else today.year - 1
    _publish(
        ctx,
        title="Délibérations du conseil municipal",
        description=(
            "Liste des délibérations adoptées par le conseil municipal : date de la séance, "
            "matière selon la nomenclature ACTES, objet, résultat des votes et lien vers "
            "l'acte transmis au contrôle de légalité."
        ),
        resource=f"Délibérations {year}",
        content=demo_data.deliberations(rng, year),
        schema="scdl-deliberations",
        themes=["GOVE"],
        keywords=["délibérations", "conseil municipal", "SCDL"],
        frequency=Frequency.MONTHLY,
        temporal_start=date(year, 1, 1),
        temporal_end=date(year, 12, 31),
    )
    _publish(
        ctx,
        title="Subventions aux associations",
        description=(
            "Subventions attribuées par la commune aux associations : bénéficiaire, "
            "numéro RNA, objet, montant, conditions et période de versement, conformément "
            "à l'obligation de publication des données essentielles des conventions."
        ),
        resource=f"Subventions {year}",
        content=demo_data.subsidies(rng, year),
        schema="scdl-subventions",
        themes=["ECON", "SOCI"],
        keywords=["subventions", "associations", "SCDL"],
        frequency=Frequency.ANNUAL,
        temporal_start=date(year, 1, 1),
        temporal_end=date(year, 12, 31),
    )
    _publish(
        ctx,
        title="Équipements publics",
        description=(
            "Écoles, piscines, gymnases, médiathèque, crèche, équipements administratifs et "
            "de mobilité de la commune, avec leur adresse, leur catégorie d'établissement "
            "recevant du public et leur position."
        ),
        resource="Équipements collectifs",
        content=demo_data.equipments(),
        schema="scdl-equipements",
        themes=["REGI", "EDUC"],
        keywords=["équipements", "écoles", "piscines", "SCDL"],
        frequency=Frequency.ANNUAL,
        temporal_start=date(year, 1, 1),
        declarations={"lon_column": "EQUIP_LONG", "lat_column": "EQUIP_LAT"},
    )
    _publish(
        ctx,
        title="Consommation d'eau potable par quartier",
        description=(
            "Volumes d'eau potable facturés chaque mois dans chacun des quatre quartiers, "
            "nombre d'abonnés et consommation moyenne par abonné et par jour. La hausse "
            "estivale des quartiers Plage et Port suit la fréquentation touristique."
        ),
        resource="Consommation mensuelle par quartier",
        content=demo_data.water(rng, today),
        themes=["ENVI", "ENER"],
        keywords=["eau", "consommation", "quartiers"],
        frequency=Frequency.MONTHLY,
        temporal_start=date(today.year - 2, today.month, 1),
        documentation=(
            "mois : AAAA-MM ; abonnes : nombre de compteurs actifs ; volume_m3 : volume "
            "facturé ; litres_par_abonne_par_jour : volume divisé par abonnés et jours."
        ),
    )
    _publish(
        ctx,
        title="Qualité de l'air",
        description=(
            "Moyennes journalières de dioxyde d'azote, particules PM10 et PM2,5 et ozone "
            "mesurées aux stations du Port et des Hauts, et indice ATMO du jour. Mesures "
            "en microgrammes par mètre cube."
        ),
        resource="Mesures journalières",
        content=demo_data.air_quality(rng, today),
        themes=["ENVI", "HEAL"],
        keywords=["qualité de l'air", "pollution", "ATMO"],
        frequency=Frequency.DAILY,
        temporal_start=today.replace(year=today.year - 1),
        declarations={"lon_column": "longitude", "lat_column": "latitude"},
    )
    # Platform sources, through the gate, for both communes.
    for slug in (VALMONT, SAINT_AUBIN):
        tenant = ctx.tenants.get(slug)
        if tenant is None:
            continue
        for source in sources():
            services.source_publish(tenant=tenant, code=source.code, actor="demo")
    ctx.notes.append(
        "Données ouvertes : /valmont-sur-mer/donnees/ "
        "(API /api/v1/datasets?tenant=valmont-sur-mer, DCAT-AP /api/v1/catalog.ttl)."
    )
