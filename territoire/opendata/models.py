"""Catalogue of the open data portal: datasets, their resources and each resource's versions.

The rows of a published version do not live in these tables: they are loaded into a
typed table of their own (``storage.py``: a PostgreSQL schema in production, one SQLite
file per version in the embedded default). These models keep the metadata, the
checksums, the load progress, the validation errors and the privacy gate's report.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoire.core.models import TenantOwned, TenantQuerySet


class Licence(models.TextChoices):
    ETALAB = "etalab-2.0", _("Licence Ouverte / Open Licence 2.0 (Etalab)")
    ODBL = "odbl", _("Open Database License (ODbL)")
    CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0 (CC-BY)")


LICENCE_URIS = {
    Licence.ETALAB: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
}


class Frequency(models.TextChoices):
    """A subset of the EU frequency vocabulary (authority table ``frequency``)."""

    CONT = "CONT", _("En continu")
    DAILY = "DAILY", _("Quotidienne")
    WEEKLY = "WEEKLY", _("Hebdomadaire")
    MONTHLY = "MONTHLY", _("Mensuelle")
    QUARTERLY = "QUARTERLY", _("Trimestrielle")
    ANNUAL = "ANNUAL", _("Annuelle")
    IRREG = "IRREG", _("Irrégulière")
    UNKNOWN = "UNKNOWN", _("Inconnue")


# Expected delay between two updates, for the "updated on time" quality criterion.
FREQUENCY_DAYS = {
    "CONT": 1,
    "DAILY": 2,
    "WEEKLY": 8,
    "MONTHLY": 32,
    "QUARTERLY": 93,
    "ANNUAL": 366,
}


class Theme(models.TextChoices):
    """The EU data themes (authority table ``data-theme``)."""

    AGRI = "AGRI", _("Agriculture, pêche, sylviculture et alimentation")
    ECON = "ECON", _("Économie et finances")
    EDUC = "EDUC", _("Éducation, culture et sport")
    ENER = "ENER", _("Énergie")
    ENVI = "ENVI", _("Environnement")
    GOVE = "GOVE", _("Gouvernement et secteur public")
    HEAL = "HEAL", _("Santé")
    INTR = "INTR", _("Questions internationales")
    JUST = "JUST", _("Justice, système juridique et sécurité publique")
    REGI = "REGI", _("Régions et villes")
    SOCI = "SOCI", _("Population et société")
    TECH = "TECH", _("Science et technologie")
    TRAN = "TRAN", _("Transports")


def published_q(prefix: str = "") -> models.Q:
    """The one condition that makes a dataset public (pages, API, search, DCAT exports).

    ``prefix`` reaches the dataset from a related model (``"dataset__"`` for resources).
    """
    return models.Q(**{f"{prefix}published": True})


class DatasetQuerySet(TenantQuerySet):
    def published(self) -> DatasetQuerySet:
        return self.filter(published_q())


class Dataset(TenantOwned):
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.ETALAB
    )
    themes = models.JSONField(_("thèmes"), default=list, blank=True)
    keywords = models.JSONField(_("mots-clés"), default=list, blank=True)
    frequency = models.CharField(
        _("fréquence de mise à jour"),
        max_length=12,
        choices=Frequency.choices,
        default=Frequency.UNKNOWN,
    )
    temporal_start = models.DateField(_("début de la période couverte"), null=True, blank=True)
    temporal_end = models.DateField(_("fin de la période couverte"), null=True, blank=True)
    spatial = models.CharField(_("couverture géographique"), max_length=200, blank=True)
    contact_name = models.CharField(_("point de contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("courriel du point de contact"), blank=True)
    schema = models.CharField(_("schéma de données (Table Schema)"), max_length=60, blank=True)
    documentation = models.TextField(_("documentation"), blank=True)
    source_code = models.CharField(_("source de la plateforme"), max_length=80, blank=True)
    published = models.BooleanField(_("publié"), default=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    modified_at = models.DateTimeField(_("métadonnées modifiées le"), default=timezone.now)
    data_updated_at = models.DateTimeField(_("données mises à jour le"), null=True, blank=True)

    objects = DatasetQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("jeu de données")
        verbose_name_plural = _("jeux de données")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="dataset_slug_per_tenant")
        ]
        indexes = [models.Index(fields=["tenant", "published"], name="dataset_tenant_published")]

    def __str__(self) -> str:
        return self.title


class ResourceKind(models.TextChoices):
    UPLOAD = "upload", _("Fichier déposé")
    SOURCE = "source", _("Export d'un module de la plateforme")


class Resource(TenantOwned):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("origine"), max_length=10, choices=ResourceKind.choices, default=ResourceKind.UPLOAD
    )
    source_code = models.CharField(_("source de la plateforme"), max_length=80, blank=True)
    # The privacy declarations of an uploaded file (a platform source declares its own).
    personal_columns = models.JSONField(_("colonnes personnelles"), default=list, blank=True)
    pseudonymise_columns = models.JSONField(_("colonnes à pseudonymiser"), default=list, blank=True)
    quasi_identifiers = models.JSONField(_("quasi-identifiants"), default=list, blank=True)
    count_columns = models.JSONField(_("colonnes de comptage"), default=list, blank=True)
    lon_column = models.CharField(_("colonne longitude"), max_length=80, blank=True)
    lat_column = models.CharField(_("colonne latitude"), max_length=80, blank=True)
    current = models.ForeignKey(
        "ResourceVersion",
        verbose_name=_("version publiée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    LOADING = "loading", _("Chargement en cours")
    READY = "ready", _("Publiée")
    CHECKED = "checked", _("Vérifiée (non publiée)")
    INVALID = "invalid", _("Refusée : non conforme au schéma")
    BLOCKED = "blocked", _("Bloquée par le contrôle de confidentialité")
    FAILED = "failed", _("Échec du chargement")
    SUPERSEDED = "superseded", _("Remplacée")


class ResourceVersion(TenantOwned):
    """One upload or extraction of a resource; the rows live in its own table."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("numéro"))
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.PENDING
    )
    format = models.CharField(_("format"), max_length=10)
    filename = models.CharField(_("fichier d'origine"), max_length=200, blank=True)
    file_path = models.CharField(max_length=300, blank=True)  # relative to OPENDATA_DIR
    size = models.BigIntegerField(_("taille (octets)"), default=0)
    checksum = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    encoding = models.CharField(_("encodage"), max_length=30, blank=True)
    delimiter = models.CharField(_("séparateur"), max_length=4, blank=True)
    columns = models.JSONField(_("colonnes"), default=list, blank=True)
    row_count = models.BigIntegerField(_("lignes"), default=0)
    bytes_read = models.BigIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    storage = models.CharField(max_length=80, blank=True)  # table name or SQLite file
    errors = models.JSONField(_("erreurs"), default=list, blank=True)
    gate_report = models.JSONField(_("rapport de confidentialité"), default=dict, blank=True)
    publish = models.BooleanField(default=True)  # False: "check only" run of the gate
    # Touched by every step of a load: a "loading" version whose date stops moving belongs
    # to a killed process (``services.versions_fail_stale``).
    updated_at = models.DateTimeField(_("dernière progression"), default=timezone.now)
    created_by = models.CharField(max_length=254, blank=True)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("version de ressource")
        verbose_name_plural = _("versions de ressource")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"
