"""The MQTT consumer behind ``territoire sensors mqtt``: at-least-once in, exactly-once stored.

- QoS 1 subscriptions on a persistent MQTT 5 session (``clean_start=False`` and a
  session expiry): while the consumer is stopped, the broker keeps its messages.
- ``manual_ack``: a message is acknowledged only after the transaction holding its
  readings has committed. If the process dies in between, the broker redelivers the
  message and the unique constraints make the second storage a no-op (counted as a
  duplicate), so nothing is lost and nothing is stored twice.
- Messages are stored in batches (one transaction for up to ``batch_size`` messages,
  a handful of queries per batch), which is what makes the throughput.
- ``--shared-group NAME`` subscribes with ``$share/NAME/…``: the broker spreads the
  messages over every consumer of the group (several machines share the load). Each
  consumer still needs its own client id (and so its own persistent session).

The network loop runs in the calling thread (``client.loop``), so processing, database
access and acknowledgements happen in one thread, in order (MQTT requires PUBACKs in
the order the messages arrived).
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.db import close_old_connections, transaction
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from territoire.sensors.alerts import RuleCache
from territoire.sensors.mqtt_ingest import SUBSCRIPTIONS, BatchOutcome, process_batch

logger = logging.getLogger(__name__)

SESSION_EXPIRY = 7 * 24 * 3600  # seconds the broker keeps our session while we are away


@dataclass
class Pending:
    mid: int
    qos: int
    topic: str
    payload: bytes


@dataclass
class Stats:
    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    dead_letters: int = 0
    batches: int = 0

    def add(self, n: int, outcome: BatchOutcome) -> None:
        self.messages += n
        self.stored += outcome.stored
        self.duplicates += outcome.duplicates
        self.quarantined += outcome.quarantined
        self.dead_letters += outcome.dead_letters
        self.batches += 1


def parse_broker(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    if parsed.scheme != "mqtt" or not parsed.hostname:
        raise ValueError("the broker is given as mqtt://HOST:PORT")
    return parsed.hostname, parsed.port or 1883


@dataclass
class Consumer:
    broker: str
    client_id: str = field(default_factory=lambda: f"territoire-sensors-{socket.gethostname()}")
    shared_group: str = ""
    topic_prefix: str = ""  # e.g. "tenantA/" when several instances share a broker
    batch_size: int = 1000  # as many as the broker may send unacknowledged (ReceiveMaximum)
    linger: float = 0.05  # seconds a partial batch may wait for more messages
    stats: Stats = field(default_factory=Stats)
    # Test hook: called after a batch commits and before it is acknowledged.
    after_commit: Callable[[list[Pending]], None] | None = None

    def __post_init__(self) -> None:
        self.host, self.port = parse_broker(self.broker)
        self._pending: list[Pending] = []
        self._rules = RuleCache(ttl=30.0)
        self.connected = False
        self.subscribed = False
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        # Let the broker send us many unacknowledged messages at once (batching);
        # brokers cap it with their own setting (Mosquitto: max_inflight_messages).
        self.client.max_inflight_messages_set(1000)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    # --- MQTT callbacks ------------------------------------------------------------
    def topics(self) -> list[str]:
        share = f"$share/{self.shared_group}/" if self.shared_group else ""
        return [f"{share}{self.topic_prefix}{t}" for t in SUBSCRIPTIONS]

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: object,
        reason: object,
        properties: object,
    ) -> None:
        if getattr(reason, "is_failure", False):
            logger.error("MQTT connection refused: %s", reason)
            return
        self.connected = True
        client.subscribe([(t, SubscribeOptions(qos=1)) for t in self.topics()])
        logger.info("MQTT connected to %s:%s as %s", self.host, self.port, self.client_id)

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reasons: list[Any],
        properties: object,
    ) -> None:
        failed = [r for r in reasons if getattr(r, "is_failure", False)]
        if failed:
            logger.error("MQTT subscription refused: %s", failed)
        self.subscribed = not failed
        if self.subscribed:
            logger.info("MQTT subscribed to %s", ", ".join(self.topics()))

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: object,
        reason: object,
        properties: object,
    ) -> None:
        self.connected = False
        self.subscribed = False
        # Messages received but not acknowledged will be redelivered by the broker
        # on the next connection: drop them here rather than ack on a new session.
        self._pending.clear()
        logger.warning("MQTT disconnected: %s", reason)

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        topic = msg.topic
        if self.topic_prefix and topic.startswith(self.topic_prefix):
            topic = topic[len(self.topic_prefix) :]
        self._pending.append(Pending(msg.mid, msg.qos, topic, bytes(msg.payload)))

    # --- Life cycle -----------------------------------------------------------------
    def connect(self) -> None:
        # Message ids are only valid on the connection that delivered them: whatever
        # was received and not acknowledged before will be redelivered on this one.
        self._pending.clear()
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY
        props.ReceiveMaximum = 1000
        self.client.connect(self.host, self.port, keepalive=30, clean_start=False, properties=props)

    def poll(self, timeout: float = 0.05) -> int:
        """Run the network loop once, then store and acknowledge what arrived."""
        rc = self.client.loop(timeout=timeout)
        if rc != mqtt.MQTT_ERR_SUCCESS:
            self.connected = False
            self._pending.clear()
            return 0
        # Gather a batch: drain what is buffered on the socket (one non-blocking read of
        # many packets; ``loop`` reads about one per call), and while messages keep
        # arriving wait for more, up to ``linger`` seconds. A batch's cost is mostly
        # fixed (a transaction, a few queries), so fuller batches make the throughput;
        # when the flow pauses (nothing new within a few milliseconds) the batch goes.
        deadline = time.monotonic() + self.linger
        while len(self._pending) < self.batch_size:
            before = len(self._pending)
            rc = self.client.loop_read(max_packets=self.batch_size - before)
            if rc != mqtt.MQTT_ERR_SUCCESS:
                self.connected = False
                self._pending.clear()
                return 0
            if len(self._pending) > before:
                continue
            remaining = deadline - time.monotonic()
            if not self._pending or remaining <= 0:
                break
            # Also sends the previous batch's acknowledgements, which lets the broker
            # send the next messages.
            if self.client.loop(timeout=min(remaining, 0.005)) != mqtt.MQTT_ERR_SUCCESS:
                self.connected = False
                self._pending.clear()
                return 0
            if len(self._pending) == before:
                break  # the flow paused
        return self.flush()

    def flush(self) -> int:
        if not self._pending:
            return 0
        batch, self._pending = self._pending[: self.batch_size], self._pending[self.batch_size :]
        with transaction.atomic():
            outcome = process_batch(
                [(p.topic, p.payload) for p in batch], rules=self._rules.current()
            )
        self.stats.add(len(batch), outcome)
        if self.after_commit is not None:
            self.after_commit(batch)
        for p in batch:
            self.client.ack(p.mid, p.qos)
        return len(batch)

    def run(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Consume until ``stop()`` is true; reconnects and retries on failures."""
        delay = 1.0
        while not stop():
            try:
                if not self.connected:
                    self.connect()
                    self.client.loop(timeout=1.0)
                self.poll(timeout=0.2)
                delay = 1.0
            except (OSError, mqtt.WebsocketConnectionError) as exc:
                logger.warning("MQTT broker unreachable (%s); retrying in %.0f s", exc, delay)
                self.connected = False
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
            except Exception:
                # The database failed: nothing of this batch was acknowledged. Drop the
                # connection so the broker redelivers it, then start again.
                logger.exception("could not store a batch; reconnecting to get it again")
                close_old_connections()
                self._pending.clear()
                self.client.disconnect()
                self.connected = False
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
        self.stop()

    def stop(self) -> None:
        """Store and acknowledge what was received, then leave (the session stays)."""
        if self.connected:
            self.flush()
            self.client.loop(timeout=0.1)
            self.client.disconnect()
            self.connected = False
