"""Sensors, their readings (raw, aggregated, latest), alerts, and what could not be stored.

Every row that belongs to a collectivité carries its ``tenant`` (``TenantOwned``),
readings, aggregates and latest values included: selectors filter on it as well as on
the sensor, so a wrong join or a forgotten filter cannot show one collectivité another's
data. The ingestion path copies the tenant from the sensor row it validated against,
never from the client (see the note above ``Reading`` on how the two largest tables are
shaped).

Only :class:`UnroutedMessage` has no tenant: messages whose collectivité cannot be
determined at all (unknown topic or tenant, uplink of an unregistered LoRaWAN
application). Instance operators see them (``territoire sensors unrouted``); agents
never do.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from territoire.core.models import District, LocalAuthority, Service, TenantOwned, TenantQuerySet
from territoire.sensors.catalog import KIND_CHOICES, QUANTITY_CHOICES

REF_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
    _("Une référence contient lettres, chiffres, « - », « _ » ou « . » (64 au plus)."),
)
DEV_EUI_VALIDATOR = RegexValidator(
    r"^[0-9a-f]{16}$", _("Un DevEUI LoRaWAN a 16 chiffres hexadécimaux.")
)


class DeviceProfile(TenantOwned):
    """A device model: which decoder turns its raw LoRaWAN payload into quantities."""

    name = models.CharField(_("nom"), max_length=120)
    decoder = models.CharField(_("décodeur"), max_length=40)
    params = models.JSONField(_("paramètres du décodeur"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("profil d'appareil")
        verbose_name_plural = _("profils d'appareil")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="sensors_profile_name")
        ]

    def __str__(self) -> str:
        return self.name


class LorawanApplication(TenantOwned):
    """A network-server application (ChirpStack) whose devices belong to this tenant.

    Used to put readings of a not-yet-registered device into the right tenant's
    quarantine, where its agents can assign them to a sensor.
    """

    application_id = models.CharField(_("identifiant d'application"), max_length=64, unique=True)
    name = models.CharField(_("nom"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("application LoRaWAN")
        verbose_name_plural = _("applications LoRaWAN")

    def __str__(self) -> str:
        return self.name or self.application_id


class SensorQuerySet(TenantQuerySet["Sensor"]):
    def active(self) -> Self:
        return self.filter(is_active=True)

    def public(self) -> Self:
        return self.filter(is_active=True, is_public=True)


class Sensor(TenantOwned):
    ref = models.CharField(_("référence"), max_length=64, validators=[REF_VALIDATOR])
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=KIND_CHOICES)
    quantities = models.JSONField(_("grandeurs mesurées"), default=list)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("quartier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Blank: the collectivité itself; otherwise the operator it delegates to.
    operator = models.CharField(_("délégataire"), max_length=120, blank=True)
    expected_interval = models.PositiveIntegerField(
        _("intervalle attendu (minutes)"), default=60, validators=[MinValueValidator(1)]
    )
    dev_eui = models.CharField(
        _("DevEUI"), max_length=16, blank=True, validators=[DEV_EUI_VALIDATOR]
    )
    profile = models.ForeignKey(
        DeviceProfile,
        verbose_name=_("profil d'appareil"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sensors",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("équipe responsable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_public = models.BooleanField(_("public"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    extra = models.JSONField(_("attributs"), default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(_("dernière mesure"), null=True, blank=True)

    objects = SensorQuerySet.as_manager()  # type: ignore[misc]  # narrows TenantOwned's

    class Meta:
        verbose_name = _("capteur")
        verbose_name_plural = _("capteurs")
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "ref"], name="sensors_ref_per_tenant"),
            # DevEUIs are globally unique (IEEE EUI-64): the MQTT consumer, which serves
            # every tenant, finds the sensor of an uplink from it alone.
            models.UniqueConstraint(
                fields=["dev_eui"], condition=~Q(dev_eui=""), name="sensors_unique_dev_eui"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "kind"])]

    def __str__(self) -> str:
        return f"{self.ref} · {self.name}"


# The two largest tables (one row per reading; per sensor, hour and day) are shaped for
# ingestion speed, measured in bench/sensors_ingest.py:
# - their primary key is the natural key (sensor, quantity, time|period+start): one
#   B-tree that is at once the idempotency check (ON CONFLICT) and the index serving
#   "one sensor, one quantity, over a period", instead of a serial id plus a unique index;
# - their foreign keys have no database constraint: PostgreSQL checks a deferred
#   constraint with one trigger per row at commit, which cost more than the insert
#   itself (150 ms per 10,000 rows for the two of them). Their only writer is
#   ``ingestion.store``, which copies both ids from the sensor row it has just read, in
#   the same transaction; deleting a sensor or a tenant still cascades (Django does it).
# - the tenant column has no index: every query also names the sensor.


def _big_table_fk(to: Any, **kwargs: Any) -> Any:
    return models.ForeignKey(
        to,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        **kwargs,
    )


class Reading(TenantOwned):
    """One value of one quantity at one instant. Stored once (the primary key)."""

    pk = models.CompositePrimaryKey("sensor", "quantity", "time")
    tenant = _big_table_fk(LocalAuthority, verbose_name=_("collectivité"))
    sensor = _big_table_fk(Sensor)
    quantity = models.CharField(max_length=16, choices=QUANTITY_CHOICES)
    time = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        verbose_name = _("mesure")
        verbose_name_plural = _("mesures")

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.quantity} {self.time:%Y-%m-%d %H:%M} {self.value}"


class Period(models.TextChoices):
    HOUR = "h", _("heure")
    DAY = "d", _("jour")


class Aggregate(TenantOwned):
    """Count, sum, min and max of a quantity over one hour or one (local) day.

    Maintained incrementally on every insert (ingestion.py), so it stays exact after the
    raw readings are purged past their retention period.
    """

    pk = models.CompositePrimaryKey("sensor", "quantity", "period", "start")
    tenant = _big_table_fk(LocalAuthority, verbose_name=_("collectivité"))
    sensor = _big_table_fk(Sensor)
    quantity = models.CharField(max_length=16)
    period = models.CharField(max_length=1, choices=Period.choices)
    start = models.DateTimeField()
    count = models.PositiveIntegerField()
    total = models.FloatField()
    minimum = models.FloatField()
    maximum = models.FloatField()

    class Meta:
        verbose_name = _("agrégat")
        verbose_name_plural = _("agrégats")

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.quantity} {self.period} {self.start:%Y-%m-%d %H:%M}"

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0


class LatestValue(TenantOwned):
    """The most recent value of each quantity of each sensor (map, NGSI-LD, silence)."""

    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="latest_values")
    quantity = models.CharField(max_length=16)
    time = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sensor", "quantity"], name="sensors_latest_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.quantity} {self.value}"


class MessageReceipt(models.Model):
    """An upstream message id already stored (ChirpStack deduplicationId).

    Deduplication ids are unique across the network server, so the receipt is keyed
    on the id alone. ``tenant`` is the collectivité of the device when it is known (for
    purges and audits); empty when the message could not be routed (it is then an
    :class:`UnroutedMessage`). A receipt holds no data, only an opaque id.
    """

    tenant = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=20)
    message_id = models.CharField(max_length=80)
    received = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "message_id"], name="sensors_receipt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.message_id}"


class Quarantined(TenantOwned):
    """Readings of a device we do not know yet: kept until an agent assigns them."""

    source = models.CharField(_("source"), max_length=20)
    device = models.CharField(_("appareil"), max_length=80)  # a ref or a DevEUI
    received = models.DateTimeField(_("reçu le"), auto_now_add=True)
    payload = models.JSONField(_("message"))
    reason = models.CharField(_("motif"), max_length=200)
    resolved = models.DateTimeField(_("traité le"), null=True, blank=True)
    sensor = models.ForeignKey(
        Sensor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("message en quarantaine")
        verbose_name_plural = _("quarantaine")
        ordering = ["-received", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.device}"


class DeadLetter(TenantOwned):
    """A message of a known collectivité we could not read, kept with its error."""

    source = models.CharField(_("source"), max_length=20)
    topic = models.CharField(_("sujet"), max_length=300, blank=True)
    received = models.DateTimeField(_("reçu le"), auto_now_add=True)
    payload = models.TextField(_("contenu"))
    error = models.CharField(_("erreur"), max_length=300)

    class Meta:
        verbose_name = _("message rejeté")
        verbose_name_plural = _("messages rejetés")
        ordering = ["-received", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.error[:40]}"


class UnroutedMessage(models.Model):
    """A message whose collectivité is unknown: instance-level, never shown to agents.

    Unknown topic, unknown or inactive tenant in a native topic, ChirpStack uplink of a
    device and application nobody registered, or an uplink too broken to say which
    application sent it. Kept (never dropped silently) for the instance operators
    (``territoire sensors unrouted``); ``kind`` tells whether its readings could be
    stored once the device is registered (``quarantine``) or it is unreadable.
    """

    class Kind(models.TextChoices):
        QUARANTINE = "quarantine", _("appareil inconnu")
        DEAD_LETTER = "dead_letter", _("message illisible")

    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=20)
    topic = models.CharField(_("sujet"), max_length=300, blank=True)
    device = models.CharField(_("appareil"), max_length=80, blank=True)
    received = models.DateTimeField(_("reçu le"), auto_now_add=True)
    payload = models.TextField(_("contenu"))
    error = models.CharField(_("erreur"), max_length=300)

    class Meta:
        verbose_name = _("message sans collectivité")
        verbose_name_plural = _("messages sans collectivité")
        ordering = ["-received", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.error[:40]}"


class Condition(models.TextChoices):
    ABOVE = "above", _("au-dessus d'un seuil")
    BELOW = "below", _("en dessous d'un seuil")
    RATE = "rate", _("variation trop rapide (par heure)")
    SILENCE = "silence", _("pas de données")


class AlertRule(TenantOwned):
    """When to raise an alert: for every sensor of a kind, or for one sensor."""

    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("type de capteur"), max_length=20, choices=KIND_CHOICES, blank=True)
    sensor = models.ForeignKey(
        Sensor,
        verbose_name=_("capteur"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
    )
    quantity = models.CharField(_("grandeur"), max_length=16, choices=QUANTITY_CHOICES, blank=True)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    threshold = models.FloatField(_("seuil"), null=True, blank=True)
    minutes = models.PositiveIntegerField(
        _("minutes sans données"),
        null=True,
        blank=True,
        help_text=_("Pour « pas de données » ; vide : trois fois l'intervalle attendu."),
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("équipe à prévenir"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("règle d'alerte")
        verbose_name_plural = _("règles d'alerte")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AlertStatus(models.TextChoices):
    OPEN = "open", _("ouverte")
    ACKNOWLEDGED = "acknowledged", _("prise en compte")
    CLOSED = "closed", _("close")


class AlertQuerySet(TenantQuerySet["Alert"]):
    def unclosed(self) -> Self:
        return self.exclude(status=AlertStatus.CLOSED)


class Alert(TenantOwned):
    rule = models.ForeignKey(
        AlertRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="alerts")
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    quantity = models.CharField(_("grandeur"), max_length=16, blank=True)
    title = models.CharField(_("titre"), max_length=200)
    value = models.FloatField(_("valeur"), null=True, blank=True)
    observed = models.DateTimeField(_("observée le"))
    status = models.CharField(
        _("état"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    opened = models.DateTimeField(_("ouverte le"), auto_now_add=True)
    acknowledged = models.DateTimeField(_("prise en compte le"), null=True, blank=True)
    closed = models.DateTimeField(_("close le"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()  # type: ignore[misc]  # narrows TenantOwned's

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")
        ordering = ["-opened", "-id"]
        constraints = [
            # One live alert per rule and sensor: a flapping value updates it instead of
            # flooding the team (and two ingestion machines cannot both open one).
            models.UniqueConstraint(
                fields=["rule", "sensor"],
                condition=~Q(status="closed"),
                name="sensors_one_live_alert",
            )
        ]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return self.title


class AlertTransition(TenantOwned):
    """Who moved an alert from one state to another, when and why (the alert's tenant)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField(max_length=12)
    target = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    time = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.source} → {self.target}"
