"""The tabular query language shared by the API and the preview pages.

``?<column>__<op>=<value>`` filters (``eq`` when ``__<op>`` is omitted; ``in`` takes a
comma-separated list), ``sort=<column>`` or ``sort=-<column>``, ``columns=a,b,c``,
``page_size`` (1–1000), ``cursor`` (the opaque value of the ``next`` link). Unknown
columns or operators, values of the wrong type and bad page sizes raise
:class:`QueryError` with a French message (the API answers 400).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from territoire.opendata.coltypes import parse_value
from territoire.opendata.storage import OPERATORS, Filter, cursor_signature, decode_cursor

RESERVED = {"tenant", "api_key", "format", "columns", "sort", "page_size", "cursor", "page"}
MAX_PAGE = 1000
DEFAULT_PAGE = 50
MAX_IN = 100


class QueryError(ValueError):
    pass


@dataclass
class RowQuery:
    select: list[dict[str, Any]]  # column metadata, in output order
    filters: list[Filter] = field(default_factory=list)
    sort: dict[str, Any] | None = None
    descending: bool = False
    cursor: str | None = None
    page_size: int = DEFAULT_PAGE
    # The filters as given (name, op, raw value), to rebuild links and forms.
    raw_filters: list[tuple[str, str, str]] = field(default_factory=list)


def parse(
    columns: Sequence[dict[str, Any]],
    params: Mapping[str, Any],
    *,
    default_page: int = DEFAULT_PAGE,
    max_page: int = MAX_PAGE,
) -> RowQuery:
    by_name = {c["name"]: c for c in columns}
    names = ", ".join(by_name)
    select = list(columns)
    wanted = str(params.get("columns", "") or "").strip()
    if wanted:
        select = []
        for name in (n.strip() for n in wanted.split(",") if n.strip()):
            if name not in by_name:
                raise QueryError(
                    _("Colonne inconnue dans « columns » : %(c)s. Colonnes : %(all)s.")
                    % {"c": name, "all": names}
                )
            select.append(by_name[name])
    query = RowQuery(select=select)
    raw_size = str(params.get("page_size", "") or "")
    if raw_size:
        try:
            size = int(raw_size)
        except ValueError:
            raise QueryError(_("« page_size » doit être un nombre entier.")) from None
        if not 1 <= size <= max_page:
            raise QueryError(
                _("« page_size » doit être compris entre 1 et %(max)d.") % {"max": max_page}
            )
        query.page_size = size
    else:
        query.page_size = default_page
    sort = str(params.get("sort", "") or "").strip()
    if sort:
        descending = sort.startswith("-")
        name = sort.lstrip("-")
        if name not in by_name:
            raise QueryError(
                _("Tri sur une colonne inconnue : %(c)s. Colonnes : %(all)s.")
                % {"c": name, "all": names}
            )
        query.sort, query.descending = by_name[name], descending
    cursor = str(params.get("cursor", "") or "")
    if cursor:
        _check_cursor(cursor, query)
        query.cursor = cursor
    keys = params.keys()
    for key in keys:
        if key in RESERVED or key.startswith("_"):
            continue
        name, _sep, op = key.partition("__")
        op = op or "eq"
        if name not in by_name:
            raise QueryError(
                _("Filtre sur une colonne inconnue : %(c)s. Colonnes : %(all)s.")
                % {"c": name, "all": names}
            )
        if op not in OPERATORS:
            raise QueryError(
                _("Opérateur inconnu : %(op)s. Opérateurs : %(ops)s.")
                % {"op": op, "ops": ", ".join(OPERATORS)}
            )
        getlist = getattr(params, "getlist", None)
        values = getlist(key) if getlist else [params[key]]
        for raw in values:
            raw = str(raw)
            column = by_name[name]
            query.filters.append(_filter(column, op, raw))
            query.raw_filters.append((name, op, raw))
    return query


def _filter(column: dict[str, Any], op: str, raw: str) -> Filter:
    kind = column["type"]
    if op == "contains":
        return Filter(column["db"], op, raw)
    if kind == "geojson":
        raise QueryError(
            _("La colonne %(c)s ne se filtre qu'avec « contains ».") % {"c": column["name"]}
        )
    parts = [p.strip() for p in raw.split(",")] if op == "in" else [raw]
    if op == "in" and len(parts) > MAX_IN:
        raise QueryError(_("« in » accepte au plus %(n)d valeurs.") % {"n": MAX_IN})
    typed = []
    for part in parts:
        try:
            typed.append(parse_value(kind, part))
        except (ValueError, TypeError, OverflowError):
            raise QueryError(
                _("Valeur « %(v)s » invalide pour la colonne %(c)s (type %(t)s).")
                % {"v": part, "c": column["name"], "t": kind}
            ) from None
    return Filter(column["db"], op, typed if op == "in" else typed[0])


def _check_cursor(cursor: str, query: RowQuery) -> None:
    """A cursor must come from a page of the same ordering, with a value of the sort
    column's type: anything else is refused here rather than by the database."""
    bad = QueryError(
        _("Curseur de pagination invalide ou d'un autre tri : repartez de la première page.")
    )
    try:
        region, value, _row_id, signature = decode_cursor(cursor)
    except ValueError:
        raise bad from None
    sort = query.sort
    if signature != cursor_signature(sort["db"] if sort else None, query.descending):
        raise bad
    if (region == "id") != (sort is None):
        raise bad
    if region == "value":
        assert sort is not None
        if value is None:
            raise bad
        if sort["type"] not in ("string", "geojson"):
            try:
                parse_value(sort["type"], str(value))
            except (ValueError, TypeError, OverflowError):
                raise bad from None
