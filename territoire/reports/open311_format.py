"""Open311 output: JSON and XML writers and the rows of ``GET requests``.

The list of requests is the API's hot path (up to 1,000 rows per answer), so it avoids
what costs per row: ORM instances, Django's per-value converters, recursive XML
rendering and the pure-Python JSON encoder. The bytes are the same as those of the
generic writers (``to_xml`` and ``json.dumps(ensure_ascii=False, separators=(",", ":"))``);
``tests/test_open311_fast.py`` holds them to a frozen copy of the original serialiser.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

import orjson
from django.utils import timezone

from territoire.reports.models import CLOSED_STATUSES

XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>'
LIST_TAGS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# The columns of a request row, in the order of the SQL select (see ``ROW_COLUMNS``).
ROW_COLUMNS = (
    "pk",
    "status",
    "status_notes",
    "category__name",
    "category__service_code",
    "category__operator_name",
    "assigned_service__name",
    "category__service__name",
    "description",
    "requested_at",
    "updated_at",
    "expected_at",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "lon",
    "media_url",
    "photo_id",
)


# --- JSON ---------------------------------------------------------------------------


def _float_differs(value: float) -> bool:
    """True where orjson would not write the float as ``json.dumps`` does.

    Both write the shortest round-tripping digits, but orjson spells 1e-05 as 0.00001
    and writes NaN and infinities as null.
    """
    return not math.isfinite(value) or (value != 0.0 and abs(value) < 1e-4)


def _orjson_safe(data: Any) -> bool:
    if isinstance(data, float):
        return not _float_differs(data)
    if isinstance(data, dict):
        return all(_orjson_safe(v) for v in data.values())
    if isinstance(data, list | tuple):
        return all(_orjson_safe(v) for v in data)
    return True


def dumps_json(data: Any) -> bytes:
    """Compact UTF-8 JSON, byte for byte what ``json.dumps`` writes, at orjson's speed."""
    if _orjson_safe(data):
        try:
            return orjson.dumps(data)
        except TypeError:  # e.g. a lone surrogate in a string: let json decide
            pass
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def dumps_requests(rows: list[dict[str, Any]]) -> bytes:
    """``dumps_json`` for request rows, whose only floats are ``lat`` and ``long``."""
    differs = _float_differs
    for row in rows:
        lat, lon = row["lat"], row["long"]
        if (lat is not None and differs(lat)) or (lon is not None and differs(lon)):
            return dumps_json(rows)
    try:
        return orjson.dumps(rows)
    except TypeError:
        return dumps_json(rows)


# --- XML ----------------------------------------------------------------------------


def _xml_value(tag: str, value: Any) -> str:
    if value is None or value == "":
        return f"<{tag}/>" if value == "" else f"<{tag}></{tag}>"
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(_xml_value(k, v) for k, v in value.items()) + f"</{tag}>"
    if isinstance(value, list):
        child = LIST_TAGS.get(tag, "item")
        return f"<{tag}>" + "".join(_xml_value(child, v) for v in value) + f"</{tag}>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _xml_item(tag: str, item: Any, out: list[str]) -> None:
    """``_xml_value(tag, item)`` appended to ``out``, flat dicts of strings inlined."""
    if type(item) is not dict:
        out.append(_xml_value(tag, item))
        return
    out.append(f"<{tag}>")
    for key, value in item.items():
        if value is None:
            out.append(f"<{key}></{key}>")
        elif type(value) is str:
            if not value:
                out.append(f"<{key}/>")
            elif "&" in value or "<" in value or ">" in value:
                out.append(f"<{key}>{escape(value)}</{key}>")
            else:
                out.append(f"<{key}>{value}</{key}>")
        else:
            out.append(_xml_value(key, value))
    out.append(f"</{tag}>")


def to_xml(root: str, item: str | None, data: Any) -> str:
    """The XML document: ``<root>`` holding ``data``, or a list of ``<item>``."""
    if item is None:
        return XML_HEAD + _xml_value(root, data)
    out = [XML_HEAD, f"<{root}>"]
    for d in data:
        _xml_item(item, d, out)
    out.append(f"</{root}>")
    return "".join(out)


# --- Rows of GET requests ------------------------------------------------------------


class LocalIso:
    """ISO 8601 to the second, with the offset of ``tz``, from raw database datetimes.

    Values are ISO text (naive UTC from SQLite, with an offset from PostgreSQL) or
    datetimes (naive ones are UTC). The zone is asked once per UTC day: on a day where
    its offset does not change (all but the two DST days of a year) the local time is
    the UTC time plus that offset, which halves the cost of
    ``astimezone(tz).isoformat()`` over 3,000 dates per answer.
    """

    def __init__(self, tz: Any) -> None:
        self.tz = tz
        self.days: dict[int, tuple[timedelta, str] | None] = {}

    def _day(self, ordinal: int) -> tuple[timedelta, str] | None:
        start = datetime.fromordinal(ordinal).replace(tzinfo=UTC).astimezone(self.tz)
        end = (datetime.fromordinal(ordinal + 1).replace(tzinfo=UTC) - _TICK).astimezone(self.tz)
        offset = start.utcoffset()
        if offset is None or end.utcoffset() != offset:
            return None
        return offset, start.isoformat(timespec="seconds")[19:]

    def __call__(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is not None and value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        ordinal = value.toordinal()
        try:
            shift = self.days[ordinal]
        except KeyError:
            shift = self.days[ordinal] = self._day(ordinal)
        if shift is None:  # the zone changes its offset on this day: ask it
            return value.replace(tzinfo=UTC).astimezone(self.tz).isoformat(timespec="seconds")
        # isoformat() always starts with the 19 characters YYYY-MM-DDTHH:MM:SS.
        return (value + shift[0]).isoformat(timespec="seconds")[:19] + shift[1]


_TICK = timedelta(microseconds=1)


def rows_from_tuples(records: Iterable[Sequence[Any]], photo_prefix: str) -> list[dict[str, Any]]:
    """Open311 request dicts from raw tuples in ``ROW_COLUMNS`` order.

    ``photo_prefix`` is the absolute URL of the photos up to the photo id.
    """
    iso = LocalIso(timezone.get_current_timezone())
    closed = CLOSED_STATUSES
    rows = []
    for record in records:
        (pk, status, notes, cname, code, operator, assigned, team, desc, requested,
         updated, expected, address, addr_id, zipcode, lat, lon, media, photo) = record  # fmt: skip
        rows.append(
            {
                "service_request_id": str(pk),
                "status": "closed" if status in closed else "open",
                "status_notes": notes,
                "service_name": cname or "",
                "service_code": code or "",
                "description": desc,
                "agency_responsible": operator or assigned or team or "",
                "service_notice": "",
                "requested_datetime": iso(requested),
                "updated_datetime": iso(updated),
                "expected_datetime": iso(expected),
                "address": address,
                "address_id": addr_id,
                "zipcode": zipcode,
                "lat": lat,
                "long": lon,
                "media_url": f"{photo_prefix}{photo}.jpg" if photo else media,
            }
        )
    return rows
