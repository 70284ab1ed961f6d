"""Writes of the sensors module: registry, alert life cycle, quarantine, retention.

Each service is one transaction with its audit entry. Views, the API, the CLI, the
MQTT consumer and the time-series port all go through these functions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from territoire.core import events
from territoire.core.audit import audit_record
from territoire.core.models import District, LocalAuthority, Membership, Service, User
from territoire.core.services import notify
from territoire.sensors.catalog import KINDS, QUANTITIES
from territoire.sensors.models import (
    Alert,
    AlertRule,
    AlertStatus,
    AlertTransition,
    Condition,
    DeviceProfile,
    Quarantined,
    Reading,
    Sensor,
)

# --- Registry ---------------------------------------------------------------------------


@transaction.atomic
def sensor_register(
    *,
    actor: Any,
    tenant: LocalAuthority,
    ref: str,
    kind: str,
    name: str = "",
    quantities: list[str] | None = None,
    lon: float | None = None,
    lat: float | None = None,
    district: District | None = None,
    operator: str = "",
    expected_interval: int = 60,
    dev_eui: str = "",
    profile: DeviceProfile | None = None,
    service: Service | None = None,
    is_public: bool | None = None,
    extra: dict[str, Any] | None = None,
) -> Sensor:
    """Add a sensor to the registry of ``tenant``.

    ``quantities`` default to those of the kind; ``is_public`` to the kind's default
    (air quality, parking, attendance are public); the district is found from the
    position when not given.
    """
    if kind not in KINDS:
        raise ValidationError({"kind": _("Type de capteur inconnu : %(k)s") % {"k": kind}})
    quantities = list(quantities or KINDS[kind].quantities)
    unknown = [q for q in quantities if q not in QUANTITIES]
    if unknown:
        raise ValidationError(
            {"quantities": _("Grandeurs inconnues : %(q)s") % {"q": ", ".join(unknown)}}
        )
    if (lon is None) != (lat is None):
        raise ValidationError({"lat": _("Donnez la longitude et la latitude, ou aucune.")})
    if district is None and lon is not None and lat is not None:
        district = _district_at(tenant, lon, lat)
    sensor = Sensor(
        tenant=tenant,
        ref=ref.strip(),
        name=(name or ref).strip()[:200],
        kind=kind,
        quantities=quantities,
        lon=lon,
        lat=lat,
        district=district,
        operator=operator.strip(),
        expected_interval=expected_interval,
        dev_eui=dev_eui.strip().lower(),
        profile=profile,
        service=service,
        is_public=KINDS[kind].public if is_public is None else is_public,
        extra=extra or {},
    )
    sensor.full_clean()
    sensor.save()
    audit_record(
        actor=actor,
        action="sensors.register",
        tenant=tenant,
        obj=sensor,
        details={"kind": kind, "dev_eui": sensor.dev_eui},
    )
    return sensor


def _district_at(tenant: LocalAuthority, lon: float, lat: float) -> District | None:
    from shapely.geometry import Point, shape

    point = Point(lon, lat)
    for district in District.objects.for_tenant(tenant):
        try:
            if shape(district.geometry).covers(point):
                return district
        except (ValueError, TypeError, AttributeError):
            continue
    return None


@transaction.atomic
def alertrule_create(
    *,
    actor: Any,
    tenant: LocalAuthority,
    name: str,
    condition: str,
    kind: str = "",
    sensor: Sensor | None = None,
    quantity: str = "",
    threshold: float | None = None,
    minutes: int | None = None,
    service: Service | None = None,
) -> AlertRule:
    """A rule for every sensor of ``kind`` or for one ``sensor`` of the tenant."""
    errors: dict[str, str] = {}
    if bool(kind) == bool(sensor):
        errors["kind"] = _("Choisissez un type de capteur ou un capteur (l'un des deux).")
    if sensor is not None and sensor.tenant_id != tenant.pk:
        errors["sensor"] = _("Capteur inconnu.")
    if condition != Condition.SILENCE:
        if not quantity:
            errors["quantity"] = _("Choisissez la grandeur surveillée.")
        if threshold is None:
            errors["threshold"] = _("Indiquez un seuil.")
    if errors:
        raise ValidationError(errors)
    rule = AlertRule(
        tenant=tenant,
        name=name.strip(),
        condition=condition,
        kind=kind,
        sensor=sensor,
        quantity=quantity if condition != Condition.SILENCE else "",
        threshold=threshold,
        minutes=minutes,
        service=service,
    )
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="sensors.rule_create", tenant=tenant, obj=rule)
    return rule


# --- Alerts: an explicit state machine ------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    AlertStatus.OPEN: {AlertStatus.ACKNOWLEDGED, AlertStatus.CLOSED},
    AlertStatus.ACKNOWLEDGED: {AlertStatus.CLOSED},
    AlertStatus.CLOSED: set(),
}

EVENT_KIND = {
    Condition.ABOVE: "threshold",
    Condition.BELOW: "threshold",
    Condition.RATE: "rate",
    Condition.SILENCE: "silence",
}


def alert_url(alert: Alert) -> str:
    return reverse("sensors_staff:alert", kwargs={"tenant": alert.tenant.slug, "pk": alert.pk})


def _team_of(alert: Alert) -> Service | None:
    return (alert.rule.service if alert.rule else None) or alert.sensor.service


def alert_raise(
    *,
    rule: AlertRule,
    sensor: Sensor,
    value: float | None,
    observed: datetime,
    title: str,
) -> Alert | None:
    """Open an alert for ``rule`` on ``sensor``, notify the team, publish the event.

    If one is already open or acknowledged for this rule and sensor, it is updated
    with the latest value instead (no second notification). Returns the new alert,
    or None when an existing one was updated.
    """
    if rule.tenant_id != sensor.tenant_id:
        raise ValueError("a rule only ever watches sensors of its own collectivité")
    live = Alert.objects.unclosed().filter(rule=rule, sensor=sensor).first()
    if live is not None:
        Alert.objects.filter(pk=live.pk).update(value=value, observed=observed)
        return None
    try:
        # The partial unique index settles races between two ingestion machines.
        with transaction.atomic():
            alert = Alert.objects.create(
                tenant_id=sensor.tenant_id,
                rule=rule,
                sensor=sensor,
                condition=rule.condition,
                quantity=rule.quantity,
                title=title[:200],
                value=value,
                observed=observed,
            )
    except IntegrityError:
        return None
    AlertTransition.objects.create(
        tenant_id=alert.tenant_id,
        alert=alert,
        source="",
        target=AlertStatus.OPEN,
        actor_label="système",
        reason=title,
    )
    audit_record(actor="système", action="sensors.alert_raise", tenant=alert.tenant, obj=alert)
    team = _team_of(alert)
    url = alert_url(alert)
    staff = Membership.objects.for_tenant(alert.tenant).active().staff()
    users = (
        User.objects.filter(memberships__in=staff.filter(services=team)).distinct()
        if team
        else None
    )
    if not users:
        # No one in charge: the administrators hear of it rather than no one.
        users = User.objects.filter(memberships__in=staff.filter(role="admin")).distinct()
    for user in users:
        notify(
            tenant=alert.tenant,
            user=user,
            subject=_("Alerte capteur : %(t)s") % {"t": alert.title},
            body=_("Capteur %(ref)s (%(name)s). Observée le %(when)s.")
            % {"ref": sensor.ref, "name": sensor.name, "when": timezone.localtime(observed)},
            url=url,
        )
    events.publish(
        events.SensorAlertRaised(
            tenant_id=alert.tenant_id,
            alert_id=alert.pk,
            kind=EVENT_KIND[Condition(rule.condition)],
            title=alert.title,
            description=f"{sensor.ref} · {sensor.name}",
            lon=sensor.lon,
            lat=sensor.lat,
            service_slug=team.slug if team else "",
            source="sensors",
        )
    )
    return alert


def _transition(alert: Alert, target: str, actor: Any, reason: str) -> Alert:
    # Lock the row: two agents clicking at once must not both move the alert.
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if target not in TRANSITIONS[alert.status]:
        raise ValidationError(
            _("Impossible de passer l'alerte de « %(a)s » à « %(b)s ».")
            % {"a": alert.get_status_display(), "b": AlertStatus(target).label}
        )
    source = alert.status
    alert.status = target
    now = timezone.now()
    if target == AlertStatus.ACKNOWLEDGED:
        alert.acknowledged = now
    if target == AlertStatus.CLOSED:
        alert.closed = now
    alert.save(update_fields=["status", "acknowledged", "closed"])
    is_person = getattr(actor, "is_authenticated", False)
    AlertTransition.objects.create(
        tenant_id=alert.tenant_id,
        alert=alert,
        source=source,
        target=target,
        actor=actor if is_person else None,
        actor_label=actor.email if is_person else str(actor),
        reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        action=f"sensors.alert_{target}",
        tenant=alert.tenant,
        obj=alert,
        details={"from": source, "reason": reason.strip()[:500]},
    )
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: Alert, reason: str = "") -> Alert:
    """An agent takes the alert in hand (open → acknowledged)."""
    return _transition(alert, AlertStatus.ACKNOWLEDGED, actor, reason)


@transaction.atomic
def alert_close(*, actor: Any, alert: Alert, reason: str) -> Alert:
    """Close the alert (from open or acknowledged); a reason is required."""
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez pourquoi l'alerte est close.")})
    return _transition(alert, AlertStatus.CLOSED, actor, reason)


# --- Quarantine ----------------------------------------------------------------------


@transaction.atomic
def quarantine_assign(*, actor: Any, item: Quarantined, sensor: Sensor) -> int:
    """Store a quarantined message's readings as ``sensor``'s; returns how many were new.

    For a LoRaWAN device, the sensor also learns its DevEUI when it had none, so the
    device's next uplinks go straight in.
    """
    from territoire.sensors import mqtt_ingest

    if item.tenant_id != sensor.tenant_id or item.resolved is not None:
        raise ValidationError(_("Ce message ne peut pas être rattaché à ce capteur."))
    if item.source == "chirpstack" and not sensor.dev_eui:
        sensor.dev_eui = item.device.lower()
        sensor.full_clean()
        sensor.save(update_fields=["dev_eui"])
    result = mqtt_ingest.readings_of_quarantined(item, sensor)
    item.resolved = timezone.now()
    item.sensor = sensor
    item.save(update_fields=["resolved", "sensor"])
    audit_record(
        actor=actor,
        action="sensors.quarantine_assign",
        tenant=sensor.tenant,
        obj=sensor,
        details={"quarantined": item.pk, "accepted": result.accepted, "rejected": result.rejected},
    )
    return result.accepted


# --- Retention -----------------------------------------------------------------------


@transaction.atomic
def readings_purge(*, actor: Any, now: datetime | None = None) -> int:
    """Delete raw readings older than the retention period (aggregates are kept)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SENSORS_RAW_RETENTION_DAYS)
    # Sensor by sensor (500 at a time): the primary key (sensor, quantity, time) serves
    # each range, so the readings table needs no index on time alone.
    deleted = 0
    sensor_ids = list(Sensor.objects.order_by("pk").values_list("pk", flat=True))
    for first in range(0, len(sensor_ids), 500):
        chunk = sensor_ids[first : first + 500]
        count, _detail = Reading.objects.filter(sensor_id__in=chunk, time__lt=cutoff).delete()
        deleted += count
    audit_record(
        actor=actor,
        action="sensors.purge",
        tenant=None,
        details={"before": cutoff.isoformat(), "deleted": deleted},
    )
    return deleted
