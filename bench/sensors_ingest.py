"""Sensor ingestion throughput: HTTP bulk and MQTT end to end, on SQLite and PostgreSQL.

    .venv/bin/python bench/sensors_ingest.py [--db sqlite|postgres|both] [--runs 5]
                                             [--parts all|http|mqtt]

For each database (a fresh one: var/bench-sensors.sqlite3, or PostgreSQL database
``h_sensors_bench``), it registers 1,000 sensors and prints medians over several runs:

- HTTP bulk: readings/s of ``POST /api/v1/sensors/readings`` (NDJSON, batches of
  10,000 new readings) against a real gunicorn server (2 workers) on 127.0.0.1:8147,
  after a few untimed warm-up requests; one client, then two clients at once;
- in-process: readings/s of the same ingestion path without HTTP (the ceiling);
- MQTT: messages/s (one reading each) from first publish to last reading committed,
  through the real Mosquitto and ``territoire sensors mqtt`` in a subprocess: steady
  state, then with the consumer killed (SIGKILL) half-way and restarted (its start-up,
  a few seconds, is inside the measure); each run checks that no reading was lost and
  none stored twice. The publisher never gets more than 850 messages ahead of the
  database in steady state, 450 in the restart runs: with Mosquitto's default
  ``max_queued_messages`` (1,000), a wider window had the broker drop messages while
  the consumer restarted ("Outgoing messages are being dropped" in its log; see
  ARCHITECTURE.md). The publisher allows up to 1,000
  messages in flight (paho's default of 20 made it the bottleneck).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TERRITOIRE = str(Path(PYTHON).with_name("territoire"))
PORT = 8147
DATABASES = {
    "sqlite": f"sqlite:///{ROOT / 'var' / 'bench-sensors.sqlite3'}",
    "postgres": "postgres://postgres@127.0.0.1:5432/h_sensors_bench",
}


def fresh_database(name: str) -> None:
    if name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{ROOT / 'var' / 'bench-sensors.sqlite3'}{suffix}").unlink(missing_ok=True)
        (ROOT / "var").mkdir(exist_ok=True)
    else:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS h_sensors_bench")
            c.execute("CREATE DATABASE h_sensors_bench")


def worker(db: str, runs: int, mqtt_messages: int, parts: str) -> None:
    os.environ["DATABASE_URL"] = DATABASES[db]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoire.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from territoire.core.models import LocalAuthority
    from territoire.core.services import apikey_create
    from territoire.sensors.ingestion import ingest_items
    from territoire.sensors.models import Sensor

    call_command("migrate", interactive=False, verbosity=0)
    tenant = LocalAuthority.objects.create(name="Banc", slug="banc", kind="commune")
    Sensor.objects.bulk_create(
        Sensor(tenant=tenant, ref=f"S{i:05d}", name=f"S{i}", kind="water_flow", quantities=["flow"])
        for i in range(1000)
    )
    key = apikey_create(actor="bench", tenant=tenant, name="bench", scopes=["sensors:write"]).secret
    base = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=300)
    offset = 0

    def batch(n: int) -> list[dict[str, object]]:
        nonlocal offset
        items = [
            {
                "sensor": f"S{i % 1000:05d}",
                "time": (base + timedelta(seconds=offset + i // 1000)).isoformat(),
                "quantity": "flow",
                "value": 10.0 + (i % 7),
            }
            for i in range(n)
        ]
        offset += n // 1000 + 1
        return items

    env = dict(
        os.environ,
        STATIC_MANIFEST="false",
        API_RATE_KEY="100000/min",
        DATABASE_CONN_MAX_AGE="600",  # persistent connections, as in production
    )
    if parts != "mqtt":
        # --- in-process --------------------------------------------------------------
        with transaction.atomic():
            ingest_items(tenant=tenant, items=batch(10_000))  # warm-up (caches, temp tables)
        rates = []
        for _ in range(runs):
            items = batch(10_000)
            t = time.perf_counter()
            with transaction.atomic():
                result = ingest_items(tenant=tenant, items=items)
            rates.append(result.accepted / (time.perf_counter() - t))
            assert result.accepted == 10_000, result
        report(db, "in-process ingestion", rates, "readings/s")

        # --- HTTP bulk -----------------------------------------------------------------
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        server = subprocess.Popen(  # noqa: S603 - our own server, local only
            [
                gunicorn,
                "territoire.wsgi:application",
                "-b",
                f"127.0.0.1:{PORT}",
                "-w",
                "2",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)

            def post(body: bytes) -> float:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{PORT}/api/v1/sensors/readings",
                    data=body,
                    method="POST",
                    headers={
                        "Content-Type": "application/x-ndjson",
                        "Authorization": f"Bearer {key}",
                    },
                )
                t = time.perf_counter()
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                    answer = json.loads(response.read())
                assert answer["accepted"] == 10_000, answer
                return time.perf_counter() - t

            def ndjson() -> bytes:
                return "\n".join(json.dumps(i) for i in batch(10_000)).encode()

            for _ in range(4):  # warm-up: each worker loads its URLs, API schemas, caches
                post(ndjson())
            rates = [10_000 / post(ndjson()) for _ in range(runs)]
            report(db, "HTTP bulk (10,000/req)", rates, "readings/s")
            # Two clients at once (one per worker): readings/s of the pair.
            rates = []
            for _ in range(runs):
                bodies = [ndjson(), ndjson()]
                t = time.perf_counter()
                threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
                for th in threads:
                    th.start()
                for th in threads:
                    th.join()
                rates.append(20_000 / (time.perf_counter() - t))
            report(db, "HTTP bulk, 2 clients", rates, "readings/s")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    # --- MQTT end to end: steady, then with a consumer killed half-way -------------------
    connection.close()
    for kill in (False, True) if parts != "http" else ():
        mqtt_runs(db, env, max(1, runs // 2), kill, batch(mqtt_messages))


def mqtt_runs(db: str, env: dict[str, str], runs: int, kill: bool, items: list[dict]) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from territoire.sensors.models import Reading

    # How far the publisher may run ahead of the database without Mosquitto's default
    # queue limit (1,000) dropping messages; found by trial on this machine: 1,500 lost
    # some under load even with the consumer connected, 800 while it restarted.
    window = 400 if kill else 800
    rates = []
    for n_run in range(runs):
        # Each run its own readings: shift the times past the previous runs'.
        shift = timedelta(days=1 + n_run + (runs if kill else 0))
        run = uuid.uuid4().hex[:10]
        before = Reading.objects.count()
        cmd = [
            TERRITOIRE,
            "sensors",
            "mqtt",
            "--broker",
            "mqtt://127.0.0.1:1883",
            "--topic-prefix",
            f"bench-{run}/",
            "--client-id",
            f"bench-{run}",
        ]
        consumer = start_consumer(cmd, env)
        pub = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        pub.max_inflight_messages_set(1000)
        pub.connect("127.0.0.1", 1883)
        pub.loop_start()
        messages = [
            (
                f"bench-{run}/territoire/banc/sensors/{item['sensor']}/up",
                json.dumps(
                    {
                        "time": (datetime.fromisoformat(str(item["time"])) + shift).isoformat(),
                        "values": {"flow": item["value"]},
                    }
                ),
            )
            for item in items
        ]
        t = time.perf_counter()
        killed = False
        stored = 0
        for n, (topic, payload) in enumerate(messages):
            # Counting costs a query: only every 50 messages. Mosquitto's default
            # max_queued_messages (1,000) drops what a slow or restarting consumer has
            # not taken yet ("Outgoing messages are being dropped" in its log).
            while n % 50 == 0 and n - stored > window:
                stored = Reading.objects.count() - before
                if n - stored > window:
                    time.sleep(0.005)
            if kill and n == len(items) // 2 and not killed:
                consumer.kill()  # SIGKILL: no chance to acknowledge anything
                consumer.wait()
                consumer = start_consumer(cmd, env, wait=False)  # the stream goes on meanwhile
                killed = True
            pub.publish(topic, payload, qos=1)
        deadline = time.monotonic() + 120
        while Reading.objects.count() - before < len(items) and time.monotonic() < deadline:
            time.sleep(0.01)
        elapsed = time.perf_counter() - t
        time.sleep(1.0)  # anything redelivered late must not add a row
        stored = Reading.objects.count() - before
        consumer.send_signal(signal.SIGTERM)
        consumer.wait(timeout=30)
        pub.loop_stop()
        pub.disconnect()
        rates.append(len(items) / elapsed)
        print(
            f"[{db}]   MQTT run{' (restart)' if kill else ''}: {len(items)} sent, {stored} stored "
            f"(lost {len(items) - stored if stored <= len(items) else 0}, "
            f"extra {max(stored - len(items), 0)}), {elapsed:.1f} s"
        )
        assert stored == len(items), f"lost {len(items) - stored}"
        _drop_session(f"bench-{run}")
    label = "MQTT, consumer restarted" if kill else "MQTT end to end"
    report(db, label, rates, "messages/s" + (", killed + restarted once per run" if kill else ""))


def report(db: str, label: str, rates: list[float], unit: str) -> None:
    """Median rate and the 95th-percentile slowest run (the rate 95 % of runs beat)."""
    median = statistics.median(rates)
    ordered = sorted(rates)
    p95 = ordered[max(0, int(len(ordered) * 0.05 + 0.5) - 1)] if len(ordered) > 1 else median
    print(
        f"[{db}] {label:<26}: {median:>9,.0f} {unit} (median of {len(rates)}; p95 {p95:,.0f})",
        flush=True,
    )


def start_consumer(cmd: list[str], env: dict[str, str], wait: bool = True) -> subprocess.Popen:
    """Start ``territoire sensors mqtt``; with ``wait``, until its subscription is active."""
    proc = subprocess.Popen(  # noqa: S603 - our own command
        cmd, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    ready = threading.Event()

    def drain() -> None:
        for line in proc.stderr:  # type: ignore[union-attr]
            if "MQTT subscribed" in line:
                ready.set()
            elif '"WARNING"' in line or '"ERROR"' in line or "Traceback" in line:
                print("    consumer:", line.strip()[:300], flush=True)

    threading.Thread(target=drain, daemon=True).start()
    if wait and not ready.wait(timeout=60):
        raise RuntimeError("the MQTT consumer did not subscribe")
    return proc


def _drop_session(client_id: str) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
    )
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    client.connect("127.0.0.1", 1883, clean_start=True, properties=props)
    client.loop(timeout=0.2)
    client.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mqtt-messages", type=int, default=10_000)
    parser.add_argument("--parts", choices=["all", "http", "mqtt"], default="all")
    parser.add_argument("--worker", choices=list(DATABASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.runs, args.mqtt_messages, args.parts)
        return
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        fresh_database(db)
        subprocess.run(  # noqa: S603 - this very script
            [
                PYTHON,
                __file__,
                "--worker",
                db,
                "--runs",
                str(args.runs),
                "--mqtt-messages",
                str(args.mqtt_messages),
                "--parts",
                args.parts,
            ],
            check=True,
            cwd=ROOT,
        )


if __name__ == "__main__":
    main()
