"""ChirpStack v4 uplink events (``application/{id}/device/{devEui}/event/up``, JSON).

Only what we need is read: ``deduplicationId`` (idempotency), ``time``,
``deviceInfo.{devEui, applicationId}``, ``fCnt``, ``fPort``, the base64 ``data`` and,
when the network server ran a codec, the decoded ``object``.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

TOPIC = re.compile(r"^application/(?P<app>[^/]+)/device/(?P<dev_eui>[0-9a-fA-F]{16})/event/up$")
_FRACTION = re.compile(r"(\.\d{6})\d+")


class UplinkError(ValueError):
    pass


@dataclass(frozen=True)
class Uplink:
    deduplication_id: str
    time: str | None
    dev_eui: str
    application_id: str
    f_cnt: int | None
    f_port: int | None
    data: bytes | None
    object: dict[str, Any] | None


def normalise_time(raw: str) -> str:
    """ChirpStack may send nanoseconds; Python reads at most microseconds."""
    return _FRACTION.sub(r"\1", raw)


def parse_uplink(message: Any) -> Uplink:
    if not isinstance(message, dict):
        raise UplinkError("uplink is not a JSON object")
    dedup = message.get("deduplicationId")
    if not isinstance(dedup, str) or not 0 < len(dedup) <= 80:
        raise UplinkError("missing or invalid deduplicationId")
    info = message.get("deviceInfo")
    if not isinstance(info, dict):
        raise UplinkError("missing deviceInfo")
    dev_eui = info.get("devEui")
    if not isinstance(dev_eui, str) or not re.fullmatch(r"[0-9a-fA-F]{16}", dev_eui):
        raise UplinkError("missing or invalid deviceInfo.devEui")
    data = None
    if message.get("data") not in (None, ""):
        if not isinstance(message["data"], str):
            raise UplinkError("data is not a base64 string")
        try:
            data = base64.b64decode(message["data"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise UplinkError(f"data is not valid base64: {exc}") from exc
    obj = message.get("object")
    if obj is not None and not isinstance(obj, dict):
        raise UplinkError("object is not a JSON object")
    time = message.get("time")
    if time is None:
        rx = message.get("rxInfo") or []
        time = rx[0].get("nsTime") if rx and isinstance(rx[0], dict) else None
    if time is not None and not isinstance(time, str):
        raise UplinkError("time is not a string")
    return Uplink(
        deduplication_id=dedup,
        time=normalise_time(time) if time else None,
        dev_eui=dev_eui.lower(),
        application_id=str(info.get("applicationId", ""))[:64],
        f_cnt=message.get("fCnt") if isinstance(message.get("fCnt"), int) else None,
        f_port=message.get("fPort") if isinstance(message.get("fPort"), int) else None,
        data=data,
        object=obj,
    )
