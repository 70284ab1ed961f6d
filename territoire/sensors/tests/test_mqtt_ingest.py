"""MQTT message processing (ChirpStack v4 and native topics), without a broker."""

import json
from typing import Any

import pytest
from django.utils import timezone

from territoire.sensors.models import (
    DeadLetter,
    LorawanApplication,
    MessageReceipt,
    Quarantined,
    Reading,
    Sensor,
    UnroutedMessage,
)
from territoire.sensors.mqtt_ingest import process_batch
from territoire.sensors.services import quarantine_assign
from territoire.sensors.tests.factories import DeviceProfileFactory, SensorFactory, fixture

APP = "5f3c2a8e-0b7d-4e61-9a40-2c1d7e9b6a10"


def chirp(name: str, **changes: Any) -> tuple[str, bytes]:
    body = fixture(name)
    body.update(changes)
    eui = body["deviceInfo"]["devEui"]
    return f"application/{APP}/device/{eui}/event/up", json.dumps(body).encode()


@pytest.fixture
def meter(tenant: Any) -> Sensor:
    profile = DeviceProfileFactory(tenant=tenant, decoder="water_meter_v1")
    return SensorFactory(
        tenant=tenant,
        ref="EAU-01",
        kind="water_flow",
        quantities=["flow", "pressure"],
        dev_eui="70b3d5e75e000001",
        profile=profile,
    )


@pytest.fixture(autouse=True)
def _recent_fixture_times(settings: Any) -> None:
    settings.SENSORS_MAX_BACKFILL_DAYS = 100_000  # recorded payloads are from 2026-11-20
    settings.SENSORS_RAW_RETENTION_DAYS = 100_000


def test_chirpstack_uplink_decoded_with_the_profile(meter: Sensor) -> None:
    outcome = process_batch([chirp("water_meter_uplink.json")])
    assert outcome.stored == 2
    stored = dict(Reading.objects.filter(sensor=meter).values_list("quantity", "value"))
    assert stored == {"flow": 12.34, "pressure": 4.21}
    assert (
        Reading.objects.filter(sensor=meter)
        .first()
        .time.isoformat()
        .startswith("2026-11-20T07:15:02.384512")
    )


def test_same_deduplication_id_is_stored_once(meter: Sensor) -> None:
    message = chirp("water_meter_uplink.json")
    process_batch([message, message])
    outcome = process_batch([message])
    assert outcome.stored == 0 and outcome.duplicates == 1
    assert Reading.objects.filter(sensor=meter).count() == 2


def test_network_server_object_is_used_without_a_profile(tenant: Any) -> None:
    sensor = SensorFactory(tenant=tenant, kind="indoor_climate", dev_eui="70b3d5e75e000003")
    process_batch([chirp("indoor_climate_uplink_decoded.json")])
    stored = dict(Reading.objects.filter(sensor=sensor).values_list("quantity", "value"))
    # "humidity" is not one of our quantity codes: ignored, the rest is stored.
    assert stored == {"temperature": 21.0, "co2": 952.0, "occupancy": 18.0}


def test_nanosecond_timestamps_are_read(tenant: Any) -> None:
    profile = DeviceProfileFactory(tenant=tenant, decoder="fill_level_v1")
    sensor = SensorFactory(
        tenant=tenant, kind="waste_fill", dev_eui="70b3d5e75e000002", profile=profile
    )
    assert process_batch([chirp("fill_level_uplink.json")]).stored == 1
    assert Reading.objects.get(sensor=sensor).value == 62.5


def test_unknown_device_goes_to_its_tenants_quarantine_then_can_be_assigned(
    tenant: Any, agent: Any
) -> None:
    LorawanApplication.objects.create(tenant=tenant, application_id=APP)
    profile = DeviceProfileFactory(tenant=tenant, decoder="fill_level_v1")
    outcome = process_batch([chirp("unknown_device_uplink.json")])
    assert outcome.quarantined == 1
    item = Quarantined.objects.get()
    assert (item.tenant, item.device, item.source) == (tenant, "70b3d5e75e00ffff", "chirpstack")
    sensor = SensorFactory(tenant=tenant, kind="waste_fill", profile=profile)
    assert quarantine_assign(actor=agent, item=item, sensor=sensor) == 1
    sensor.refresh_from_db()
    assert sensor.dev_eui == "70b3d5e75e00ffff"  # the device is now recognised
    item.refresh_from_db()
    assert item.resolved is not None and item.sensor == sensor
    # Its next uplink goes straight in.
    nxt = chirp(
        "unknown_device_uplink.json", deduplicationId="next-one", time="2026-11-20T11:00:00Z"
    )
    assert process_batch([nxt]).stored == 1


def test_unknown_application_is_kept_apart_from_every_tenant(tenant: Any) -> None:
    outcome = process_batch([chirp("unknown_device_uplink.json")])
    assert outcome.quarantined == 1 and outcome.unrouted == 1
    assert not Quarantined.objects.exists()  # no collectivité's agents see it
    kept = UnroutedMessage.objects.get()
    assert (kept.kind, kept.device) == ("quarantine", "70b3d5e75e00ffff")
    assert json.loads(kept.payload)["deduplicationId"]  # the whole message is kept
    assert MessageReceipt.objects.get().tenant is None


def test_receipts_carry_the_tenant_of_the_device(meter: Sensor, tenant: Any) -> None:
    process_batch([chirp("water_meter_uplink.json")])
    assert MessageReceipt.objects.get().tenant == tenant
    assert set(Reading.objects.values_list("tenant", flat=True)) == {tenant.pk}


def test_malformed_messages_are_dead_letters_with_their_error(meter: Sensor, tenant: Any) -> None:
    slug = tenant.slug
    outcome = process_batch(
        [
            chirp("bad_base64_uplink.json"),
            (f"application/{APP}/device/70b3d5e75e000001/event/up", b"{oops"),
            (f"application/{APP}/device/70b3d5e75e000001/event/up", b'{"deviceInfo": {}}'),
            (f"territoire/{slug}/sensors/EAU-01/up", b"\xff\xfe"),
            (f"territoire/{slug}/sensors/EAU-01/up", b'{"values": [1]}'),
            (f"territoire/{slug}/sensors/EAU-01/up", b'{"time": "x", "values": {"flow": 1}}'),
            (f"territoire/{slug}/sensors/EAU-01/up", b"x" * (65 * 1024)),
            ("some/other/topic", b"{}"),
        ]
    )
    assert outcome.dead_letters == 8 and outcome.stored == 0
    by_payload = {d.payload[:40]: d.error for d in DeadLetter.objects.all()}
    by_payload |= {u.payload[:40]: u.error for u in UnroutedMessage.objects.all()}
    assert "base64" in by_payload[json.dumps(fixture("bad_base64_uplink.json"))[:40]]
    assert by_payload["{oops"].startswith("malformed JSON")
    assert "deduplicationId" in by_payload['{"deviceInfo": {}}']
    assert by_payload["\ufffd\ufffd"].startswith("malformed JSON")
    assert by_payload['{"values": [1]}'].startswith("expected")
    assert "invalid_time" in by_payload['{"time": "x", "values": {"flow": 1}}']
    assert by_payload["x" * 40].startswith("message too large")
    assert by_payload["{}"] == "unknown topic"
    # Messages on a tenant's own topic land in that tenant's list; the others (the
    # application is not registered here) are kept apart from every tenant.
    assert DeadLetter.objects.filter(tenant=tenant).count() == 4
    assert UnroutedMessage.objects.filter(kind="dead_letter").count() == 4


def test_unreadable_uplinks_of_a_registered_application_reach_its_tenant(
    tenant: Any, other_tenant: Any
) -> None:
    LorawanApplication.objects.create(tenant=tenant, application_id=APP)
    topic = f"application/{APP}/device/70b3d5e75e000001/event/up"
    outcome = process_batch([(topic, b"{oops"), (topic, b'{"deviceInfo": {}}')])
    assert outcome.dead_letters == 2 and outcome.unrouted == 0
    assert DeadLetter.objects.filter(tenant=tenant).count() == 2
    assert not DeadLetter.objects.filter(tenant=other_tenant).exists()


def test_native_topic(meter: Sensor, tenant: Any, other_tenant: Any) -> None:
    now = timezone.now().isoformat()
    body = json.dumps({"time": now, "values": {"flow": 3.5, "pressure": 99}}).encode()
    outcome = process_batch(
        [
            (f"territoire/{tenant.slug}/sensors/EAU-01/up", body),
            (f"territoire/{tenant.slug}/sensors/EAU-01/up", body),  # redelivered
            (f"territoire/{other_tenant.slug}/sensors/EAU-01/up", body),  # not theirs
            ("territoire/no-such-town/sensors/EAU-01/up", body),
        ]
    )
    assert outcome.stored == 1  # pressure 99 bar is outside the physical range
    assert outcome.duplicates == 1
    assert Reading.objects.get(sensor=meter).value == 3.5
    # Each message received is accounted for, the redelivered one too.
    refused = DeadLetter.objects.filter(tenant=tenant)
    assert refused.count() == 2
    assert all("pressure: out_of_range" in d.error for d in refused)
    quarantined = Quarantined.objects.get()
    assert (quarantined.tenant, quarantined.device) == (other_tenant, "EAU-01")
    assert UnroutedMessage.objects.filter(error__contains="unknown tenant").count() == 1
