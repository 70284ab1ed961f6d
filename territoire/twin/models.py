"""Digital twins: the water network and its DMAs, leaks, twin assets, runs and gains.

Sensor readings are not stored here: they live in the sensors module and are read
through the core time-series port (``territoire.core.timeseries``). The twin keeps what
the sensors module does not know: the hydraulic model, the equipment (lamps, boilers,
trucks), the decisions (leaks and their status) and the gains they bring.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoire.core.models import TenantOwned
from territoire.core.models.tenancy import TenantQuerySet


class WaterNetwork(TenantOwned):
    """A drinking-water network imported from an EPANET ``.inp`` file, placed on the map."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80)
    inp_text = models.TextField(_("modèle EPANET"))
    source_name = models.CharField(_("fichier d'origine"), max_length=200, blank=True)
    units = models.CharField(_("unités du fichier"), max_length=10, blank=True)
    centre_lon = models.FloatField(_("longitude du centre"))
    centre_lat = models.FloatField(_("latitude du centre"))
    extent_m = models.FloatField(_("étendue (m)"), default=3000)
    price_eur_m3 = models.DecimalField(
        _("coût de l'eau perdue (€/m³)"), max_digits=6, decimal_places=2, default=1.20
    )
    # [[name, kind, start node, end node, length m], ...]: pipes are drawn, never queried.
    links = models.JSONField(default=list, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("réseau d'eau")
        verbose_name_plural = _("réseaux d'eau")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="twin_network_slug_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class NodeKind(models.TextChoices):
    JUNCTION = "junction", _("nœud de consommation")
    TANK = "tank", _("réservoir")
    RESERVOIR = "reservoir", _("ressource")


class NetworkNode(TenantOwned):
    network = models.ForeignKey(WaterNetwork, on_delete=models.CASCADE, related_name="nodes")
    name = models.CharField(_("nom"), max_length=60)
    kind = models.CharField(_("type"), max_length=10, choices=NodeKind.choices)
    lon = models.FloatField()
    lat = models.FloatField()
    elevation_m = models.FloatField(_("altitude (m)"), default=0)
    base_demand_m3h = models.FloatField(_("consommation de base (m³/h)"), default=0)
    dma = models.ForeignKey(
        "Dma", null=True, blank=True, on_delete=models.SET_NULL, related_name="nodes"
    )

    class Meta:
        verbose_name = _("nœud")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "name"], name="twin_node_name_per_network")
        ]

    def __str__(self) -> str:
        return self.name


class Dma(TenantOwned):
    """A district metered area: part of the network fed through one metered inlet."""

    network = models.ForeignKey(WaterNetwork, on_delete=models.CASCADE, related_name="dmas")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("nom"), max_length=120)
    legitimate_night_m3h = models.FloatField(
        _("consommation nocturne légitime (m³/h)"),
        help_text=_("Usage normal entre 2 h et 4 h, estimé à partir des compteurs des abonnés."),
    )
    district_slug = models.SlugField(_("quartier"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("secteur de comptage")
        verbose_name_plural = _("secteurs de comptage")
        ordering = ["network", "code"]
        constraints = [
            models.UniqueConstraint(fields=["network", "code"], name="twin_dma_code_per_network")
        ]

    def __str__(self) -> str:
        return self.name


class LeakStatus(models.TextChoices):
    DETECTED = "detected", _("détectée")
    CONFIRMED = "confirmed", _("confirmée sur le terrain")
    REPAIRED = "repaired", _("réparée")
    DISMISSED = "dismissed", _("écartée")


# The allowed status changes of a leak (services.leak_transition checks them).
LEAK_TRANSITIONS: dict[str, set[str]] = {
    LeakStatus.DETECTED: {LeakStatus.CONFIRMED, LeakStatus.REPAIRED, LeakStatus.DISMISSED},
    LeakStatus.CONFIRMED: {LeakStatus.REPAIRED, LeakStatus.DISMISSED},
    LeakStatus.REPAIRED: set(),
    LeakStatus.DISMISSED: set(),
}
OPEN_LEAK_STATUSES = (LeakStatus.DETECTED, LeakStatus.CONFIRMED)


class LeakQuerySet(TenantQuerySet["Leak"]):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_LEAK_STATUSES)


class Leak(TenantOwned):
    """A leak found by minimum night flow in one DMA, with its ranked likely locations."""

    dma = models.ForeignKey(Dma, on_delete=models.CASCADE, related_name="leaks")
    status = models.CharField(
        _("état"), max_length=12, choices=LeakStatus.choices, default=LeakStatus.DETECTED
    )
    first_night = models.DateField(_("première nuit anormale"))
    detected_at = models.DateTimeField(_("détectée le"), auto_now_add=True)
    night_flow_m3h = models.FloatField(_("débit de nuit mesuré (m³/h)"))
    excess_m3h = models.FloatField(_("excès de nuit (m³/h)"))
    volume_m3_day = models.FloatField(_("volume perdu (m³/jour)"))
    cost_eur_day = models.FloatField(_("coût (€/jour)"))
    # [{"node", "rank", "rmse_m", "lon", "lat"}, ...] best first; empty until localised.
    candidates = models.JSONField(_("emplacements probables"), default=list, blank=True)
    localisation_note = models.TextField(_("note de localisation"), blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    alert_sent = models.BooleanField(default=False)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.CharField(max_length=254, blank=True)
    status_reason = models.TextField(_("motif"), blank=True)

    objects: Any = LeakQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("fuite")
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return f"{self.dma.name} — {self.first_night:%d/%m/%Y}"


class RunKind(models.TextChoices):
    WATER = "water", _("Réseau d'eau : fuites")
    WASTE = "waste", _("Collecte des déchets")
    LIGHTING = "lighting", _("Éclairage public")
    HEATING = "heating", _("Chauffage des écoles")
    ATTENDANCE = "attendance", _("Fréquentation des piscines")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("en attente")
    RUNNING = "running", _("en cours")
    DONE = "done", _("terminé")
    FAILED = "failed", _("échec")


class TwinRunQuerySet(TenantQuerySet["TwinRun"]):
    def latest_done(self, kind: str) -> TwinRun | None:
        return self.filter(kind=kind, status=RunStatus.DONE).order_by("-finished_at", "-pk").first()


class TwinRun(TenantOwned):
    """One computation of a twin, run in the background; its progress is read by the page."""

    kind = models.CharField(_("jumeau"), max_length=12, choices=RunKind.choices)
    status = models.CharField(
        _("état"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    message = models.CharField(_("étape"), max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    objects: Any = TwinRunQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("calcul")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Gain(TenantOwned):
    """The current estimated or measured yearly gain of one twin, published openly."""

    twin = models.CharField(_("jumeau"), max_length=12, choices=RunKind.choices)
    label = models.CharField(_("gain"), max_length=200)
    quantity = models.FloatField(_("quantité économisée par an"))
    unit = models.CharField(_("unité"), max_length=20)
    eur_per_year = models.FloatField(_("euros par an"))
    co2_kg_per_year = models.FloatField(_("CO2 évité (kg/an)"), default=0)
    measured = models.BooleanField(_("mesuré"), default=False)
    basis = models.TextField(_("méthode"), blank=True)
    computed_at = models.DateTimeField(_("calculé le"))
    run = models.ForeignKey(TwinRun, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("gain")
        ordering = ["twin", "label"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "twin", "label"], name="twin_gain_per_label")
        ]

    def __str__(self) -> str:
        return self.label


class Truck(TenantOwned):
    name = models.CharField(_("nom"), max_length=120)
    capacity_l = models.PositiveIntegerField(_("capacité (litres de déchets)"))
    depot_lon = models.FloatField(_("longitude du dépôt"))
    depot_lat = models.FloatField(_("latitude du dépôt"))
    active = models.BooleanField(_("en service"), default=True)

    class Meta:
        verbose_name = _("camion de collecte")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LightingSegment(TenantOwned):
    """A street segment of lamps dimmed together, with its footfall counter."""

    name = models.CharField(_("tronçon"), max_length=160)
    lamps = models.PositiveIntegerField(_("nombre de points lumineux"))
    watts_per_lamp = models.PositiveIntegerField(_("puissance par point (W)"))
    min_level_pct = models.PositiveSmallIntegerField(
        _("niveau minimal de sécurité (%)"),
        default=30,
        help_text=_("Jamais en dessous, quelle que soit la fréquentation (passages piétons…)."),
    )
    lon = models.FloatField()
    lat = models.FloatField()
    footfall_sensor = models.CharField(_("capteur de passages"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("tronçon d'éclairage")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(TenantOwned):
    name = models.CharField(_("école"), max_length=160)
    lon = models.FloatField()
    lat = models.FloatField()
    heat_loss_kw_per_k = models.FloatField(
        _("déperditions (kW/K)"),
        help_text=_("Puissance perdue par degré d'écart intérieur/extérieur."),
    )
    comfort_c = models.FloatField(_("température de confort (°C)"), default=19)
    setback_c = models.FloatField(_("température réduite (°C)"), default=16)
    fixed_start_hour = models.PositiveSmallIntegerField(_("chauffe fixe : début"), default=6)
    fixed_end_hour = models.PositiveSmallIntegerField(_("chauffe fixe : fin"), default=18)
    co2_sensor = models.CharField(_("capteur de CO2"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("école")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolHoliday(TenantOwned):
    label = models.CharField(_("vacances"), max_length=120)
    start = models.DateField(_("du"))
    end = models.DateField(_("au (inclus)"))

    class Meta:
        verbose_name = _("vacances scolaires")
        ordering = ["start"]

    def __str__(self) -> str:
        return self.label

    def covers(self, day: Any) -> bool:
        return self.start <= day <= self.end
