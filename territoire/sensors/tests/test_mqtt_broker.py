"""Against the real Mosquitto (127.0.0.1:1883): storage, crash safety, shared groups.

Every test uses its own topic prefix and client ids, so parallel runs (SQLite and
PostgreSQL, several developers) never see each other's messages.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from conftest import require_service
from territoire.sensors.models import Reading, Sensor
from territoire.sensors.mqtt_consumer import Consumer, Pending
from territoire.sensors.tests.factories import DeviceProfileFactory, SensorFactory, fixture

pytestmark = pytest.mark.mqtt
BROKER = "mqtt://127.0.0.1:1883"


class SimulatedCrash(Exception):
    pass


@pytest.fixture
def run_id() -> Iterator[str]:
    require_service("Mosquitto", "127.0.0.1", 1883)
    run = uuid.uuid4().hex[:12]
    yield run
    # Drop the persistent sessions this test left on the broker.
    for suffix in ("a", "b", "g1", "g2"):
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=f"test-{run}-{suffix}",
            protocol=mqtt.MQTTv5,
        )
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 0
        client.connect("127.0.0.1", 1883, clean_start=True, properties=props)
        client.loop(timeout=0.2)
        client.disconnect()


def publisher() -> mqtt.Client:
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    return client


def publish_all(messages: list[tuple[str, bytes]]) -> None:
    client = publisher()
    infos = [client.publish(topic, payload, qos=1) for topic, payload in messages]
    for info in infos:
        info.wait_for_publish(timeout=10)
    client.loop_stop()
    client.disconnect()


def consumer(run: str, suffix: str, **kw: Any) -> Consumer:
    c = Consumer(broker=BROKER, client_id=f"test-{run}-{suffix}", topic_prefix=f"{run}/", **kw)
    c.connect()
    wait_for(c, lambda: c.subscribed, "subscription")
    return c


def wait_for(
    c: Consumer | list[Consumer], done: Callable[[], bool], what: str, limit: float = 20
) -> None:
    consumers = c if isinstance(c, list) else [c]
    deadline = time.monotonic() + limit
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        for one in consumers:
            one.poll(timeout=0.05)


def native(run: str, slug: str, ref: str, n: int) -> list[tuple[str, bytes]]:
    start = timezone.now() - timedelta(hours=n)
    return [
        (
            f"{run}/territoire/{slug}/sensors/{ref}/up",
            json.dumps(
                {
                    "time": (start + timedelta(minutes=i)).isoformat(),
                    "values": {"count": float(i % 50)},
                }
            ).encode(),
        )
        for i in range(n)
    ]


def test_native_and_chirpstack_messages_are_stored(run_id: str, tenant: Any, settings: Any) -> None:
    settings.SENSORS_MAX_BACKFILL_DAYS = 100_000  # the recorded uplink is from 2026-11-20
    settings.SENSORS_RAW_RETENTION_DAYS = 100_000
    counter = SensorFactory(tenant=tenant, ref="PISC-01", kind="people_counter")
    profile = DeviceProfileFactory(tenant=tenant, decoder="water_meter_v1")
    meter = SensorFactory(
        tenant=tenant,
        ref="EAU-01",
        kind="water_flow",
        quantities=["flow", "pressure"],
        dev_eui="70b3d5e75e000001",
        profile=profile,
    )
    c = consumer(run_id, "a")
    uplink = fixture("water_meter_uplink.json")
    app = uplink["deviceInfo"]["applicationId"]
    publish_all(
        [
            *native(run_id, tenant.slug, "PISC-01", 5),
            (
                f"{run_id}/application/{app}/device/70b3d5e75e000001/event/up",
                json.dumps(uplink).encode(),
            ),
        ]
    )
    wait_for(c, lambda: c.stats.messages == 6, "6 messages")
    c.stop()
    assert Reading.objects.filter(sensor=counter).count() == 5
    assert dict(Reading.objects.filter(sensor=meter).values_list("quantity", "value")) == {
        "flow": 12.34,
        "pressure": 4.21,
    }


def test_consumer_killed_mid_stream_loses_nothing_and_stores_nothing_twice(
    run_id: str, tenant: Any
) -> None:
    sensor: Sensor = SensorFactory(tenant=tenant, ref="PISC-01", kind="people_counter")
    messages = native(run_id, tenant.slug, "PISC-01", 400)
    first, second = messages[:250], messages[250:]

    batches = 0

    def crash_after_third_batch(batch: list[Pending]) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            # The batch is committed, its acknowledgements are not sent: the worst
            # moment to die.
            raise SimulatedCrash

    a = consumer(run_id, "a", batch_size=10, after_commit=crash_after_third_batch)
    publish_all(first)
    with pytest.raises(SimulatedCrash):
        wait_for(a, lambda: False, "the crash")
    committed_before_crash = Reading.objects.filter(sensor=sensor).count()
    assert 0 < committed_before_crash < 250
    # Kill -9: the TCP connection drops without an MQTT DISCONNECT, in-memory
    # messages are gone.
    a.client.socket().close()
    del a
    # The stream goes on while no consumer runs: the broker keeps it for the session.
    publish_all(second)

    b = consumer(run_id, "a", batch_size=50)  # same client id, so the same session
    wait_for(b, lambda: Reading.objects.filter(sensor=sensor).count() >= 400, "all readings")
    # Give the broker a moment to deliver anything left, then check nothing more came.
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        b.poll(timeout=0.05)
    b.stop()
    stored = list(
        Reading.objects.filter(sensor=sensor).order_by("time").values_list("time", flat=True)
    )
    assert len(stored) == 400 == len(set(stored))
    # The committed-but-unacknowledged batch was redelivered and recognised.
    assert b.stats.duplicates >= 10


def test_shared_group_spreads_the_load(run_id: str, tenant: Any) -> None:
    sensor = SensorFactory(tenant=tenant, ref="PISC-01", kind="people_counter")
    group = f"g{run_id}"
    one = consumer(run_id, "g1", shared_group=group)
    two = consumer(run_id, "g2", shared_group=group)
    publish_all(native(run_id, tenant.slug, "PISC-01", 60))
    wait_for([one, two], lambda: one.stats.messages + two.stats.messages >= 60, "60 messages")
    one.stop()
    two.stop()
    assert Reading.objects.filter(sensor=sensor).count() == 60
    assert one.stats.messages > 0 and two.stats.messages > 0
    assert one.stats.messages + two.stats.messages == 60
