"""NGSI-LD export: entities valid against the Smart Data Models JSON Schemas."""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from territoire.sensors.ingestion import Candidate, store
from territoire.sensors.tests.factories import SensorFactory, api_key

SCHEMAS = Path(__file__).resolve().parent / "smart_data_models"
URL = "/api/v1/ngsi-ld/v1/entities"
# Where the schemas' remote $refs point, and the local copy to use instead.
EPANET = "https://raw.githubusercontent.com/smart-data-models/dataModel.WaterDistributionManagementEPANET/master/"
REMOTE = {
    "https://smart-data-models.github.io/data-models/common-schema.json": "common-schema.json",
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/"
    "Environment-schema.json": "Environment-schema.json",
    EPANET + "WaterNetworkManagement-schema.json": "WaterNetworkManagement-schema.json",
}


def validator(ngsi_type: str) -> Draft202012Validator:
    registry: Registry = Registry()
    for url, name in REMOTE.items():
        contents = json.loads((SCHEMAS / name).read_text())
        registry = registry.with_resource(url, Resource.from_contents(contents))
    schema = json.loads((SCHEMAS / f"{ngsi_type}.schema.json").read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


KINDS = {
    "air_quality": ("AirQualityObserved", {"pm25": 8.2, "pm10": 19.0, "no2": 30.5, "o3": 61.0}),
    "indoor_climate": (
        "IndoorEnvironmentObserved",
        {"temperature": 20.5, "co2": 1000, "occupancy": 24},
    ),
    "water_flow": ("WaterQualityObserved", {"flow": 31.4}),
    "water_pressure": ("Junction", {"pressure": 4.1}),
    "street_light": ("Streetlight", {"power": 30.0, "dimming": 50}),
    "waste_fill": ("WasteContainer", {"fill_level": 72}),
    "parking_spot": ("ParkingSpot", {"occupied": 1}),
}


@pytest.fixture
def fleet(tenant: Any) -> dict[str, Any]:
    now = timezone.now()
    sensors = {}
    for kind, (_type, values) in KINDS.items():
        sensor = SensorFactory(tenant=tenant, ref=f"S-{kind}", kind=kind, is_public=True)
        store([Candidate.of(sensor, q, now, float(v)) for q, v in values.items()])
        sensors[kind] = sensor
    return sensors


@pytest.mark.parametrize("kind", list(KINDS))
def test_entities_validate_against_smart_data_models(
    client: Client, tenant: Any, fleet: Any, kind: str
) -> None:
    ngsi_type, _values = KINDS[kind]
    r = client.get(URL, {"type": ngsi_type, "tenant": tenant.slug, "options": "keyValues"})
    assert r.status_code == 200
    entities = r.json()
    assert [e["id"] for e in entities] == [f"urn:ngsi-ld:{ngsi_type}:{tenant.slug}:S-{kind}"]
    errors = sorted(validator(ngsi_type).iter_errors(entities[0]), key=str)
    assert not errors, [e.message for e in errors]
    # jsonschema checks "date-time" only with an extra package: check it here.
    for name in ("dateObserved", "timeInstant", "observationDateTime"):
        if name in entities[0]:
            assert datetime.fromisoformat(entities[0][name]).tzinfo is not None


def test_values_follow_each_models_units(client: Client, tenant: Any, fleet: Any) -> None:
    def one(ngsi_type: str) -> dict[str, Any]:
        return client.get(
            URL, {"type": ngsi_type, "tenant": tenant.slug, "options": "keyValues"}
        ).json()[0]

    indoor = one("IndoorEnvironmentObserved")
    assert indoor["co2"] == pytest.approx(1.8)  # 1,000 ppm in mg/L
    assert indoor["peopleCount"] == 24
    assert one("WasteContainer")["fillingLevel"] == 0.72
    light = one("Streetlight")
    assert (light["powerState"], light["illuminanceLevel"], light["powerConsumption"]) == (
        "low",
        0.5,
        30.0,
    )
    assert one("ParkingSpot")["status"] == "occupied"
    assert one("Junction")["pressure"]["value"] == 4.1


def test_normalized_form_and_json_ld_context(client: Client, tenant: Any, fleet: Any) -> None:
    r = client.get(
        URL,
        {"type": "AirQualityObserved", "tenant": tenant.slug},
        HTTP_ACCEPT="application/ld+json",
    )
    assert r["Content-Type"] == "application/ld+json"
    entity = r.json()[0]
    assert "@context" in entity
    assert entity["location"]["type"] == "GeoProperty"
    assert entity["pm25"]["type"] == "Property" and entity["pm25"]["value"] == 8.2
    assert "observedAt" in entity["pm25"]
    plain = client.get(URL, {"type": "AirQualityObserved", "tenant": tenant.slug})
    assert plain["Content-Type"] == "application/json" and "Link" in plain
    # By id, with the simplified representation.
    eid = entity["id"]
    by_id = client.get(f"{URL}/{eid}", {"options": "keyValues"})
    assert by_id.status_code == 200 and by_id.json()["pm25"] == 8.2


def test_private_sensors_need_a_read_key_and_tenants_stay_apart(
    client: Client, tenant: Any, other_tenant: Any
) -> None:
    SensorFactory(tenant=tenant, ref="PRIVATE", kind="waste_fill", is_public=False)
    SensorFactory(tenant=other_tenant, ref="THEIRS", kind="waste_fill", is_public=True)
    anonymous = client.get(URL, {"type": "WasteContainer", "tenant": tenant.slug}).json()
    assert anonymous == []
    key = api_key(tenant, "read")
    with_key = client.get(
        URL, {"type": "WasteContainer"}, HTTP_AUTHORIZATION=f"Bearer {key}"
    ).json()
    assert [e["id"].rsplit(":", 1)[1] for e in with_key] == ["PRIVATE"]
    eid = f"urn:ngsi-ld:WasteContainer:{tenant.slug}:PRIVATE"
    assert client.get(f"{URL}/{eid}").status_code == 404
    assert client.get(f"{URL}/{eid}", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    # The key of one collectivité does not open another's entities.
    theirs = f"urn:ngsi-ld:WasteContainer:{other_tenant.slug}:THEIRS"
    assert client.get(f"{URL}/{theirs}", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 403


def test_bad_requests(client: Client, tenant: Any) -> None:
    assert client.get(URL, {"type": "Pizza", "tenant": tenant.slug}).status_code == 400
    assert client.get(URL, {"type": "WasteContainer"}).status_code == 400  # no tenant
    assert client.get(f"{URL}/urn:ngsi-ld:Nope:x:y").status_code == 404
    assert client.get(URL, {"tenant": tenant.slug, "limit": 5000}).status_code == 422


def test_the_validator_does_reject_invalid_entities() -> None:
    """Guard against a schema registry that silently accepts anything."""
    entity = {
        "id": "urn:ngsi-ld:ParkingSpot:x:1",
        "type": "ParkingSpot",
        "location": {"type": "Point", "coordinates": [-1.1, 46.1]},
        "status": "parked",  # not in the enumeration
        "category": ["onStreet"],
        "refParkingSite": "urn:ngsi-ld:ParkingSite:x:p",
    }
    assert list(validator("ParkingSpot").iter_errors(entity))
    del entity["status"]
    assert list(validator("ParkingSpot").iter_errors(entity))
    air = {
        "id": "a",
        "type": "AirQualityObserved",
        "dateObserved": "2026-11-20T10:00:00Z",
        "location": {"type": "Point", "coordinates": [-1.1, 46.1]},
        "pm25": -4,
    }
    assert list(validator("AirQualityObserved").iter_errors(air))
