"""Tenant isolation of sensor data: every row carries its collectivité, and no page, API,
export or NGSI-LD answer of tenant A ever shows tenant B's readings, aggregates,
quarantine, rejected messages or alerts — even when both use the same sensor refs."""

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from territoire.core.models import LocalAuthority
from territoire.core.tests.factories import member
from territoire.core.timeseries import Point
from territoire.sensors import selectors, services
from territoire.sensors.datasources import daily_rows
from territoire.sensors.ingestion import Candidate, store
from territoire.sensors.models import (
    Aggregate,
    Alert,
    AlertTransition,
    Condition,
    DeadLetter,
    LatestValue,
    MessageReceipt,
    Quarantined,
    Reading,
    UnroutedMessage,
)
from territoire.sensors.mqtt_ingest import process_batch
from territoire.sensors.provider import SensorsTimeSeries
from territoire.sensors.tests.factories import SensorFactory, api_key

# Rows that may lack a collectivité, and why (see models.py).
UNTENANTED = {
    UnroutedMessage: "messages no collectivité could be found for (instance operators)",
    MessageReceipt: "an opaque upstream id; tenant filled whenever the device is known",
}

A_VALUE = 11.0  # every reading of tenant A
B_VALUE = 876.5  # every reading of tenant B: must never appear in A's answers


def test_every_sensors_model_carries_its_tenant() -> None:
    for model in apps.get_app_config("sensors").get_models():
        if model in UNTENANTED:
            continue
        field = model._meta.get_field("tenant")
        assert field.related_model is LocalAuthority, model
        assert not field.null, f"{model.__name__}.tenant must not be nullable"


@pytest.fixture
def twins(tenant: Any, other_tenant: Any) -> tuple[Any, Any]:
    """The same public air sensor ref in both tenants, readings stored by HTTP bulk."""
    a = SensorFactory(tenant=tenant, ref="AIR-01", kind="air_quality", name="Air A")
    b = SensorFactory(tenant=other_tenant, ref="AIR-01", kind="air_quality", name="Air B")
    now = timezone.now().replace(microsecond=0)
    client = Client()
    for t, value in ((tenant, A_VALUE), (other_tenant, B_VALUE)):
        lines = [
            {
                "sensor": "AIR-01",
                "time": (now - timedelta(hours=h)).isoformat(),
                "values": {"pm25": value, "no2": value},
            }
            for h in range(30)
        ]
        r = client.post(
            "/api/v1/sensors/readings",
            "\n".join(json.dumps(line) for line in lines),
            content_type="application/x-ndjson",
            HTTP_AUTHORIZATION=f"Bearer {api_key(t, 'sensors:write')}",
        )
        assert r.json()["accepted"] == 60, r.content
    return a, b


def _assert_rows_follow_their_sensor() -> None:
    for model in (Reading, Aggregate, LatestValue):
        bad = [
            (tenant_id, sensor_tenant)
            for tenant_id, sensor_tenant in model.objects.values_list(
                "tenant_id", "sensor__tenant_id"
            )
            if tenant_id != sensor_tenant
        ]
        assert not bad, (model.__name__, bad[:3])


def test_http_bulk_fills_the_tenant_of_readings_aggregates_and_latest(twins: Any) -> None:
    a, b = twins
    assert Reading.objects.filter(tenant=a.tenant).count() == 60
    assert Reading.objects.filter(tenant=b.tenant).count() == 60
    assert Aggregate.objects.filter(tenant=a.tenant, period="h").exists()
    assert LatestValue.objects.filter(tenant=b.tenant).count() == 2
    _assert_rows_follow_their_sensor()


def test_mqtt_port_and_quarantine_paths_fill_the_tenant(
    tenant: Any, other_tenant: Any, agent: Any
) -> None:
    mine = SensorFactory(tenant=tenant, ref="EAU-01", kind="water_flow", quantities=["flow"])
    SensorFactory(tenant=other_tenant, ref="EAU-01", kind="water_flow", quantities=["flow"])
    now = timezone.now()
    body = json.dumps({"time": now.isoformat(), "values": {"flow": 2.0}}).encode()
    process_batch(
        [
            (f"territoire/{tenant.slug}/sensors/EAU-01/up", body),
            (f"territoire/{other_tenant.slug}/sensors/EAU-01/up", body),
            (f"territoire/{tenant.slug}/sensors/EAU-02/up", body),  # unknown: quarantine
        ]
    )
    SensorsTimeSeries().record(
        tenant,
        "EAU-01",
        "flow",
        [Point(now - timedelta(minutes=m), 1.0) for m in (5, 6)],
    )
    item = Quarantined.objects.get()
    assert item.tenant == tenant
    newcomer = SensorFactory(tenant=tenant, ref="EAU-02", kind="water_flow", quantities=["flow"])
    services.quarantine_assign(actor=agent, item=item, sensor=newcomer)
    assert Reading.objects.filter(tenant=tenant).count() == 4  # 1 MQTT + 2 port + 1 assigned
    assert Reading.objects.filter(tenant=other_tenant).count() == 1
    assert Reading.objects.get(sensor=newcomer).tenant == tenant
    assert Reading.objects.filter(sensor=mine).count() == 3
    _assert_rows_follow_their_sensor()


def test_selectors_never_cross_tenants_even_given_a_foreign_sensor(twins: Any) -> None:
    a, b = twins
    end = timezone.now() + timedelta(minutes=1)
    start = end - timedelta(days=1)
    for resolution in ("raw", "h", "d"):
        assert (
            selectors.series(a.tenant, b, "pm25", start - timedelta(days=1), end, resolution) == []
        )
        mine = selectors.series(a.tenant, a, "pm25", start - timedelta(days=1), end, resolution)
        assert mine and {p.mean for p in mine} == {A_VALUE}
    assert not selectors.raw_readings(a.tenant, b).exists()
    latest = selectors.sensor_by_ref(a.tenant, "AIR-01")
    assert latest is not None
    assert {lv.value for lv in latest.latest_values.all()} == {A_VALUE}


def test_public_pages_csv_and_cli_export_show_only_the_tenants_readings(
    client: Client, twins: Any
) -> None:
    a, _b = twins
    detail = reverse("sensors:detail", kwargs={"tenant": a.tenant.slug, "ref": "AIR-01"})
    html = client.get(detail, {"periode": "7j"}).content.decode()
    assert "Air A" in html and "Air B" not in html
    assert "876" not in html  # B's values nowhere in the page
    csv = client.get(detail, {"format": "csv"})
    lines = b"".join(csv.streaming_content).decode().strip().splitlines()[1:]
    assert len(lines) == 60 and all(line.endswith(",11.0") for line in lines)
    out = io.StringIO()
    call_command("sensors", "export", "--tenant", a.tenant.slug, "--ref", "AIR-01", stdout=out)
    rows = out.getvalue().strip().splitlines()[1:]
    assert len(rows) == 60 and all(row.endswith(",11.0") for row in rows)


def test_api_series_list_and_ngsi_ld_show_only_the_tenants_values(
    client: Client, twins: Any
) -> None:
    a, _b = twins
    slug = a.tenant.slug
    for resolution in ("raw", "h"):
        points = client.get(
            "/api/v1/sensors/AIR-01/series",
            {"tenant": slug, "quantity": "pm25", "resolution": resolution},
        ).json()
        assert points and {p["mean"] for p in points} == {A_VALUE}
    listed = client.get("/api/v1/sensors", {"tenant": slug}).json()["results"]
    assert [s["name"] for s in listed] == ["Air A"]
    assert {v["value"] for v in listed[0]["latest"]} == {A_VALUE}
    entities = client.get(
        "/api/v1/ngsi-ld/v1/entities",
        {"type": "AirQualityObserved", "tenant": slug, "options": "keyValues"},
    ).json()
    assert len(entities) == 1 and entities[0]["pm25"] == A_VALUE
    one = client.get(f"/api/v1/ngsi-ld/v1/entities/{entities[0]['id']}", {"options": "keyValues"})
    assert one.json()["no2"] == A_VALUE
    # B's key cannot read A's data by naming A.
    b_key = api_key(_b.tenant, "read")
    refused = client.get(
        "/api/v1/sensors/AIR-01/series",
        {"tenant": slug, "quantity": "pm25"},
        HTTP_AUTHORIZATION=f"Bearer {b_key}",
    )
    assert refused.status_code == 403


def test_staff_pages_show_only_the_tenants_quarantine_rejects_and_alerts(
    tenant: Any, other_tenant: Any
) -> None:
    their_agent = member(other_tenant, "agent")
    for t in (tenant, other_tenant):
        SensorFactory(tenant=t, ref="BAC-01", kind="waste_fill", name=f"Bac de {t.slug}")
        services.alertrule_create(
            actor="t",
            tenant=t,
            name=f"Plein {t.slug}",
            kind="waste_fill",
            condition=Condition.ABOVE,
            quantity="fill_level",
            threshold=90,
        )
    now = timezone.now().isoformat()
    process_batch(
        [
            (
                f"territoire/{other_tenant.slug}/sensors/BAC-01/up",
                json.dumps({"time": now, "values": {"fill_level": 97}}).encode(),
            ),
            (
                f"territoire/{other_tenant.slug}/sensors/INCONNU-B/up",
                json.dumps({"time": now, "values": {"fill_level": 1}}).encode(),
            ),
            (f"territoire/{other_tenant.slug}/sensors/BAC-01/up", b"{rejet-de-b"),
        ]
    )
    alert = Alert.objects.get()
    assert alert.tenant == other_tenant
    assert AlertTransition.objects.get().tenant == other_tenant
    assert DeadLetter.objects.get().tenant == other_tenant
    assert Quarantined.objects.get().tenant == other_tenant

    mine = Client()
    mine.force_login(member(tenant, "agent"))

    def page(client: Client, t: Any, name: str) -> str:
        response = client.get(reverse(f"sensors_staff:{name}", kwargs={"tenant": t.slug}))
        assert response.status_code == 200
        return response.content.decode()

    assert "INCONNU-B" not in page(mine, tenant, "quarantine")
    assert "rejet-de-b" not in page(mine, tenant, "dead_letters")
    assert f"Bac de {other_tenant.slug}" not in page(mine, tenant, "alerts")
    alert_url = reverse("sensors_staff:alert", kwargs={"tenant": tenant.slug, "pk": alert.pk})
    assert mine.get(alert_url).status_code == 404
    # …while B's own agent sees all three.
    theirs = Client()
    theirs.force_login(their_agent)
    assert "INCONNU-B" in page(theirs, other_tenant, "quarantine")
    assert "rejet-de-b" in page(theirs, other_tenant, "dead_letters")
    assert f"Bac de {other_tenant.slug}" in page(theirs, other_tenant, "alerts")


def test_open_data_source_yields_only_the_tenants_public_daily_aggregates(twins: Any) -> None:
    a, b = twins
    SensorFactory(tenant=a.tenant, ref="BAC-09", kind="waste_fill")  # not public
    store([Candidate.of(b, "pm25", timezone.now() - timedelta(days=2), 42.0)])
    rows = list(daily_rows(a.tenant))
    assert rows and {r["capteur"] for r in rows} == {"AIR-01"}
    assert {r["moyenne"] for r in rows} == {A_VALUE}
    assert {r["grandeur"] for r in rows} == {"pm25", "no2"}


def test_deleting_a_sensor_cascades_to_its_rows_only(twins: Any) -> None:
    # Readings and aggregates have no database constraint (see models.py): Django's
    # cascade must still remove them, and only them.
    a, b = twins
    b.delete()
    assert not Reading.objects.filter(sensor_id=b.pk).exists()
    assert not Aggregate.objects.filter(sensor_id=b.pk).exists()
    assert not LatestValue.objects.filter(sensor_id=b.pk).exists()
    assert Reading.objects.filter(sensor=a).count() == 60
    assert Aggregate.objects.filter(sensor=a).exists()
