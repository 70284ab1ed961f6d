import base64

import pytest

from territoire.sensors.decoders import DecodeError, decode
from territoire.sensors.tests.factories import fixture


def _data(name: str) -> bytes:
    return base64.b64decode(fixture(name)["data"])


def test_water_meter_decodes_recorded_uplink() -> None:
    assert decode("water_meter_v1", _data("water_meter_uplink.json")) == {
        "flow": 12.34,
        "pressure": 4.21,
    }


def test_water_meter_without_pressure_probe_returns_flow_only() -> None:
    assert decode("water_meter_v1", bytes.fromhex("8000640000")) == {"flow": 1.0}


def test_fill_level_uses_the_profile_geometry() -> None:
    data = _data("fill_level_uplink.json")  # 500 mm to the waste
    # Default 1,200 mm deep, 50 mm offset: 450 mm empty → 62.5 % full.
    assert decode("fill_level_v1", data) == {"fill_level": 62.5}
    # A deeper container is fuller for the same echo.
    assert decode("fill_level_v1", data, {"depth_mm": 1400, "offset_mm": 60}) == {
        "fill_level": 68.6
    }


def test_fill_level_clamps_and_refuses_missing_echo() -> None:
    assert decode("fill_level_v1", bytes.fromhex("00001401")) == {"fill_level": 100.0}
    assert decode("fill_level_v1", bytes.fromhex("27101401")) == {"fill_level": 0.0}
    with pytest.raises(DecodeError):
        decode("fill_level_v1", bytes.fromhex("ffff1401"))


def test_indoor_climate_tlv() -> None:
    values = decode("indoor_climate_v1", _data("indoor_climate_uplink_decoded.json"))
    assert values == {"temperature": 21.0, "co2": 952, "occupancy": 18}
    # Negative temperatures are signed; humidity (0x02) is skipped.
    assert decode("indoor_climate_v1", bytes.fromhex("01ffec022a")) == {"temperature": -2.0}


@pytest.mark.parametrize(
    ("code", "payload"),
    [
        ("indoor_climate_v1", "01d2"),  # truncated value
        ("indoor_climate_v1", "99"),  # unknown type
        ("indoor_climate_v1", ""),
        ("water_meter_v1", "0004d2"),
        ("air_quality_v1", "00"),
        ("street_light_v1", "01"),
        ("parking_v1", ""),
        ("people_counter_v1", "000102"),
        ("no_such_decoder", "00"),
    ],
)
def test_bad_payloads_raise(code: str, payload: str) -> None:
    with pytest.raises(DecodeError):
        decode(code, bytes.fromhex(payload))


def test_other_decoders() -> None:
    assert decode("air_quality_v1", bytes.fromhex("007d00faffff0190")) == {
        "pm25": 12.5,
        "pm10": 25.0,
        "o3": 40.0,
    }
    assert decode("street_light_v1", bytes.fromhex("025832")) == {"power": 60.0, "dimming": 50.0}
    assert decode("parking_v1", b"\x01") == {"occupied": 1.0}
    assert decode("parking_v1", b"\x02") == {"occupied": 0.0}
    assert decode("people_counter_v1", bytes.fromhex("002a0010")) == {"count": 42.0}
