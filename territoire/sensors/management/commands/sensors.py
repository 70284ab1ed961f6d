"""``territoire sensors …``: MQTT consumer, registry and export for operators, upkeep.

territoire sensors mqtt --broker mqtt://HOST:PORT [--shared-group NAME]
territoire sensors register --tenant SLUG --ref REF --kind KIND [--dev-eui EUI]
                            [--name NAME] [--lat LAT --lon LON]
territoire sensors export --tenant SLUG --ref REF --format csv
territoire sensors check-alerts      (silence rules; run every few minutes)
territoire sensors purge             (raw readings past retention)
territoire sensors unrouted [--limit N]  (messages of no known collectivité, for operators)
territoire sensors simulate --tenant SLUG [--hours H] [--via db|http|mqtt]
"""

from __future__ import annotations

import csv
import json
import random
import signal
import sys
import urllib.request
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from territoire.core.models import LocalAuthority
from territoire.sensors import alerts, selectors, services, simulator
from territoire.sensors.catalog import KINDS
from territoire.sensors.ingestion import ingest_items


class Command(BaseCommand):
    help = "Capteurs : consommateur MQTT, enregistrement, export, alertes, purge, simulation."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        mqtt = sub.add_parser("mqtt", help="consume MQTT uplinks (ChirpStack v4 and native)")
        mqtt.add_argument("--broker", required=True, help="mqtt://HOST:PORT")
        mqtt.add_argument("--shared-group", default="", help="MQTT 5 shared subscription group")
        mqtt.add_argument("--client-id", default="", help="default: territoire-sensors-HOSTNAME")
        mqtt.add_argument("--topic-prefix", default="", help="when instances share a broker")
        mqtt.add_argument("--batch-size", type=int, default=1000)

        reg = sub.add_parser("register", help="add a sensor to a collectivité's registry")
        reg.add_argument("--tenant", required=True)
        reg.add_argument("--ref", required=True)
        reg.add_argument("--kind", required=True, choices=sorted(KINDS))
        reg.add_argument("--dev-eui", default="")
        reg.add_argument("--name", default="")
        reg.add_argument("--lat", type=float)
        reg.add_argument("--lon", type=float)
        reg.add_argument("--interval", type=int, default=60, help="expected minutes")

        exp = sub.add_parser("export", help="a sensor's readings as CSV on stdout")
        exp.add_argument("--tenant", required=True)
        exp.add_argument("--ref", required=True)
        exp.add_argument("--format", choices=["csv"], default="csv")

        sub.add_parser("check-alerts", help="raise 'no data' alerts")
        sub.add_parser("purge", help="delete raw readings past the retention period")
        unr = sub.add_parser("unrouted", help="messages no collectivité could be found for")
        unr.add_argument("--limit", type=int, default=50)

        sim = sub.add_parser("simulate", help="realistic streams for a tenant's sensors")
        sim.add_argument("--tenant", required=True)
        sim.add_argument("--hours", type=float, default=24)
        sim.add_argument("--step-minutes", type=int, default=60)
        sim.add_argument("--via", choices=["db", "http", "mqtt"], default="db")
        sim.add_argument("--url", default="http://127.0.0.1:8000", help="for --via http")
        sim.add_argument("--api-key", default="", help="for --via http (scope sensors:write)")
        sim.add_argument("--broker", default="mqtt://127.0.0.1:1883", help="for --via mqtt")
        sim.add_argument("--faults", type=float, default=0.0, help="share of faulty values")
        sim.add_argument("--seed", type=int, default=1)
        sim.add_argument(
            "--leak",
            default="",
            metavar="REF",
            help="inject a leak (extra night flow) on this water_flow sensor, half-way",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, "do_" + opts["action"].replace("-", "_"))(opts)

    def _tenant(self, slug: str) -> LocalAuthority:
        tenant = LocalAuthority.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"Unknown tenant: {slug}")
        return tenant

    # --- mqtt ---------------------------------------------------------------------------
    def do_mqtt(self, opts: dict[str, Any]) -> None:
        from territoire.sensors.mqtt_consumer import Consumer

        kwargs: dict[str, Any] = {
            "broker": opts["broker"],
            "shared_group": opts["shared_group"],
            "topic_prefix": opts["topic_prefix"],
            "batch_size": opts["batch_size"],
        }
        if opts["client_id"]:
            kwargs["client_id"] = opts["client_id"]
        try:
            consumer = Consumer(**kwargs)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stderr.write(f"Consuming {', '.join(consumer.topics())} as {consumer.client_id}")
        consumer.run(stop=lambda: stopping)
        s = consumer.stats
        self.stderr.write(
            f"Stopped: {s.messages} messages, {s.stored} readings stored, "
            f"{s.duplicates} duplicates, {s.quarantined} quarantined, {s.dead_letters} dead letters"
        )

    # --- registry -----------------------------------------------------------------------
    def do_register(self, opts: dict[str, Any]) -> None:
        tenant = self._tenant(opts["tenant"])
        try:
            sensor = services.sensor_register(
                actor="cli",
                tenant=tenant,
                ref=opts["ref"],
                kind=opts["kind"],
                name=opts["name"],
                lon=opts["lon"],
                lat=opts["lat"],
                dev_eui=opts["dev_eui"],
                expected_interval=opts["interval"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{sensor.ref}\t{sensor.kind}\t{','.join(sensor.quantities)}")

    def do_export(self, opts: dict[str, Any]) -> None:
        tenant = self._tenant(opts["tenant"])
        sensor = selectors.sensor_by_ref(tenant, opts["ref"])
        if sensor is None:
            raise CommandError(f"Unknown sensor: {opts['ref']}")
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["time", "quantity", "value"])
        rows = selectors.raw_readings(tenant, sensor)
        for time, quantity, value in rows.iterator(chunk_size=5000):
            writer.writerow([time.isoformat(), quantity, repr(value)])

    # --- upkeep -------------------------------------------------------------------------
    def do_check_alerts(self, opts: dict[str, Any]) -> None:
        raised = alerts.check_silence()
        self.stdout.write(f"{raised} alert(s) raised")

    def do_purge(self, opts: dict[str, Any]) -> None:
        deleted = services.readings_purge(actor="cli")
        self.stdout.write(f"{deleted} raw reading(s) deleted")

    def do_unrouted(self, opts: dict[str, Any]) -> None:
        """Instance-level list: these messages belong to no collectivité's agents."""
        for m in selectors.unrouted_messages()[: opts["limit"]]:
            self.stdout.write(
                f"{m.received.isoformat()}\t{m.kind}\t{m.source}\t{m.topic}\t{m.error}"
            )

    # --- simulate -----------------------------------------------------------------------
    def do_simulate(self, opts: dict[str, Any]) -> None:
        tenant = self._tenant(opts["tenant"])
        sensors = list(selectors.sensors(tenant).filter(is_active=True))
        if not sensors:
            raise CommandError("This tenant has no sensors.")
        rng = random.Random(opts["seed"])
        streams = [simulator.Stream(s.ref, s.kind) for s in sensors]
        end = timezone.now()
        start = end - timedelta(hours=opts["hours"])
        for stream in streams:
            if stream.ref == opts["leak"] and stream.kind == "water_flow":
                stream.leak_from, stream.leak_flow = start + (end - start) / 2, 6.0
        rows = simulator.generate(
            streams,
            start,
            end,
            timedelta(minutes=opts["step_minutes"]),
            rng,
            fault_rate=opts["faults"],
        )
        items = [{"sensor": ref, "time": t.isoformat(), "values": v} for ref, t, v in rows]
        via = opts["via"]
        if via == "db":
            with transaction.atomic():
                result = ingest_items(tenant=tenant, items=items)
            self.stdout.write(
                f"{result.accepted} accepted, {result.duplicates} duplicates, "
                f"{result.rejected} rejected"
            )
        elif via == "http":
            self._post_http(opts, items)
        else:
            self._publish_mqtt(opts, tenant.slug, items)

    def _post_http(self, opts: dict[str, Any], items: list[dict[str, Any]]) -> None:
        if not opts["api_key"]:
            raise CommandError("--api-key is required with --via http")
        url = opts["url"].rstrip("/") + "/api/v1/sensors/readings"
        for start in range(0, len(items), 10_000):
            body = "\n".join(json.dumps(i) for i in items[start : start + 10_000]).encode()
            request = urllib.request.Request(  # noqa: S310 - URL given by the operator
                url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/x-ndjson",
                    "Authorization": f"Bearer {opts['api_key']}",
                },
            )
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                self.stdout.write(response.read().decode()[:200])

    def _publish_mqtt(self, opts: dict[str, Any], slug: str, items: list[dict[str, Any]]) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        from territoire.sensors.mqtt_consumer import parse_broker

        host, port = parse_broker(opts["broker"])
        client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.connect(host, port)
        client.loop_start()
        infos = []
        for item in items:
            payload = json.dumps({"time": item["time"], "values": item["values"]})
            infos.append(
                client.publish(f"territoire/{slug}/sensors/{item['sensor']}/up", payload, qos=1)
            )
        for info in infos:
            info.wait_for_publish(timeout=30)
        client.loop_stop()
        client.disconnect()
        sys.stdout.write(f"{len(infos)} messages published\n")
