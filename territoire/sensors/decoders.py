"""Payload decoders: raw LoRaWAN bytes of a device model → quantity values.

Each decoder is a pure function ``(payload, params) -> {quantity: value}`` that raises
:class:`DecodeError` on bytes it cannot read. Formats are big-endian, as most LoRaWAN
devices send them; ``params`` come from the device profile (e.g. a container's depth).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

Decoder = Callable[[bytes, dict[str, Any]], dict[str, float]]


class DecodeError(ValueError):
    pass


_decoders: dict[str, tuple[Any, Decoder]] = {}


def decoder(code: str, label: Any) -> Callable[[Decoder], Decoder]:
    def register(fn: Decoder) -> Decoder:
        _decoders[code] = (label, fn)
        return fn

    return register


def decode(code: str, payload: bytes, params: dict[str, Any] | None = None) -> dict[str, float]:
    if code not in _decoders:
        raise DecodeError(f"unknown decoder {code!r}")
    return _decoders[code][1](payload, params or {})


def decoder_choices() -> list[tuple[str, Any]]:
    return [(code, label) for code, (label, _fn) in _decoders.items()]


def _expect(payload: bytes, length: int) -> None:
    if len(payload) != length:
        raise DecodeError(f"expected {length} bytes, got {len(payload)}")


@decoder("water_meter_v1", _("Compteur d'eau de secteur (débit, pression)"))
def water_meter(payload: bytes, params: dict[str, Any]) -> dict[str, float]:
    """5 bytes: status flags (u8), flow in 0.01 m³/h (u16), pressure in mbar (u16).

    Flag bit 7 set means the pressure probe is absent: only the flow is returned.
    """
    _expect(payload, 5)
    flags, flow, pressure = struct.unpack(">BHH", payload)
    values = {"flow": round(flow / 100, 2)}
    if not flags & 0x80:
        values["pressure"] = round(pressure / 1000, 3)
    return values


@decoder("fill_level_v1", _("Sonde de remplissage ultrason"))
def fill_level(payload: bytes, params: dict[str, Any]) -> dict[str, float]:
    """4 bytes: distance to the waste in mm (u16), temperature in °C (s8), battery % (u8).

    Fill level = share of the container depth (``depth_mm``, default 1,200) that is
    full, once the sensor's mounting offset (``offset_mm``, default 50) is removed.
    """
    _expect(payload, 4)
    distance, _temperature, _battery = struct.unpack(">HbB", payload)
    if distance == 0xFFFF:
        raise DecodeError("no echo (distance 0xFFFF)")
    depth = float(params.get("depth_mm", 1200))
    offset = float(params.get("offset_mm", 50))
    empty_part = min(max(distance - offset, 0.0), depth)
    return {"fill_level": round(100 * (depth - empty_part) / depth, 1)}


# Type-length-value codes of the indoor climate sensor (an Elsys-like format).
_TLV = {
    0x01: ("temperature", 2, True, 10),
    0x06: ("co2", 2, False, 1),
    0x11: ("occupancy", 1, False, 1),
}
_TLV_SKIP = {0x02: 1, 0x04: 2, 0x07: 2}  # humidity, light, battery voltage: not stored


@decoder("indoor_climate_v1", _("Capteur d'ambiance (température, CO₂, présence)"))
def indoor_climate(payload: bytes, params: dict[str, Any]) -> dict[str, float]:
    """A sequence of (type u8, value): temperature s16 0.1 °C, CO₂ u16 ppm, occupancy u8."""
    values: dict[str, float] = {}
    i = 0
    while i < len(payload):
        code = payload[i]
        i += 1
        if code in _TLV:
            name, size, signed, scale = _TLV[code]
            if i + size > len(payload):
                raise DecodeError(f"truncated value for type 0x{code:02x}")
            raw = int.from_bytes(payload[i : i + size], "big", signed=signed)
            values[name] = raw / scale
            i += size
        elif code in _TLV_SKIP:
            i += _TLV_SKIP[code]
        else:
            raise DecodeError(f"unknown type 0x{code:02x} at byte {i - 1}")
    if not values:
        raise DecodeError("empty payload")
    return values


@decoder("air_quality_v1", _("Micro-capteur de qualité de l'air"))
def air_quality(payload: bytes, params: dict[str, Any]) -> dict[str, float]:
    """8 bytes: PM2.5, PM10, NO₂, O₃ in 0.1 µg/m³ (u16 each); 0xFFFF = not measured."""
    _expect(payload, 8)
    values = {}
    for name, raw in zip(
        ("pm25", "pm10", "no2", "o3"), struct.unpack(">HHHH", payload), strict=True
    ):
        if raw != 0xFFFF:
            values[name] = raw / 10
    return values


@decoder("street_light_v1", _("Contrôleur de luminaire"))
def street_light(payload: bytes, params: dict[str, Any]) -> dict[str, float]:
    """3 bytes: power in 0.1 W (u16), dimming level in % (u8)."""
    _expect(payload, 3)
    power, dimming = struct.unpack(">HB", payload)
    return {"power": power / 10, "dimming": float(dimming)}


@decoder("parking_v1", _("Capteur de place de stationnement"))
def parking(payload: bytes, params: dict[str, Any]) -> dict[str, float]:
    """1 byte: bit 0 set when a vehicle is detected."""
    _expect(payload, 1)
    return {"occupied": float(payload[0] & 0x01)}


@decoder("people_counter_v1", _("Compteur de passages"))
def people_counter(payload: bytes, params: dict[str, Any]) -> dict[str, float]:
    """4 bytes: entries (u16) and exits (u16) since the last uplink; stores entries."""
    _expect(payload, 4)
    entries, _exits = struct.unpack(">HH", payload)
    return {"count": float(entries)}
