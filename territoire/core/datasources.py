"""The open-data port: how modules offer their data for publication without importing opendata.

A business app (reports, participation, procedures, sensors…) registers a
:class:`DataSource` in its ``AppConfig.ready``: what the dataset is, its columns, which of
them are personal or quasi-identifying, and a function yielding its rows for one tenant.
The open data portal lists the registered sources, runs every extraction through its
privacy gate (personal columns dropped or pseudonymised, k-anonymity on
quasi-identifiers, small counts suppressed) and publishes the result on a schedule or when
the module publishes :class:`territoire.core.events.DatasetSourceChanged`.

Sources describe facts about their data; the gate decides what may leave. A source must
therefore flag every column that names, contacts or locates a person, even if it
expects the gate to drop it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from territoire.core.models import LocalAuthority

ColumnType = Literal[
    "string", "integer", "number", "boolean", "date", "datetime", "geopoint", "year"
]
Frequency = Literal["daily", "weekly", "monthly", "quarterly", "annual", "irregular"]


@dataclass(frozen=True, kw_only=True)
class Column:
    name: str  # machine name, ASCII snake_case (the header of the published file)
    title: str  # French label
    type: ColumnType = "string"
    description: str = ""
    # Directly identifying (name, e-mail, phone, account id, free text that may name
    # someone): the gate drops it, or replaces it with a keyed hash if ``pseudonymise``.
    personal: bool = False
    pseudonymise: bool = False
    # Not identifying alone but may single a person out combined with others (district,
    # birth year, exact date, precise location): the gate checks k-anonymity on them.
    quasi_identifier: bool = False
    # The column counts people (participants, voters, residents): a row whose count is
    # below the gate's threshold (11 by default) is suppressed.
    counts_people: bool = False


@dataclass(frozen=True, kw_only=True)
class DataSource:
    code: str  # unique, "<module>.<name>", e.g. "reports.requests"
    module: str  # the app label of the module that owns it
    title: str  # French title of the dataset it feeds
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[LocalAuthority], Iterable[dict[str, Any]]]
    keywords: tuple[str, ...] = ()
    # EU data theme codes (http://publications.europa.eu/resource/authority/data-theme/…)
    themes: tuple[str, ...] = ()
    frequency: Frequency = "daily"
    # Names of the longitude/latitude columns when the rows are points.
    lon_column: str = ""
    lat_column: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


_sources: dict[str, DataSource] = {}


def register_source(source: DataSource) -> None:
    names = [c.name for c in source.columns]
    if len(names) != len(set(names)):
        raise ValueError(f"{source.code}: duplicate column names")
    _sources[source.code] = source


def sources() -> list[DataSource]:
    return sorted(_sources.values(), key=lambda s: s.code)


def get_source(code: str) -> DataSource | None:
    return _sources.get(code)
