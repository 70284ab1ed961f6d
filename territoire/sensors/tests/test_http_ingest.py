"""The HTTP bulk contract: POST /api/v1/sensors/readings (NDJSON or JSON array)."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from territoire.sensors.models import Aggregate, LatestValue, Reading
from territoire.sensors.tests.factories import SensorFactory, api_key

URL = "/api/v1/sensors/readings"


def post(client: Client, key: str, items: Any, ndjson: bool = False, **kw: Any) -> Any:
    if ndjson:
        body = "\n".join(i if isinstance(i, str) else json.dumps(i) for i in items)
        ctype = "application/x-ndjson"
    else:
        body, ctype = json.dumps(items), "application/json"
    return client.post(URL, body, content_type=ctype, HTTP_AUTHORIZATION=f"Bearer {key}", **kw)


@pytest.fixture
def key(tenant: Any) -> str:
    return api_key(tenant, "sensors:write")


@pytest.fixture
def air(tenant: Any) -> Any:
    return SensorFactory(tenant=tenant, ref="AIR-01", kind="air_quality")


def iso(dt: datetime) -> str:
    return dt.isoformat()


def test_ndjson_and_array_both_store_and_count(client: Client, key: str, air: Any) -> None:
    t = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    lines = [
        {"sensor": "AIR-01", "time": iso(t), "quantity": "pm25", "value": 8.5},
        {"sensor": "AIR-01", "time": iso(t), "values": {"pm10": 20, "no2": 31.5}},
    ]
    r = post(client, key, lines, ndjson=True)
    assert r.status_code == 200, r.content
    assert r.json() == {"items": 2, "accepted": 3, "duplicates": 0, "rejected": 0, "errors": []}
    r = post(
        client,
        key,
        [
            {
                "sensor": "AIR-01",
                "time": iso(t + timedelta(minutes=5)),
                "quantity": "o3",
                "value": 55,
            }
        ],
    )
    assert r.json()["accepted"] == 1
    stored = dict(Reading.objects.filter(sensor=air).values_list("quantity", "value"))
    assert stored == {"pm25": 8.5, "pm10": 20.0, "no2": 31.5, "o3": 55.0}


def test_same_reading_twice_is_stored_once(client: Client, key: str, air: Any) -> None:
    t = iso(timezone.now() - timedelta(minutes=10))
    item = {"sensor": "AIR-01", "time": t, "quantity": "pm25", "value": 8.5}
    first = post(client, key, [item, item]).json()
    assert (first["accepted"], first["duplicates"]) == (1, 1)
    # Same instant written another way (another offset) is the same reading.
    other = dict(item, time=datetime.fromisoformat(t).astimezone(UTC).isoformat())
    second = post(client, key, [other]).json()
    assert (second["accepted"], second["duplicates"]) == (0, 1)
    assert Reading.objects.filter(sensor=air).count() == 1
    agg = Aggregate.objects.get(sensor=air, quantity="pm25", period="h")
    assert agg.count == 1  # the duplicate did not touch the aggregates


def test_each_rejection_has_its_reason(
    client: Client, key: str, air: Any, other_tenant: Any
) -> None:
    SensorFactory(tenant=other_tenant, ref="FOREIGN", kind="air_quality")
    now = timezone.now()
    ok = iso(now - timedelta(minutes=1))
    lines: list[Any] = [
        {"sensor": "NOPE", "time": ok, "quantity": "pm25", "value": 1},
        {"sensor": "AIR-01", "time": ok, "quantity": "radon", "value": 1},
        {"sensor": "AIR-01", "time": ok, "quantity": "flow", "value": 1},
        {"sensor": "AIR-01", "time": ok, "quantity": "pm25", "value": -3},
        {"sensor": "AIR-01", "time": iso(now + timedelta(hours=2)), "quantity": "pm25", "value": 1},
        {"sensor": "AIR-01", "time": "2001-01-01T00:00:00Z", "quantity": "pm25", "value": 1},
        {"sensor": "AIR-01", "time": "2026-11-20T10:00:00", "quantity": "pm25", "value": 1},
        {"sensor": "AIR-01", "time": "hier", "quantity": "pm25", "value": 1},
        {"sensor": "AIR-01", "time": ok, "quantity": "pm25", "value": "12"},
        '{"sensor": "AIR-01", "time": "' + ok + '", "quantity": "pm25", "value": NaN}',
        "{not json",
        {"time": ok, "quantity": "pm25", "value": 1},
        {"sensor": "AIR-01", "time": ok},
        {"sensor": "FOREIGN", "time": ok, "quantity": "pm25", "value": 1},
        [1, 2],
        {"sensor": "AIR-01", "time": ok, "quantity": "pm25", "value": 7},
    ]
    body = post(client, key, lines, ndjson=True).json()
    assert body["accepted"] == 1
    assert body["rejected"] == 15
    reasons = [(e["index"], e["reason"]) for e in body["errors"]]
    assert reasons == [
        (0, "unknown_sensor"),
        (1, "unknown_quantity"),
        (2, "quantity_not_measured"),
        (3, "out_of_range"),
        (4, "future_time"),
        (5, "too_old"),
        (6, "missing_timezone"),
        (7, "invalid_time"),
        (8, "invalid_value"),
        (9, "invalid_json"),
        (10, "invalid_json"),
        (11, "missing_sensor"),
        (12, "missing_values"),
        (13, "unknown_sensor"),  # another collectivité's sensor is unknown here
        (14, "invalid_item"),
    ]
    assert all(e["message"] for e in body["errors"])
    assert Reading.objects.count() == 1


def test_messages_follow_the_client_language(client: Client, key: str, air: Any) -> None:
    item = {"sensor": "NOPE", "time": iso(timezone.now()), "quantity": "pm25", "value": 1}
    fr = post(client, key, [item]).json()["errors"][0]["message"]
    en = post(client, key, [item], HTTP_ACCEPT_LANGUAGE="en").json()["errors"][0]["message"]
    assert "Capteur inconnu" in fr
    assert en  # translated when the English catalogue has it; never empty


def test_auth_scope_and_content_type(client: Client, tenant: Any, air: Any) -> None:
    item = [{"sensor": "AIR-01", "time": iso(timezone.now()), "quantity": "pm25", "value": 1}]
    assert client.post(URL, json.dumps(item), content_type="application/json").status_code == 401
    read_only = api_key(tenant, "read")
    r = post(client, read_only, item)
    assert r.status_code == 403 and "message" in r.json()
    key = api_key(tenant, "sensors:write")
    r = client.post(URL, "a,b", content_type="text/csv", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 415
    r = client.post(URL, "{", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 400 and "message" in r.json()
    r = client.post(URL, '"x"', content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 400
    assert Reading.objects.count() == 0


def test_oversized_requests_are_refused_without_storing(
    client: Client, key: str, air: Any, settings: Any
) -> None:
    settings.SENSORS_MAX_BATCH_ITEMS = 3
    t = timezone.now()
    items = [
        {"sensor": "AIR-01", "time": iso(t - timedelta(minutes=i)), "quantity": "pm25", "value": 1}
        for i in range(4)
    ]
    r = post(client, key, items)
    assert r.status_code == 413 and "message" in r.json()
    settings.SENSORS_MAX_BATCH_ITEMS = 100
    settings.SENSORS_MAX_BODY_BYTES = 100
    r = post(client, key, items)
    assert r.status_code == 413
    assert Reading.objects.count() == 0


def test_aggregates_and_latest_value(client: Client, key: str, air: Any) -> None:
    base = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    items = [
        {
            "sensor": "AIR-01",
            "time": iso(base + timedelta(minutes=m)),
            "quantity": "pm25",
            "value": v,
        }
        for m, v in ((0, 10), (20, 20), (40, 30), (60, 4))
    ]
    # Sent newest first: the latest value must still be the most recent one.
    post(client, key, list(reversed(items)))
    hours = {
        a.start: (a.count, a.total, a.minimum, a.maximum)
        for a in Aggregate.objects.filter(sensor=air, period="h")
    }
    assert hours == {base: (3, 60.0, 10.0, 30.0), base + timedelta(hours=1): (1, 4.0, 4.0, 4.0)}
    day = Aggregate.objects.get(sensor=air, period="d")
    # Daily buckets start at local (Paris) midnight.
    assert day.start == datetime(2026, 11, 19, 23, 0, tzinfo=UTC)
    assert (day.count, day.total) == (4, 64.0)
    # An older reading arriving late updates the aggregates but not the latest value.
    post(
        client,
        key,
        [
            {
                "sensor": "AIR-01",
                "time": iso(base - timedelta(hours=3)),
                "quantity": "pm25",
                "value": 99,
            }
        ],
    )
    latest = LatestValue.objects.get(sensor=air, quantity="pm25")
    assert (latest.time, latest.value) == (base + timedelta(hours=1), 4.0)
    assert Aggregate.objects.get(sensor=air, period="d").count == 5
    assert Aggregate.objects.get(sensor=air, period="d").maximum == 99.0


def test_key_of_one_tenant_cannot_write_to_another(
    client: Client, tenant: Any, other_tenant: Any
) -> None:
    theirs = SensorFactory(tenant=other_tenant, ref="SHARED-REF", kind="air_quality")
    mine = SensorFactory(tenant=tenant, ref="SHARED-REF", kind="air_quality")
    key = api_key(tenant, "sensors:write")
    post(
        client,
        key,
        [{"sensor": "SHARED-REF", "time": iso(timezone.now()), "quantity": "pm25", "value": 3}],
    )
    assert Reading.objects.filter(sensor=mine).count() == 1
    assert Reading.objects.filter(sensor=theirs).count() == 0


def test_fast_and_general_paths_agree_on_edge_cases(
    client: Client, key: str, air: Any, tenant: Any
) -> None:
    SensorFactory(tenant=tenant, ref="OFF", kind="air_quality", is_active=False)
    ok = iso(timezone.now() - timedelta(minutes=1))
    lines: list[Any] = [
        {"sensor": "AIR-01", "time": ok, "values": None, "quantity": "pm25", "value": 1},
        {"sensor": "AIR-01", "time": ok, "quantity": "pm10", "value": True},
        {"sensor": "AIR-01", "time": ok, "values": {"no2": 12, "o3": 5000}},
        {"sensor": "OFF", "time": ok, "quantity": "pm25", "value": 1},
        {"sensor": 42, "time": ok, "quantity": "pm25", "value": 1},
        {"sensor": "AIR-01", "time": ok, "quantity": "pm25", "value": 1e400},
        {"sensor": ["AIR-01"], "time": ok, "quantity": "pm25", "value": 1},
        {"sensor": "AIR-01", "time": ok, "quantity": ["pm25"], "value": 1},
        {"sensor": "AIR-01", "time": ok, "quantity": "pm25", "value": 3},
    ]
    body = post(client, key, lines, ndjson=True).json()
    reasons = [(e["index"], e["quantity"], e["reason"]) for e in body["errors"]]
    assert reasons == [
        (0, "", "missing_values"),  # "values" present wins, even null
        (1, "pm10", "invalid_value"),  # a boolean is not a number
        (2, "o3", "out_of_range"),  # the valid no2 of the same item is kept
        (3, "", "inactive_sensor"),
        (4, "", "missing_sensor"),
        (5, "", "invalid_json"),  # 1e400 is not a finite double
        (6, "", "missing_sensor"),  # a list is no reference (and no server error)
        (7, "", "missing_values"),  # nor a quantity code
    ]
    assert body["accepted"] == 2
    stored = dict(Reading.objects.filter(sensor=air).values_list("quantity", "value"))
    assert stored == {"no2": 12.0, "pm25": 3.0}
