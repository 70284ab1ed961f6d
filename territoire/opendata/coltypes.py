"""Column types: inferred from a sample of the rows, or taken from a Table Schema.

Types are the Table Schema ones the API can filter and sort on: integer, number,
boolean, date, datetime, string (plus ``geojson`` for a geometry column). French habits
are accepted on input (``12,5``, ``31/12/2025``, ``oui``/``non``) and stored canonically
(``12.5``, ``2025-12-31``, true/false).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

TYPES = ("integer", "number", "boolean", "date", "datetime", "string", "geojson")
_INT = re.compile(r"^[+-]?\d{1,18}$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([ \u202f\xa0]\d{3})+([.,]\d+)?$")
_SIMPLE_FLOAT = re.compile(r"-?\d+(\.\d+)?$")
_NUM = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_DATE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_FR = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
TRUE = {"true", "vrai", "oui", "1", "yes", "o", "t"}
FALSE = {"false", "faux", "non", "0", "no", "n", "f"}


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def to_integer(v: Any) -> int:
    if type(v) is str and v.isdigit() and len(v) < 19:
        return int(v)
    if isinstance(v, bool):
        raise ValueError
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    s = str(v).strip()
    if not _INT.match(s):
        raise ValueError
    return int(s)


def to_number(v: Any) -> float:
    if type(v) is str and _SIMPLE_FLOAT.match(v):
        return float(v)
    if isinstance(v, bool):
        raise ValueError
    if isinstance(v, int | float):
        return float(v)
    s = str(v).strip()
    if _GROUPED.match(s):  # "1 234,5": French thousands separators
        s = s.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if not _NUM.match(s):
        raise ValueError
    return float(s.replace(",", "."))


def to_boolean(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in TRUE:
        return True
    if s in FALSE:
        return False
    raise ValueError


def to_date(v: Any) -> str:
    if type(v) is str and len(v) == 10 and v[4] == "-" and v[7] == "-":
        date.fromisoformat(v)  # validates; the text is already canonical
        return v
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    s = str(v).strip()
    if _DATE_ISO.match(s):
        return date.fromisoformat(s).isoformat()
    m = _DATE_FR.match(s)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    if len(s) > 10 and _DATE_ISO.match(s[:10]) and s[10] in "T ":
        # "2025-03-01T00:00:00" from a spreadsheet cell holding a date
        return date.fromisoformat(s[:10]).isoformat()
    raise ValueError


def to_datetime(v: Any) -> str:
    if isinstance(v, datetime):
        return v.isoformat()
    s = str(v).strip()
    if not _DATETIME.match(s):
        raise ValueError
    datetime.fromisoformat(s.replace("Z", "+00:00"))
    return s.replace(" ", "T", 1)


def to_string(v: Any) -> str:
    return v if isinstance(v, str) else str(v)


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "integer": to_integer,
    "number": to_number,
    "boolean": to_boolean,
    "date": to_date,
    "datetime": to_datetime,
    "string": to_string,
    "geojson": to_string,
}


def infer_types(header: Sequence[str], sample: Sequence[Sequence[Any]]) -> list[str]:
    """The narrowest type that every non-blank sampled value of each column fits."""
    order = ("integer", "number", "boolean", "date", "datetime")
    types = []
    for i, _name in enumerate(header):
        values = [row[i] for row in sample if not _blank(row[i])]
        chosen = "string"
        if values:
            for t in order:
                conv = CONVERTERS[t]
                try:
                    for v in values:
                        conv(v)
                except (ValueError, TypeError, OverflowError):
                    continue
                if t == "boolean" and all(str(v).strip() in ("0", "1") for v in values):
                    continue  # 0/1 columns are integers
                chosen = t
                break
        types.append(chosen)
    return types


class TypeMismatch(Exception):
    def __init__(self, column: int, value: Any) -> None:
        self.column = column
        self.value = value
        super().__init__(f"column {column}: {value!r}")


def converter(types: Sequence[str]) -> Callable[[Sequence[Any]], list[Any]]:
    """A function turning a raw row into typed values (None for blanks).

    The common case runs as one list comprehension; only a row that fails is converted
    again cell by cell, to tell which column and value are at fault.
    """
    convs = [CONVERTERS[t] for t in types]
    pairs = list(enumerate(convs))
    fast = [None if t in ("string", "geojson") else c for t, c in zip(types, convs, strict=True)]

    def slow(row: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for i, conv in pairs:
            v = row[i]
            if v is None or v == "":
                out.append(None)
                continue
            try:
                out.append(conv(v))
            except (ValueError, TypeError, OverflowError):
                if isinstance(v, str) and not v.strip():
                    out.append(None)
                    continue
                raise TypeMismatch(i, v) from None
        return out

    def convert(row: Sequence[Any]) -> list[Any]:
        try:
            return [
                None
                if v is None or v == ""
                else (v if c is None and type(v) is str else (c or to_string)(v))
                for c, v in zip(fast, row, strict=True)
            ]
        except (ValueError, TypeError, OverflowError):
            return slow(row)

    return convert


def column_converter(kind: str, index: int) -> Callable[[Sequence[Any]], list[Any]]:
    """Converts one column of a batch at once (much faster than cell by cell)."""
    conv = CONVERTERS[kind]
    if kind in ("string", "geojson"):

        def text(col: Sequence[Any]) -> list[Any]:
            return [
                None if v is None or v == "" else (v if type(v) is str else str(v)) for v in col
            ]

        return text

    def typed(col: Sequence[Any]) -> list[Any]:
        try:
            return [None if v is None or v == "" else conv(v) for v in col]
        except (ValueError, TypeError, OverflowError):
            out: list[Any] = []
            for v in col:
                if v is None or (isinstance(v, str) and not v.strip()):
                    out.append(None)
                    continue
                try:
                    out.append(conv(v))
                except (ValueError, TypeError, OverflowError):
                    raise TypeMismatch(index, v) from None
            return out

    return typed


def parse_value(kind: str, raw: str) -> Any:
    """A filter value from the query string, typed like its column (ValueError if not)."""
    return CONVERTERS[kind](raw)
