"""Demo sensors of Rives & Vallons with five weeks of hourly readings.

Valmont-sur-Mer: district water meters (flow) and pressure probes, energy of public
buildings, indoor climate of its 9 schools, a sample of street lights, air-quality
stations, waste containers, parking spots and the people counters of its 2 pools.
Readings come from the simulator and go through the real ingestion path (bulk
inserts, aggregates, latest values, alert rules), so alerts, the quarantine and the
dead-letter list fill up the way they would in production. The digital twin adds
its own water-network sensors (and its leak) through the time-series port.
"""

from __future__ import annotations

import base64
import json
import random
from datetime import timedelta
from typing import Any

from territoire.core.demo import SAINT_AUBIN, VALMONT, DemoContext
from territoire.core.models import District
from territoire.sensors import alerts, services, simulator
from territoire.sensors.ingestion import Candidate, store
from territoire.sensors.models import (
    AlertStatus,
    Condition,
    DeviceProfile,
    LorawanApplication,
    Sensor,
)
from territoire.sensors.mqtt_ingest import process_batch

WEEKS = 5
BATCH = 20_000

SCHOOLS = [
    "École du Port",
    "École Jean-Bart",
    "École des Dunes",
    "École de la Plage",
    "École du Centre",
    "École Jules-Ferry",
    "École des Hauts",
    "École du Phare",
    "École des Tamaris",
]


def _point(rng: random.Random, district: District) -> tuple[float, float]:
    ring = district.geometry["coordinates"][0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return (
        round(rng.uniform(min(lons) + 0.001, max(lons) - 0.001), 5),
        round(rng.uniform(min(lats) + 0.001, max(lats) - 0.001), 5),
    )


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    valmont = ctx.tenants[VALMONT]
    districts = {d.name: d for d in District.objects.for_tenant(valmont)}
    svc = {key.split(":", 1)[1]: s for key, s in ctx.services.items() if key.startswith(VALMONT)}
    agent = ctx.person(VALMONT, "agent")

    profiles = {
        code: DeviceProfile.objects.create(tenant=valmont, name=name, decoder=code, params=params)
        for code, name, params in (
            ("water_meter_v1", "Compteur de secteur HydroSect 5", {}),
            ("fill_level_v1", "Sonde ultrason EcoBac", {"depth_mm": 1400, "offset_mm": 60}),
            ("indoor_climate_v1", "Capteur d'ambiance ClassAir", {}),
            ("air_quality_v1", "Micro-station AirLocal", {}),
        )
    }
    LorawanApplication.objects.create(
        tenant=valmont,
        application_id="5f3c2a8e-0b7d-4e61-9a40-2c1d7e9b6a10",
        name="Réseau LoRaWAN de Valmont",
    )

    specs: list[dict[str, Any]] = []
    eui = iter(f"70b3d5e75e{n:06x}" for n in range(1, 10_000))
    for name, district in districts.items():
        code = district.slug.upper()[:5]
        lon, lat = _point(rng, district)
        specs.append(
            dict(
                ref=f"EAU-DEB-{code}",
                kind="water_flow",
                name=f"Compteur de secteur {name}",
                lon=lon,
                lat=lat,
                district=district,
                operator="Eaux du Littoral",
                dev_eui=next(eui),
                profile=profiles["water_meter_v1"],
                service=svc["eau"],
                scale=1.0 + 0.4 * rng.random(),
            )
        )
        lon, lat = _point(rng, district)
        specs.append(
            dict(
                ref=f"EAU-PRE-{code}",
                kind="water_pressure",
                name=f"Pression {name}",
                lon=lon,
                lat=lat,
                district=district,
                operator="Eaux du Littoral",
                service=svc["eau"],
            )
        )
    for i, (name, dname) in enumerate(
        [
            ("Hôtel de ville", "Centre"),
            ("Médiathèque", "Centre"),
            ("Gymnase des Hauts", "Les Hauts"),
        ]
    ):
        lon, lat = _point(rng, districts[dname])
        specs.append(
            dict(
                ref=f"ENE-{i + 1:02d}",
                kind="energy",
                name=f"Énergie — {name}",
                lon=lon,
                lat=lat,
                district=districts[dname],
                service=svc["si"],
                scale=1 + i * 0.3,
            )
        )
    names = list(districts)
    for i, school in enumerate(SCHOOLS):
        district = districts[names[i % len(names)]]
        lon, lat = _point(rng, district)
        specs.append(
            dict(
                ref=f"ECO-{i + 1:02d}",
                kind="indoor_climate",
                name=f"{school} — classe",
                lon=lon,
                lat=lat,
                district=district,
                dev_eui=next(eui),
                profile=profiles["indoor_climate_v1"],
                service=svc["education"],
                scale=0.8 + 0.3 * rng.random(),
            )
        )
    for i in range(12):
        district = districts[names[i % len(names)]]
        lon, lat = _point(rng, district)
        specs.append(
            dict(
                ref=f"LUM-{i + 1:04d}",
                kind="street_light",
                name=f"Luminaire {i + 1:04d}",
                lon=lon,
                lat=lat,
                district=district,
                operator="Lumière & Réseaux",
                service=svc["eclairage"],
                expected_interval=60,
                scale=0.9 + 0.2 * rng.random(),
            )
        )
    for i, (name, dname) in enumerate(
        [("Quai Jean-Bart", "Port"), ("Place du Marché", "Centre"), ("Front de mer", "Plage")]
    ):
        lon, lat = _point(rng, districts[dname])
        specs.append(
            dict(
                ref=f"AIR-{i + 1:02d}",
                kind="air_quality",
                name=f"Qualité de l'air — {name}",
                lon=lon,
                lat=lat,
                district=districts[dname],
                dev_eui=next(eui),
                profile=profiles["air_quality_v1"],
            )
        )
    for i in range(20):
        district = districts[names[i % len(names)]]
        lon, lat = _point(rng, district)
        specs.append(
            dict(
                ref=f"BAC-{i + 1:03d}",
                kind="waste_fill",
                name=f"Conteneur verre {i + 1:03d}",
                lon=lon,
                lat=lat,
                district=district,
                operator="Collecte Océane",
                dev_eui=next(eui),
                profile=profiles["fill_level_v1"],
                service=svc["dechets"],
                scale=0.7 + 0.8 * rng.random(),
                extra={"container_category": "ground"},
            )
        )
    for i in range(16):
        dname = "Port" if i < 8 else "Plage"
        lon, lat = _point(rng, districts[dname])
        specs.append(
            dict(
                ref=f"PARK-{dname[:4].upper()}-{i % 8 + 1:02d}",
                kind="parking_spot",
                name=f"Place {i % 8 + 1} — parking {dname}",
                lon=lon,
                lat=lat,
                district=districts[dname],
                service=svc["voirie"],
                extra={"parking_site": f"parking-{dname.lower()}"},
            )
        )
    for i, (name, dname) in enumerate(
        [("Piscine des Dunes", "Plage"), ("Piscine des Hauts", "Les Hauts")]
    ):
        lon, lat = _point(rng, districts[dname])
        specs.append(
            dict(
                ref=f"PISC-{i + 1:02d}",
                kind="people_counter",
                name=f"Entrées — {name}",
                lon=lon,
                lat=lat,
                district=districts[dname],
                scale=1.3 - 0.4 * i,
            )
        )

    sensors: dict[str, Sensor] = {}
    streams: list[simulator.Stream] = []
    for spec in specs:
        scale = spec.pop("scale", 1.0)
        sensors[spec["ref"]] = services.sensor_register(actor="demo", tenant=valmont, **spec)
        streams.append(simulator.Stream(spec["ref"], spec["kind"], scale=scale))

    # Rules first, so that the history raises the alerts it would have raised.
    rules: list[dict[str, Any]] = [
        dict(
            name="CO₂ trop élevé en classe",
            kind="indoor_climate",
            condition=Condition.ABOVE,
            quantity="co2",
            threshold=1400,
            service=svc["education"],
        ),
        dict(
            name="Conteneur presque plein",
            kind="waste_fill",
            condition=Condition.ABOVE,
            quantity="fill_level",
            threshold=90,
            service=svc["dechets"],
        ),
        dict(
            name="Chute de pression",
            kind="water_pressure",
            condition=Condition.RATE,
            quantity="pressure",
            threshold=0.9,
            service=svc["eau"],
        ),
        dict(
            name="Pression basse",
            kind="water_pressure",
            condition=Condition.BELOW,
            quantity="pressure",
            threshold=3.2,
            service=svc["eau"],
        ),
        dict(
            name="Pic de particules fines",
            kind="air_quality",
            condition=Condition.ABOVE,
            quantity="pm10",
            threshold=45,
            service=None,
        ),
        dict(
            name="Luminaire muet",
            kind="street_light",
            condition=Condition.SILENCE,
            minutes=6 * 60,
            service=svc["eclairage"],
        ),
    ]
    for rule in rules:
        services.alertrule_create(actor=agent, tenant=valmont, **rule)

    end = ctx.now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(weeks=WEEKS)
    silent_ref = "LUM-0007"  # stopped reporting two days ago: a "no data" alert
    silent_from = end - timedelta(days=2)
    # A few pollution and pressure events, so that the alert inbox has a history.
    events = {
        ("AIR-02", end - timedelta(days=9, hours=3)): {"pm10": 61.0, "pm25": 38.0},
        ("EAU-PRE-PORT", end - timedelta(days=4, hours=2)): {"pressure": 2.4},
    }
    rows: list[Candidate] = []
    for ref, when, values in simulator.generate(
        streams, start, end, timedelta(hours=1), random.Random(rng.random())
    ):
        if ref == silent_ref and when >= silent_from:
            continue
        values.update(events.get((ref, when), {}))
        sensor_id, tenant_id = sensors[ref].pk, sensors[ref].tenant_id
        rows.extend(Candidate(sensor_id, q, when, float(v), tenant_id) for q, v in values.items())
        if len(rows) >= BATCH:
            store(rows)
            rows = []
    store(rows)
    alerts.check_silence(now=ctx.now)

    _seed_alert_history(valmont, agent)
    _seed_lorawan_traffic(sensors, end)
    _seed_saint_aubin(ctx, end)
    ctx.notes.append(
        f"Capteurs : {len(sensors)} à Valmont-sur-Mer, {WEEKS} semaines de mesures horaires "
        "(/valmont-sur-mer/capteurs/)."
    )


def _seed_alert_history(tenant: Any, agent: Any) -> None:
    from territoire.sensors.models import Alert

    # Back-dated history: each alert was opened when its value was observed.
    for alert in Alert.objects.for_tenant(tenant):
        Alert.objects.filter(pk=alert.pk).update(opened=alert.observed)
    live = list(
        Alert.objects.for_tenant(tenant).filter(status=AlertStatus.OPEN).order_by("opened", "pk")
    )
    # The oldest ones were handled; a few are in hand; the newest stay open.
    for i, alert in enumerate(live):
        if alert.condition == Condition.SILENCE:
            continue
        if i % 3 == 0:
            services.alert_acknowledge(actor=agent, alert=alert, reason="Équipe prévenue.")
            services.alert_close(
                actor=agent,
                alert=alert,
                reason="Intervention faite, valeurs revenues à la normale.",
            )
        elif i % 3 == 1:
            services.alert_acknowledge(
                actor=agent, alert=alert, reason="Vérification prévue demain."
            )


def _uplink(dev_eui: str, data: bytes, when: Any, dedup: str, app: str) -> bytes:
    return json.dumps(
        {
            "deduplicationId": dedup,
            "time": when.isoformat(),
            "deviceInfo": {
                "tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
                "tenantName": "Valmont",
                "applicationId": app,
                "applicationName": "valmont",
                "deviceProfileName": "EcoBac",
                "deviceName": f"dev-{dev_eui[-4:]}",
                "devEui": dev_eui,
            },
            "devAddr": "01b2c3d4",
            "adr": True,
            "dr": 5,
            "fCnt": 4711,
            "fPort": 2,
            "confirmed": False,
            "data": base64.b64encode(data).decode(),
            "rxInfo": [{"gatewayId": "7276ff002e062d3c", "rssi": -97, "snr": 7.5}],
        }
    ).encode()


def _seed_lorawan_traffic(sensors: dict[str, Sensor], end: Any) -> None:
    """A few live LoRaWAN messages: one from an unknown device, one unreadable."""
    app = "5f3c2a8e-0b7d-4e61-9a40-2c1d7e9b6a10"
    process_batch(
        [
            (
                f"application/{app}/device/70b3d5e75e00ffff/event/up",
                _uplink(
                    "70b3d5e75e00ffff",
                    bytes.fromhex("02bc1a01"),
                    end - timedelta(minutes=30),
                    "9d1c9e5e-demo-0001",
                    app,
                ),
            ),
            (
                "territoire/valmont-sur-mer/sensors/BAC-999/up",
                json.dumps(
                    {
                        "time": (end - timedelta(minutes=20)).isoformat(),
                        "values": {"fill_level": 42},
                    }
                ).encode(),
            ),
            (
                "territoire/valmont-sur-mer/sensors/AIR-01/up",
                b'{"time": "2026-13-01", "values": {pm25: 3}}',
            ),
            (
                "territoire/valmont-sur-mer/sensors/AIR-03/up",
                json.dumps(
                    {"time": (end - timedelta(minutes=10)).isoformat(), "values": {"pm25": 6553.5}}
                ).encode(),
            ),
        ]
    )


def _seed_saint_aubin(ctx: DemoContext, end: Any) -> None:
    tenant = ctx.tenants[SAINT_AUBIN]
    districts = {d.name: d for d in District.objects.for_tenant(tenant)}
    bourg = districts["Le Bourg"]
    specs = [
        ("SA-EAU-01", "water_flow", "Compteur général du bourg", 0.25),
        ("SA-ECO-01", "indoor_climate", "École communale — classe unique", 0.7),
        ("SA-BAC-01", "waste_fill", "Conteneur verre de la mairie", 0.6),
        ("SA-BAC-02", "waste_fill", "Conteneur verre du stade", 0.4),
    ]
    streams, ids = [], {}
    for ref, kind, name, scale in specs:
        lon, lat = _point(ctx.rng, bourg)
        sensor = services.sensor_register(
            actor="demo",
            tenant=tenant,
            ref=ref,
            kind=kind,
            name=name,
            lon=lon,
            lat=lat,
            district=bourg,
        )
        ids[ref] = sensor.pk
        streams.append(simulator.Stream(ref, kind, scale=scale))
    rows = [
        Candidate(ids[ref], q, when, float(v), tenant.pk)
        for ref, when, values in simulator.generate(
            streams, end - timedelta(weeks=WEEKS), end, timedelta(hours=1), random.Random(7)
        )
        for q, v in values.items()
    ]
    store(rows)
