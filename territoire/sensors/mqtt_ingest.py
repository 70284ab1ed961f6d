"""From MQTT messages to stored readings, a batch at a time (the consumer's business part).

Topics:

- ``application/{id}/device/{devEui}/event/up``: ChirpStack v4 uplinks;
- ``territoire/{tenant}/sensors/{REF}/up``: ``{"time": ISO8601, "values": {CODE: NUMBER}}``.

Every message ends in exactly one place: stored readings (or recognised duplicates), the
quarantine (device unknown), or the dead-letter list (unreadable message, or values
refused, with the reason). A batch is processed in the caller's transaction, with a
handful of queries whatever its size, and the consumer acknowledges its messages
only after that transaction commits.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.db import connection
from django.utils import timezone

from territoire.core.models import LocalAuthority
from territoire.sensors import decoders
from territoire.sensors.catalog import QUANTITIES
from territoire.sensors.ingestion import (
    Candidate,
    IngestResult,
    SensorRef,
    TimeParser,
    candidates_for,
    sensor_refs,
    store,
)
from territoire.sensors.integrations.chirpstack.uplink import (
    TOPIC as CHIRPSTACK_TOPIC,
)
from territoire.sensors.integrations.chirpstack.uplink import (
    Uplink,
    UplinkError,
    parse_uplink,
)
from territoire.sensors.models import (
    DeadLetter,
    LorawanApplication,
    Quarantined,
    Sensor,
    UnroutedMessage,
)

NATIVE_TOPIC = re.compile(r"^territoire/(?P<tenant>[a-z0-9-]+)/sensors/(?P<ref>[^/]+)/up$")
SUBSCRIPTIONS = ("application/+/device/+/event/up", "territoire/+/sensors/+/up")
MAX_PAYLOAD = 64 * 1024
CLAIM_RECEIPTS = (
    "INSERT INTO sensors_messagereceipt (source, message_id, received, tenant_id) VALUES {rows}"
    " ON CONFLICT (source, message_id) DO NOTHING RETURNING message_id"
)


@dataclass
class BatchOutcome:
    stored: int = 0  # readings newly stored
    duplicates: int = 0  # readings (or whole ChirpStack messages) already stored
    quarantined: int = 0
    dead_letters: int = 0
    unrouted: int = 0  # of which without a collectivité (quarantined or dead letters)
    messages: Counter[str] = field(default_factory=Counter)


def _json(payload: bytes) -> Any:
    """Strict JSON (NaN and Infinity refused), UTF-8 checked; raises ValueError."""
    return orjson.loads(payload)


@dataclass
class _Parsed:
    kind: str  # "native" | "chirpstack"
    topic: str
    raw: bytes
    body: Any = None
    tenant_slug: str = ""
    ref: str = ""
    uplink: Uplink | None = None
    app_id: str = ""  # ChirpStack application id from the topic
    error: str = ""  # why a ChirpStack message is unreadable (routed to its tenant first)


def process_batch(
    messages: list[tuple[str, bytes]], now: datetime | None = None, rules: Any = None
) -> BatchOutcome:
    """Store a batch of (topic, payload) messages. Run it inside a transaction.

    ``rules``: the alert rules (``alerts.RuleSet``) when the caller caches them.
    Every row written carries the collectivité the message was routed to: the tenant of
    the native topic, the tenant of the device (DevEUI) or of its LoRaWAN application;
    a message routed to none is an :class:`UnroutedMessage`.
    """
    now = now or timezone.now()
    parse = TimeParser(now)
    outcome = BatchOutcome()
    dead: list[DeadLetter] = []
    quarantine: list[Quarantined] = []
    unrouted: list[UnroutedMessage] = []
    parsed: list[_Parsed] = []

    def dead_letter(topic: str, raw: bytes, error: str, tenant_id: int | None) -> None:
        text = raw[:MAX_PAYLOAD].decode("utf-8", "replace")
        if tenant_id is None:
            unrouted.append(
                UnroutedMessage(
                    kind=UnroutedMessage.Kind.DEAD_LETTER,
                    source="mqtt",
                    topic=topic[:300],
                    payload=text,
                    error=error[:300],
                )
            )
            return
        dead.append(
            DeadLetter(
                tenant_id=tenant_id,
                source="mqtt",
                topic=topic[:300],
                payload=text,
                error=error[:300],
            )
        )

    # Route by topic first, looking everything up at once (a few queries per batch).
    routed = [(t, raw, NATIVE_TOPIC.match(t), CHIRPSTACK_TOPIC.match(t)) for t, raw in messages]
    slugs = {native["tenant"] for _t, _r, native, _c in routed if native}
    tenants = {t.slug: t for t in LocalAuthority.objects.filter(slug__in=slugs, is_active=True)}
    topic_apps = {chirp["app"] for _t, _r, _n, chirp in routed if chirp}

    for topic, raw, native, chirp in routed:
        # Unreadable messages of a known tenant's topic go to that tenant's list; those
        # of a ChirpStack application wait for the application lookup below.
        owner = tenants[native["tenant"]].pk if native and native["tenant"] in tenants else None
        if chirp:
            parsed.append(_Parsed("chirpstack", topic, raw, app_id=chirp["app"]))
        if len(raw) > MAX_PAYLOAD:
            error = f"message too large ({len(raw)} bytes)"
        elif not native and not chirp:
            error = "unknown topic"
        else:
            error = ""
        if error:
            if chirp:
                parsed[-1].error = error
            else:
                dead_letter(topic, raw, error, owner)
            continue
        try:
            body = _json(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            if chirp:
                parsed[-1].error = f"malformed JSON: {exc}"
            else:
                dead_letter(topic, raw, f"malformed JSON: {exc}", owner)
            continue
        if native:
            parsed.append(_Parsed("native", topic, raw, body, native["tenant"], native["ref"]))
            continue
        parsed[-1].body = body
        try:
            parsed[-1].uplink = parse_uplink(body)
        except UplinkError as exc:
            parsed[-1].error = f"invalid ChirpStack uplink: {exc}"

    # Native messages need only what validation needs (no model instances): one light
    # query per tenant present in the batch.
    refs_by_tenant: dict[int, set[str]] = {}
    for p in parsed:
        if p.tenant_slug in tenants:
            refs_by_tenant.setdefault(tenants[p.tenant_slug].pk, set()).add(p.ref)
    by_ref: dict[tuple[int, str], SensorRef] = {
        (tenant_id, ref): found
        for tenant_id, refs in refs_by_tenant.items()
        for ref, found in sensor_refs(tenant_id, sorted(refs)).items()
    }
    euis = {p.uplink.dev_eui for p in parsed if p.uplink}
    by_eui = {
        s.dev_eui: s for s in Sensor.objects.filter(dev_eui__in=euis).select_related("profile")
    }
    apps = topic_apps | {p.uplink.application_id for p in parsed if p.uplink}
    app_tenant: dict[str, int] = dict(
        LorawanApplication.objects.filter(application_id__in=apps).values_list(
            "application_id", "tenant_id"
        )
    )

    def uplink_tenant(p: _Parsed) -> int | None:
        """The device's collectivité, else its application's (deviceInfo, then topic)."""
        if p.uplink is not None:
            sensor = by_eui.get(p.uplink.dev_eui)
            if sensor is not None:
                return sensor.tenant_id
            if p.uplink.application_id in app_tenant:
                return app_tenant[p.uplink.application_id]
        return app_tenant.get(p.app_id)

    fresh_ids = _claim_receipts(
        {p.uplink.deduplication_id: uplink_tenant(p) for p in parsed if p.uplink}
    )

    candidates: list[Candidate] = []
    for p in parsed:
        result = IngestResult()
        if p.kind == "native":
            tenant = tenants.get(p.tenant_slug)
            if tenant is None:
                dead_letter(p.topic, p.raw, f"unknown tenant {p.tenant_slug!r}", None)
                continue
            body = p.body
            if not isinstance(body, dict) or not isinstance(body.get("values"), dict):
                dead_letter(p.topic, p.raw, 'expected {"time": …, "values": {…}}', tenant.pk)
                continue
            sensor: Sensor | SensorRef | None = by_ref.get((tenant.pk, p.ref))
            if sensor is None:
                quarantine.append(
                    Quarantined(
                        tenant=tenant,
                        source="mqtt",
                        device=p.ref[:80],
                        payload=body,
                        reason="unknown sensor",
                    )
                )
                continue
            values, when = body["values"], body.get("time")
        else:
            if p.uplink is None:
                dead_letter(p.topic, p.raw, p.error, uplink_tenant(p))
                continue
            uplink = p.uplink
            if uplink.deduplication_id not in fresh_ids:
                outcome.duplicates += 1
                outcome.messages["duplicate"] += 1
                continue
            found_sensor = by_eui.get(uplink.dev_eui)
            if found_sensor is None:
                owner = uplink_tenant(p)
                if owner is None:
                    unrouted.append(
                        UnroutedMessage(
                            kind=UnroutedMessage.Kind.QUARANTINE,
                            source="chirpstack",
                            topic=p.topic[:300],
                            device=uplink.dev_eui,
                            payload=p.raw.decode("utf-8", "replace"),
                            error="unknown DevEUI and LoRaWAN application",
                        )
                    )
                else:
                    quarantine.append(
                        Quarantined(
                            tenant_id=owner,
                            source="chirpstack",
                            device=uplink.dev_eui,
                            payload=p.body,
                            reason="unknown DevEUI",
                        )
                    )
                continue
            sensor = found_sensor
            try:
                values = uplink_values(sensor, uplink)
            except decoders.DecodeError as exc:
                dead_letter(p.topic, p.raw, f"cannot decode payload: {exc}", sensor.tenant_id)
                continue
            when = uplink.time or now.isoformat()
        found = candidates_for(sensor, 0, when, values, parse, result)
        if result.errors:
            reasons = ", ".join(f"{e.quantity or '-'}: {e.reason}" for e in result.errors)
            dead_letter(p.topic, p.raw, f"refused values ({reasons})", sensor.tenant_id)
        candidates.extend(found)
        outcome.messages["readings"] += 1

    stored = store(candidates, rules=rules)
    outcome.stored = stored.accepted
    outcome.duplicates += stored.duplicates
    if dead:
        DeadLetter.objects.bulk_create(dead)
    if quarantine:
        Quarantined.objects.bulk_create(quarantine)
    if unrouted:
        UnroutedMessage.objects.bulk_create(unrouted)
    outcome.dead_letters = len(dead) + sum(
        1 for u in unrouted if u.kind == UnroutedMessage.Kind.DEAD_LETTER
    )
    outcome.quarantined = len(quarantine) + sum(
        1 for u in unrouted if u.kind == UnroutedMessage.Kind.QUARANTINE
    )
    outcome.unrouted = len(unrouted)
    return outcome


def uplink_values(sensor: Sensor, uplink: Uplink) -> dict[str, Any]:
    """Our decoder when the sensor's profile has one, else the network server's object."""
    if sensor.profile is not None and uplink.data is not None:
        return decoders.decode(sensor.profile.decoder, uplink.data, sensor.profile.params)
    if uplink.object:
        values = {k: v for k, v in uplink.object.items() if k in QUANTITIES}
        if values:
            return values
    raise decoders.DecodeError("no decoder for this device and no decoded object")


def _claim_receipts(ids: dict[str, int | None]) -> set[str]:
    """Record ChirpStack deduplication ids (with their tenant); returns those never seen."""
    if not ids:
        return set()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            CLAIM_RECEIPTS.format(rows=",".join(["(%s,%s,%s,%s)"] * len(ids))),
            [v for mid in sorted(ids) for v in ("chirpstack", mid, now, ids[mid])],
        )
        return {row[0] for row in cursor.fetchall()}


def readings_of_quarantined(item: Quarantined, sensor: Sensor) -> IngestResult:
    """Store the readings a quarantined message carries, as ``sensor``'s."""
    result = IngestResult(items=1)
    now = timezone.now()
    body = item.payload
    try:
        if item.source == "chirpstack":
            uplink = parse_uplink(body)
            values = uplink_values(sensor, uplink)
            when: Any = uplink.time or item.received.isoformat()
        else:
            values, when = body.get("values") or {}, body.get("time")
    except (UplinkError, decoders.DecodeError, AttributeError) as exc:
        DeadLetter.objects.create(
            tenant_id=sensor.tenant_id,
            source=item.source,
            payload=json.dumps(body)[:MAX_PAYLOAD],
            error=f"quarantined message unreadable: {exc}"[:300],
        )
        result.reject(0, "invalid_item")
        return result
    return store(candidates_for(sensor, 0, when, values, TimeParser(now), result), result)
