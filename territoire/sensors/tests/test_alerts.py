"""Alert rules, the alert state machine, notifications and the core event."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from territoire.core import events
from territoire.core.models import Membership, Notification, Service
from territoire.core.tests.factories import member
from territoire.sensors import alerts, services
from territoire.sensors.ingestion import Candidate, store
from territoire.sensors.models import Alert, AlertStatus, Condition
from territoire.sensors.tests.factories import SensorFactory


@pytest.fixture
def team(tenant: Any, agent: Any) -> Service:
    service = Service.objects.create(tenant=tenant, name="Éducation", slug="education")
    Membership.objects.get(tenant=tenant, user=agent, role="agent").services.add(service)
    return service


@pytest.fixture
def received() -> list[events.SensorAlertRaised]:
    got: list[events.SensorAlertRaised] = []

    def handler(event: events.SensorAlertRaised) -> None:
        got.append(event)

    events.subscribe(events.SensorAlertRaised)(handler)
    yield got
    events._subscribers[events.SensorAlertRaised].remove(handler)


def put(sensor: Any, quantity: str, *points: tuple[datetime, float]) -> None:
    store([Candidate.of(sensor, quantity, t, v) for t, v in points])


def at(hours: float) -> datetime:
    return datetime(2026, 11, 20, 8, 0, tzinfo=UTC) + timedelta(hours=hours)


def test_threshold_opens_one_alert_notifies_the_team_and_publishes(
    tenant: Any,
    agent: Any,
    team: Service,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    classroom = SensorFactory(tenant=tenant, kind="indoor_climate", name="CM1")
    other = member(tenant, "agent")  # not in the team: not notified
    services.alertrule_create(
        actor=agent,
        tenant=tenant,
        name="CO₂",
        kind="indoor_climate",
        condition=Condition.ABOVE,
        quantity="co2",
        threshold=1400,
        service=team,
    )
    with django_capture_on_commit_callbacks(execute=True):
        put(classroom, "co2", (at(0), 900), (at(1), 1550), (at(2), 1620))
        put(classroom, "co2", (at(3), 1700))  # still high: the same alert, updated
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.OPEN
    assert (alert.value, alert.observed) == (1700.0, at(3))
    assert "CO₂" in alert.title and "CM1" in alert.title
    assert Notification.objects.filter(user=agent).count() == 1
    assert not Notification.objects.filter(user=other).exists()
    assert len(received) == 1
    event = received[0]
    assert (event.tenant_id, event.alert_id, event.kind, event.service_slug) == (
        tenant.pk,
        alert.pk,
        "threshold",
        "education",
    )
    assert (event.lon, event.lat) == (classroom.lon, classroom.lat)


def test_below_threshold_and_rate_rules(tenant: Any, agent: Any) -> None:
    probe = SensorFactory(tenant=tenant, kind="water_pressure")
    services.alertrule_create(
        actor=agent,
        tenant=tenant,
        name="Basse",
        sensor=probe,
        condition=Condition.BELOW,
        quantity="pressure",
        threshold=3,
    )
    services.alertrule_create(
        actor=agent,
        tenant=tenant,
        name="Chute",
        kind="water_pressure",
        condition=Condition.RATE,
        quantity="pressure",
        threshold=1.0,
    )
    put(probe, "pressure", (at(0), 4.2), (at(1), 4.0), (at(2), 3.8))
    assert not Alert.objects.exists()  # 0.2 bar/h, above 3 bar
    put(probe, "pressure", (at(2.5), 3.1))  # 1.4 bar/h against the stored 3.8
    alert = Alert.objects.get()
    assert alert.condition == Condition.RATE and alert.value == 3.1
    put(probe, "pressure", (at(4), 2.9))
    assert Alert.objects.filter(condition=Condition.BELOW).count() == 1


def test_rules_of_another_tenant_do_not_apply(tenant: Any, other_tenant: Any, agent: Any) -> None:
    services.alertrule_create(
        actor="test",
        tenant=other_tenant,
        name="x",
        kind="waste_fill",
        condition=Condition.ABOVE,
        quantity="fill_level",
        threshold=10,
    )
    bin_ = SensorFactory(tenant=tenant, kind="waste_fill")
    put(bin_, "fill_level", (at(0), 95))
    assert not Alert.objects.exists()


def test_state_machine(tenant: Any, agent: Any) -> None:
    bin_ = SensorFactory(tenant=tenant, kind="waste_fill")
    services.alertrule_create(
        actor=agent,
        tenant=tenant,
        name="Plein",
        kind="waste_fill",
        condition=Condition.ABOVE,
        quantity="fill_level",
        threshold=90,
    )
    put(bin_, "fill_level", (at(0), 95))
    alert = Alert.objects.get()
    with pytest.raises(ValidationError):
        services.alert_close(actor=agent, alert=alert, reason="  ")
    services.alert_acknowledge(actor=agent, alert=alert, reason="Tournée prévue")
    with pytest.raises(ValidationError):
        services.alert_acknowledge(actor=agent, alert=alert)
    services.alert_close(actor=agent, alert=alert, reason="Vidé")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.closed and alert.acknowledged
    with pytest.raises(ValidationError):
        services.alert_acknowledge(actor=agent, alert=alert)
    steps = [(t.source, t.target, t.actor_label, t.reason) for t in alert.transitions.all()]
    assert steps[1:] == [
        ("open", "acknowledged", agent.email, "Tournée prévue"),
        ("acknowledged", "closed", agent.email, "Vidé"),
    ]
    # Closed, so a new violation opens a new alert.
    put(bin_, "fill_level", (at(5), 97))
    assert Alert.objects.count() == 2


def test_silence_raises_then_closes_when_data_returns(tenant: Any, agent: Any) -> None:
    light = SensorFactory(tenant=tenant, kind="street_light", expected_interval=60)
    quiet = SensorFactory(tenant=tenant, kind="street_light", expected_interval=60)
    services.alertrule_create(
        actor=agent, tenant=tenant, name="Muet", kind="street_light", condition=Condition.SILENCE
    )
    now = timezone.now()
    put(light, "power", (now - timedelta(hours=5), 40.0))
    put(quiet, "power", (now - timedelta(minutes=30), 40.0))
    assert alerts.check_silence(now=now) == 1
    assert alerts.check_silence(now=now) == 0  # already open
    alert = Alert.objects.get()
    assert alert.sensor == light and alert.condition == Condition.SILENCE
    put(light, "power", (now, 38.0))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert alert.transitions.last().actor_label == "système"


def test_rule_validation(tenant: Any, agent: Any, other_tenant: Any) -> None:
    foreign = SensorFactory(tenant=other_tenant)
    with pytest.raises(ValidationError):
        services.alertrule_create(
            actor=agent, tenant=tenant, name="x", condition="above", quantity="co2", threshold=1
        )  # neither kind nor sensor
    with pytest.raises(ValidationError):
        services.alertrule_create(
            actor=agent,
            tenant=tenant,
            name="x",
            condition="above",
            sensor=foreign,
            quantity="pm25",
            threshold=1,
        )
    with pytest.raises(ValidationError):
        services.alertrule_create(
            actor=agent,
            tenant=tenant,
            name="x",
            condition="above",
            kind="air_quality",
            quantity="pm25",
        )  # no threshold
