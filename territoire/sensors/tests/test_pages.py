"""Public and staff pages: what they show, to whom, and tenant isolation."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from territoire.sensors import services
from territoire.sensors.ingestion import Candidate, store
from territoire.sensors.models import Alert, AlertStatus, Condition, Quarantined, Reading
from territoire.sensors.tests.factories import SensorFactory


def url(name: str, tenant: Any, **kw: Any) -> str:
    return reverse(name, kwargs={"tenant": tenant.slug, **kw})


@pytest.fixture
def public_air(tenant: Any) -> Any:
    sensor = SensorFactory(tenant=tenant, ref="AIR-01", name="Air du port", kind="air_quality")
    now = timezone.now()
    store([Candidate.of(sensor, "pm25", now - timedelta(hours=h), 5.0 + h) for h in range(48)])
    return sensor


@pytest.fixture
def private_bin(tenant: Any) -> Any:
    return SensorFactory(tenant=tenant, ref="BAC-01", name="Bac secret", kind="waste_fill")


def test_public_list_shows_public_sensors_only(
    client: Client, tenant: Any, other_tenant: Any, public_air: Any, private_bin: Any
) -> None:
    SensorFactory(tenant=other_tenant, ref="AIR-99", name="Air d'ailleurs", kind="air_quality")
    r = client.get(url("sensors:list", tenant))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Air du port" in html
    assert "Bac secret" not in html and "Air d&#x27;ailleurs" not in html
    csv = client.get(url("sensors:list", tenant), {"format": "csv"})
    body = b"".join(csv.streaming_content).decode()
    assert "AIR-01" in body and "BAC-01" not in body and "AIR-99" not in body


def test_public_sensor_page_has_chart_and_table(
    client: Client, tenant: Any, public_air: Any
) -> None:
    r = client.get(url("sensors:detail", tenant, ref="AIR-01"), {"periode": "7j"})
    assert r.status_code == 200
    html = r.content.decode()
    assert '<svg class="chart"' in html and 'role="img"' in html
    assert "résumé par jour" in html
    assert "<script" not in html.split("</main>")[0]  # no JavaScript for the chart
    csv = client.get(
        url("sensors:detail", tenant, ref="AIR-01"), {"format": "csv", "periode": "24h"}
    )
    lines = b"".join(csv.streaming_content).decode().strip().splitlines()
    assert lines[0] == "time,quantity,value"
    assert len(lines) - 1 == 24
    # Unknown period falls back to the default; forged values never crash.
    assert (
        client.get(url("sensors:detail", tenant, ref="AIR-01"), {"periode": "x"}).status_code == 200
    )


def test_private_and_foreign_sensor_pages_are_404(
    client: Client, tenant: Any, other_tenant: Any, private_bin: Any
) -> None:
    assert client.get(url("sensors:detail", tenant, ref="BAC-01")).status_code == 404
    SensorFactory(tenant=other_tenant, ref="AIR-77", kind="air_quality")
    assert client.get(url("sensors:detail", tenant, ref="AIR-77")).status_code == 404


def test_staff_pages_need_a_staff_role(
    client: Client, resident_client: Client, agent_client: Client, tenant: Any, private_bin: Any
) -> None:
    target = url("sensors_staff:list", tenant)
    assert client.get(target).status_code == 302  # to the log-in page
    assert resident_client.get(target).status_code == 403
    r = agent_client.get(target)
    assert r.status_code == 200 and "Bac secret" in r.content.decode()
    assert agent_client.get(url("sensors_staff:detail", tenant, ref="BAC-01")).status_code == 200
    for name in ("alerts", "rules", "quarantine", "dead_letters", "create", "rule_create"):
        assert agent_client.get(url(f"sensors_staff:{name}", tenant)).status_code == 200, name


def test_staff_list_filters_and_csv(
    agent_client: Client, tenant: Any, public_air: Any, private_bin: Any
) -> None:
    r = agent_client.get(url("sensors_staff:list", tenant), {"kind": "waste_fill"})
    html = r.content.decode()
    assert "BAC-01" in html and "AIR-01" not in html
    csv = agent_client.get(url("sensors_staff:list", tenant), {"format": "csv", "q": "AIR"})
    body = b"".join(csv.streaming_content).decode()
    assert "AIR-01" in body and "BAC-01" not in body


def test_staff_cannot_see_another_tenants_sensor(
    agent_client: Client, tenant: Any, other_tenant: Any
) -> None:
    SensorFactory(tenant=other_tenant, ref="THEIRS")
    assert agent_client.get(url("sensors_staff:detail", tenant, ref="THEIRS")).status_code == 404
    # Nor open the other tenant's back-office.
    assert agent_client.get(url("sensors_staff:list", other_tenant)).status_code == 403


def test_register_a_sensor_from_the_form(agent_client: Client, tenant: Any) -> None:
    r = agent_client.post(
        url("sensors_staff:create", tenant),
        {
            "ref": "PARK-01",
            "name": "Place 1",
            "kind": "parking_spot",
            "expected_interval": 15,
            "lat": "46.15",
            "lon": "-1.16",
            "dev_eui": "70B3D5E75E00AB01",
        },
    )
    assert r.status_code == 302
    sensor = tenant_sensor(tenant, "PARK-01")
    assert (sensor.dev_eui, sensor.quantities, sensor.is_public) == (
        "70b3d5e75e00ab01",
        ["occupied"],
        False,
    )
    # The same reference again: a form error, not a crash.
    r = agent_client.post(
        url("sensors_staff:create", tenant),
        {
            "ref": "PARK-01",
            "name": "Doublon",
            "kind": "parking_spot",
            "expected_interval": 15,
        },
    )
    assert r.status_code == 200 and "error-summary" in r.content.decode()
    r = agent_client.post(
        url("sensors_staff:create", tenant),
        {
            "ref": "bad ref!",
            "name": "x",
            "kind": "parking_spot",
            "expected_interval": 15,
            "dev_eui": "zz",
        },
    )
    assert r.status_code == 200 and "error-summary" in r.content.decode()


def tenant_sensor(tenant: Any, ref: str) -> Any:
    from territoire.sensors.models import Sensor

    return Sensor.objects.for_tenant(tenant).get(ref=ref)


def test_alert_inbox_and_transitions(
    agent_client: Client, elected: Any, tenant: Any, agent: Any
) -> None:
    bin_ = SensorFactory(tenant=tenant, ref="BAC-01", kind="waste_fill")
    services.alertrule_create(
        actor=agent,
        tenant=tenant,
        name="Plein",
        kind="waste_fill",
        condition=Condition.ABOVE,
        quantity="fill_level",
        threshold=90,
    )
    store([Candidate.of(bin_, "fill_level", timezone.now(), 96.0)])
    alert = Alert.objects.get()
    inbox = agent_client.get(url("sensors_staff:alerts", tenant)).content.decode()
    assert "BAC-01" in inbox
    page = agent_client.get(url("sensors_staff:alert", tenant, pk=alert.pk))
    assert page.status_code == 200
    ack = url("sensors_staff:alert_transition", tenant, pk=alert.pk, action="prendre")
    assert agent_client.post(ack, {"reason": "J'y vais"}).status_code == 302
    close = url("sensors_staff:alert_transition", tenant, pk=alert.pk, action="clore")
    agent_client.post(close, {"reason": ""})  # refused: a reason is required
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    agent_client.post(close, {"reason": "Vidé"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    # Closed alerts leave the default inbox but stay reachable with the filter.
    assert "BAC-01" not in agent_client.get(url("sensors_staff:alerts", tenant)).content.decode()
    assert (
        "BAC-01"
        in agent_client.get(
            url("sensors_staff:alerts", tenant), {"etat": "closed"}
        ).content.decode()
    )
    # Elected officials read but do not act; GET is not allowed on transitions.
    elected_client = Client()
    elected_client.force_login(elected)
    assert elected_client.get(url("sensors_staff:alerts", tenant)).status_code == 200
    assert elected_client.post(ack).status_code == 403
    assert agent_client.get(ack).status_code == 405


def test_alerts_of_another_tenant_are_out_of_reach(
    agent_client: Client, tenant: Any, other_tenant: Any
) -> None:
    theirs = SensorFactory(tenant=other_tenant, kind="waste_fill")
    rule = services.alertrule_create(
        actor="t",
        tenant=other_tenant,
        name="x",
        kind="waste_fill",
        condition=Condition.ABOVE,
        quantity="fill_level",
        threshold=1,
    )
    store([Candidate.of(theirs, "fill_level", timezone.now(), 50.0)])
    alert = Alert.objects.get(rule=rule)
    assert agent_client.get(url("sensors_staff:alert", tenant, pk=alert.pk)).status_code == 404
    close = url("sensors_staff:alert_transition", tenant, pk=alert.pk, action="clore")
    assert agent_client.post(close, {"reason": "x"}).status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_quarantine_assignment_from_the_page(
    agent_client: Client, tenant: Any, other_tenant: Any
) -> None:
    item = Quarantined.objects.create(
        tenant=tenant,
        source="mqtt",
        device="PISC-09",
        reason="unknown sensor",
        payload={"time": timezone.now().isoformat(), "values": {"count": 12}},
    )
    pool = SensorFactory(tenant=tenant, ref="PISC-09", kind="people_counter")
    foreign = SensorFactory(tenant=other_tenant, ref="PISC-09", kind="people_counter")
    page = agent_client.get(url("sensors_staff:quarantine", tenant)).content.decode()
    assert "PISC-09" in page
    target = url("sensors_staff:quarantine_assign", tenant, pk=item.pk)
    agent_client.post(target, {"sensor": foreign.pk})  # not a sensor of this tenant
    assert not Reading.objects.exists()
    agent_client.post(target, {"sensor": pool.pk})
    assert Reading.objects.get(sensor=pool).value == 12.0
    item.refresh_from_db()
    assert item.resolved is not None


def test_list_page_query_count_does_not_grow_with_sensors(
    agent_client: Client, tenant: Any, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    for i in range(30):
        s = SensorFactory(tenant=tenant, kind="air_quality")
        store([Candidate.of(s, "pm25", now - timedelta(minutes=i), 3.0)])
    with django_assert_max_num_queries(16):
        assert agent_client.get(url("sensors_staff:list", tenant)).status_code == 200


def test_public_list_tells_parking_availability(client: Client, tenant: Any) -> None:
    now = timezone.now()
    for i, occupied in enumerate((1.0, 0.0, 0.0)):
        spot = SensorFactory(tenant=tenant, ref=f"PARK-{i}", kind="parking_spot")
        store([Candidate.of(spot, "occupied", now, occupied)])
    hidden = SensorFactory(tenant=tenant, ref="PARK-X", kind="parking_spot", is_public=False)
    store([Candidate.of(hidden, "occupied", now, 0.0)])
    html = client.get(url("sensors:list", tenant)).content.decode()
    assert "2 places libres sur 3" in html


def test_pool_page_shows_daily_totals(client: Client, tenant: Any) -> None:
    pool = SensorFactory(tenant=tenant, ref="PISC-01", kind="people_counter")
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    if noon > timezone.now():
        noon -= timedelta(days=1)
    store([Candidate.of(pool, "count", noon - timedelta(hours=h), 40.0 + h) for h in range(3)])
    html = client.get(url("sensors:detail", tenant, ref="PISC-01")).content.decode()
    assert '<th scope="col">Total</th>' in html
    assert "<td>123</td>" in html  # 40 + 41 + 42 entries that day
