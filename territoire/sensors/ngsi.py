"""NGSI-LD entities of the sensors' latest state, following the FIWARE Smart Data Models.

Each exported kind maps to one model (catalog.Kind.ngsi_type). ``key_values`` builds
the simplified representation, which is what the Smart Data Models' JSON Schemas
describe (tests validate it against them); ``normalized`` wraps it into NGSI-LD
Properties, GeoProperties and Relationships. Units follow each model's definitions,
e.g. CO₂ in mg/L for IndoorEnvironmentObserved and fill levels as a 0–1 fraction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from territoire.sensors.catalog import KINDS
from territoire.sensors.models import Sensor

CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
SDM_CONTEXT = "https://smartdatamodels.org/context.jsonld"
CONTEXT = [SDM_CONTEXT, CORE_CONTEXT]

# 1 ppm of CO₂ at 25 °C and 1 atm weighs 1.80 mg/m³, i.e. 0.0018 mg/L.
CO2_PPM_TO_MG_PER_L = 0.0018

TYPES = sorted({k.ngsi_type for k in KINDS.values() if k.ngsi_type})


def entity_id(sensor: Sensor, ngsi_type: str) -> str:
    return f"urn:ngsi-ld:{ngsi_type}:{sensor.tenant.slug}:{sensor.ref}"


def device_id(sensor: Sensor) -> str:
    return f"urn:ngsi-ld:Device:{sensor.tenant.slug}:{sensor.ref}"


def parse_entity_id(value: str) -> tuple[str, str, str] | None:
    """(type, tenant slug, ref) of one of our entity ids, or None."""
    parts = value.split(":")
    if len(parts) != 5 or parts[:2] != ["urn", "ngsi-ld"] or parts[2] not in TYPES:
        return None
    return parts[2], parts[3], parts[4]


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def exportable(sensor: Sensor) -> bool:
    return bool(KINDS[sensor.kind].ngsi_type) and sensor.lon is not None and sensor.lat is not None


def key_values(sensor: Sensor) -> dict[str, Any]:
    """The simplified NGSI-LD entity of ``sensor`` (latest values prefetched)."""
    ngsi_type = KINDS[sensor.kind].ngsi_type
    latest = {lv.quantity: lv for lv in sensor.latest_values.all()}
    observed = max((lv.time for lv in latest.values()), default=None)
    value = {q: lv.value for q, lv in latest.items()}
    entity: dict[str, Any] = {
        "id": entity_id(sensor, ngsi_type),
        "type": ngsi_type,
        "name": sensor.name,
        "location": {"type": "Point", "coordinates": [sensor.lon, sensor.lat]},
        "dataProvider": sensor.operator or sensor.tenant.name,
    }
    if sensor.district is not None:
        entity["areaServed"] = sensor.district.name
    when = _iso(observed) if observed else None
    if ngsi_type == "AirQualityObserved":
        entity["dateObserved"] = when or _iso(sensor.created)
        entity["typeofLocation"] = "outdoor"
        entity.update({q: round(value[q], 1) for q in ("pm25", "pm10", "no2", "o3") if q in value})
    elif ngsi_type == "IndoorEnvironmentObserved":
        entity["dateObserved"] = when or _iso(sensor.created)
        entity["refDevice"] = device_id(sensor)
        if "temperature" in value:
            entity["temperature"] = value["temperature"]
        if "co2" in value:
            entity["co2"] = round(value["co2"] * CO2_PPM_TO_MG_PER_L, 4)
        if "occupancy" in value:
            entity["peopleCount"] = value["occupancy"]
    elif ngsi_type == "WaterQualityObserved":
        entity["dateObserved"] = when or _iso(sensor.created)
        if "flow" in value:
            entity["flow"] = value["flow"]
    elif ngsi_type == "Junction":
        entity["tag"] = str(
            sensor.extra.get("dma") or (sensor.district.name if sensor.district else "")
        )
        if "pressure" in value:
            entity["pressure"] = {"value": value["pressure"], "observedBy": device_id(sensor)}
    elif ngsi_type == "Streetlight":
        entity["status"] = "ok"
        power, dimming = value.get("power"), value.get("dimming")
        if power is not None:
            entity["powerConsumption"] = power
        if dimming is not None:
            entity["illuminanceLevel"] = round(dimming / 100, 2)
        if power is not None or dimming is not None:
            off = (power is not None and power == 0) or dimming == 0
            entity["powerState"] = "off" if off else ("low" if (dimming or 100) < 100 else "on")
        if when:
            entity["observationDateTime"] = when
    elif ngsi_type == "WasteContainer":
        entity["status"] = "ok"
        entity["category"] = [sensor.extra.get("container_category", "ground")]
        if "fill_level" in value:
            entity["fillingLevel"] = round(value["fill_level"] / 100, 3)
        if when:
            entity["timeInstant"] = when
    elif ngsi_type == "ParkingSpot":
        occupied = value.get("occupied")
        entity["status"] = (
            "unknown" if occupied is None else ("occupied" if occupied >= 0.5 else "free")
        )
        entity["category"] = [sensor.extra.get("parking_category", "onStreet")]
        site = sensor.extra.get("parking_site") or (
            sensor.district.slug if sensor.district else "commune"
        )
        entity["refParkingSite"] = f"urn:ngsi-ld:ParkingSite:{sensor.tenant.slug}:{site}"
        if when:
            entity["timeInstant"] = when
    return entity


RELATIONSHIPS = {"refDevice", "refParkingSite"}


def normalized(entity: dict[str, Any], observed_at: str | None = None) -> dict[str, Any]:
    """NGSI-LD normalized form of a key-values entity."""
    out: dict[str, Any] = {"id": entity["id"], "type": entity["type"]}
    for key, value in entity.items():
        if key in ("id", "type"):
            continue
        if key == "location":
            out[key] = {"type": "GeoProperty", "value": value}
        elif key in RELATIONSHIPS:
            out[key] = {"type": "Relationship", "object": value}
        else:
            out[key] = {"type": "Property", "value": value}
            if observed_at and isinstance(value, int | float):
                out[key]["observedAt"] = observed_at
    return out


def entity(sensor: Sensor, *, simplified: bool) -> dict[str, Any]:
    kv = key_values(sensor)
    if simplified:
        return kv
    observed = kv.get("dateObserved") or kv.get("timeInstant") or kv.get("observationDateTime")
    return normalized(kv, observed)
