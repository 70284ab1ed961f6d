"""The catalogue in DCAT-AP 3 (rdflib), as Turtle or JSON-LD, harvestable by data.gouv.fr.

Valid against the DCAT-AP 3.0.1 SHACL shapes (tested with pyshacl). The shapes check the
class of every vocabulary value, and the EU vocabularies are not loaded by harvesters'
validators, so the export states the types of the IRIs it uses (``dct:Frequency``,
``dct:LicenseDocument``, ``dct:MediaTypeOrExtent``, ``skos:Concept``…).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import translation
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from territoire.core.models import LocalAuthority
from territoire.opendata.models import LICENCE_URIS, Dataset, Licence, Theme, VersionStatus
from territoire.opendata.schemas import SCHEMAS

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
EU = "http://publications.europa.eu/resource/authority/"
MEDIA = "https://www.iana.org/assignments/media-types/"
THEME_LABELS = dict(Theme.choices)
FORMAT_EU = {
    "csv": ("CSV", "text/csv"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ("JSON", "application/json"),
    "geojson": ("GEOJSON", "application/geo+json"),
    "parquet": ("PARQUET", "application/vnd.apache.parquet"),
    "source": ("CSV", "text/csv"),
}


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("spdx", SPDX),
        ("skos", SKOS),
        ("adms", ADMS),
    ):
        g.bind(prefix, ns)
    return g


def _typed(g: Graph, iri: str, cls: URIRef) -> URIRef:
    node = URIRef(iri)
    g.add((node, RDF.type, cls))
    return node


def _publisher(g: Graph, base: str, tenant: LocalAuthority) -> URIRef:
    node = URIRef(f"{base}/{tenant.slug}/#collectivite")
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, FOAF.name, Literal(tenant.name, lang="fr")))
    if tenant.siren:
        g.add((node, DCTERMS.identifier, Literal(tenant.siren)))
    return node


def _dataset(g: Graph, base: str, d: Dataset) -> URIRef:
    landing = base + reverse("opendata:dataset", kwargs={"tenant": d.tenant.slug, "slug": d.slug})
    node = URIRef(landing + "#jeu-de-donnees")
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.title, Literal(d.title, lang="fr")))
    g.add((node, DCTERMS.description, Literal(d.description or d.title, lang="fr")))
    g.add((node, DCTERMS.identifier, Literal(f"{d.tenant.slug}/{d.slug}")))
    g.add((node, DCTERMS.publisher, _publisher(g, base, d.tenant)))
    g.add((node, DCAT.landingPage, _typed(g, landing, FOAF.Document)))
    g.add(
        (node, DCTERMS.issued, Literal(d.created_at.replace(microsecond=0), datatype=XSD.dateTime))
    )
    modified = d.data_updated_at or d.modified_at
    g.add((node, DCTERMS.modified, Literal(modified.replace(microsecond=0), datatype=XSD.dateTime)))
    for kw in d.keywords:
        g.add((node, DCAT.keyword, Literal(kw, lang="fr")))
    for theme in d.themes:
        concept = _typed(g, f"{EU}data-theme/{theme}", SKOS.Concept)
        with translation.override("fr"):
            label = str(THEME_LABELS.get(theme, theme))
        g.add((concept, SKOS.prefLabel, Literal(label, lang="fr")))
        g.add((node, DCAT.theme, concept))
    if d.frequency:
        g.add(
            (
                node,
                DCTERMS.accrualPeriodicity,
                _typed(g, f"{EU}frequency/{d.frequency}", DCTERMS.Frequency),
            )
        )
    if d.spatial:
        place = BNode()
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, SKOS.prefLabel, Literal(d.spatial, lang="fr")))
        g.add((node, DCTERMS.spatial, place))
    if d.temporal_start:
        period = BNode()
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(d.temporal_start, datatype=XSD.date)))
        if d.temporal_end:
            g.add((period, DCAT.endDate, Literal(d.temporal_end, datatype=XSD.date)))
        g.add((node, DCTERMS.temporal, period))
    if d.contact_name or d.contact_email:
        contact = BNode()
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, VCARD.fn, Literal(d.contact_name or d.tenant.name)))
        if d.contact_email:
            g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{d.contact_email}")))
        g.add((node, DCAT.contactPoint, contact))
    if d.schema and d.schema in SCHEMAS:
        standard = _typed(g, SCHEMAS[d.schema].url, DCTERMS.Standard)
        g.add((standard, DCTERMS.title, Literal(str(SCHEMAS[d.schema].title), lang="fr")))
        g.add((node, DCTERMS.conformsTo, standard))
    licence = _typed(
        g,
        LICENCE_URIS.get(Licence(d.licence), LICENCE_URIS[Licence.ETALAB]),
        DCTERMS.LicenseDocument,
    )
    for r in d.resources.all():
        v = r.current
        if v is None or v.status != VersionStatus.READY:
            continue
        kw = {"tenant": d.tenant.slug, "slug": d.slug, "pk": r.pk}
        page = base + reverse("opendata:resource", kwargs=kw)
        api_kw = {"slug": d.slug, "resource_id": r.pk}
        rows_url = base + reverse("api:opendata_rows", kwargs=api_kw) + f"?tenant={d.tenant.slug}"
        download = (
            base + reverse("api:opendata_download", kwargs=api_kw) + f"?tenant={d.tenant.slug}"
        )
        dist = URIRef(page)
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(r.title, lang="fr")))
        if r.description:
            g.add((dist, DCTERMS.description, Literal(r.description, lang="fr")))
        g.add((dist, DCAT.accessURL, URIRef(rows_url)))
        g.add((dist, DCAT.downloadURL, URIRef(download)))
        code, media = FORMAT_EU["csv"]  # full downloads are CSV exports of the gated rows
        g.add((dist, DCTERMS.format, _typed(g, f"{EU}file-type/{code}", DCTERMS.MediaTypeOrExtent)))
        g.add((dist, DCAT.mediaType, _typed(g, MEDIA + media, DCTERMS.MediaType)))
        g.add((dist, DCTERMS.license, licence))
        if v.published_at:
            g.add(
                (
                    dist,
                    DCTERMS.modified,
                    Literal(v.published_at.replace(microsecond=0), datatype=XSD.dateTime),
                )
            )
        if v.checksum and len(v.checksum) == 64:
            checksum = BNode()
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add(
                (
                    checksum,
                    SPDX.algorithm,
                    _typed(g, str(SPDX.checksumAlgorithm_sha256), SPDX.ChecksumAlgorithm),
                )
            )
            g.add((checksum, SPDX.checksumValue, Literal(v.checksum, datatype=XSD.hexBinary)))
            g.add((dist, SPDX.checksum, checksum))
        if d.schema and d.schema in SCHEMAS:
            g.add((dist, DCTERMS.conformsTo, URIRef(SCHEMAS[d.schema].url)))
        g.add((node, DCAT.distribution, dist))
    return node


def catalog_graph(
    base: str, tenants: Iterable[LocalAuthority], datasets: Iterable[Dataset], *, title: str
) -> Graph:
    """The catalogue of these tenants' published datasets (``base``: site URL, no slash)."""
    g = _graph()
    tenants = list(tenants)
    if len(tenants) == 1:
        catalog = URIRef(base + reverse("opendata:catalogue", kwargs={"tenant": tenants[0].slug}))
        publisher = _publisher(g, base, tenants[0])
        description = f"Catalogue des données ouvertes de {tenants[0].name}."
    else:
        catalog = URIRef(base + "/api/v1/catalog.ttl")
        publisher = URIRef(f"{base}/#instance")
        g.add((publisher, RDF.type, FOAF.Agent))
        g.add((publisher, FOAF.name, Literal(title, lang="fr")))
        description = "Catalogue des données ouvertes des collectivités de cette plateforme."
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(title, lang="fr")))
    g.add((catalog, DCTERMS.description, Literal(description, lang="fr")))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, FOAF.homepage, _typed(g, base + "/", FOAF.Document)))
    g.add((catalog, DCTERMS.language, _typed(g, f"{EU}language/FRA", DCTERMS.LinguisticSystem)))
    for d in datasets:
        g.add((catalog, DCAT.dataset, _dataset(g, base, d)))
    return g


def dataset_graph(base: str, d: Dataset) -> Graph:
    g = _graph()
    _dataset(g, base, d)
    return g


def serialise(g: Graph, fmt: str) -> Any:
    if fmt == "jsonld":
        return g.serialize(format="json-ld", auto_compact=True)
    return g.serialize(format="turtle")
