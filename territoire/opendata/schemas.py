"""Table Schemas a dataset may follow, and validation with frictionless (errors in French).

The SCDL schemas (Socle Commun des Données Locales, OpenDataFrance / schema.data.gouv.fr)
ship with the app in ``data/schemas/`` so that nothing is fetched at run time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DATA = Path(__file__).parent / "data" / "schemas"
MAX_ERRORS = 200


@dataclass(frozen=True)
class KnownSchema:
    code: str
    title: Any
    file: str
    url: str  # the canonical page of the schema

    def descriptor(self) -> dict[str, Any]:
        return _load(self.file)


SCHEMAS = {
    s.code: s
    for s in (
        KnownSchema(
            code="scdl-deliberations",
            title=gettext_lazy("SCDL – Délibérations (2.1.5)"),
            file="deliberations-2.1.5.schema.json",
            url="https://schema.data.gouv.fr/scdl/deliberations/2.1.5/",
        ),
        KnownSchema(
            code="scdl-subventions",
            title=gettext_lazy("SCDL – Subventions (2.1.1)"),
            file="subventions-2.1.1.schema.json",
            url="https://schema.data.gouv.fr/scdl/subventions/2.1.1/",
        ),
        KnownSchema(
            code="scdl-equipements",
            title=gettext_lazy("SCDL – Équipements collectifs (0.1.5)"),
            file="equipements-0.1.5.schema.json",
            url="https://schema.data.gouv.fr/scdl/equipements/0.1.5/",
        ),
    )
}

_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "year": "integer",
}


@cache
def _load(file: str) -> dict[str, Any]:
    return json.loads((DATA / file).read_text(encoding="utf-8"))


def schema_types(code: str, header: Sequence[str]) -> list[str] | None:
    """Column types declared by the schema for this header (None if unknown schema)."""
    known = SCHEMAS.get(code)
    if known is None:
        return None
    fields = {f["name"]: f for f in known.descriptor()["fields"]}
    types = []
    for h in header:
        field = fields.get(h)
        kind = _TYPES.get(field["type"], "string") if field else "string"
        if field and field["type"] == "boolean":
            kind = "boolean"
        types.append(kind)
    return types


def _message(error: Any) -> str:
    kind = error.type
    cell = getattr(error, "cell", "")
    note = getattr(error, "note", "")
    if kind == "type-error":
        return _("« %(cell)s » n'a pas le type attendu (%(note)s).") % {"cell": cell, "note": note}
    if kind == "constraint-error":
        return _("« %(cell)s » ne respecte pas la contrainte : %(note)s.") % {
            "cell": cell,
            "note": note,
        }
    if kind == "missing-cell":
        return _("Valeur manquante.")
    if kind == "extra-cell":
        return _("Valeur en trop, hors des colonnes du schéma.")
    if kind in ("missing-label",):
        return _("Colonne obligatoire du schéma absente du fichier.")
    if kind in ("extra-label",):
        return _("Colonne inconnue du schéma.")
    if kind == "incorrect-label":
        return _("Nom de colonne différent de celui du schéma (%(note)s).") % {"note": note}
    if kind == "duplicate-label":
        return _("Nom de colonne en double.")
    if kind == "blank-row":
        return _("Ligne vide.")
    if kind in ("unique-error", "primary-key"):
        return _("Valeur en double alors qu'elle doit être unique.")
    return _("Erreur « %(type)s » : %(note)s") % {"type": kind, "note": note}


def validate_rows(
    code: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[dict[str, Any]]:
    """Validates the raw rows against the schema; returns French errors by row and column.

    ``row`` is the line number in the file (the header is line 1); ``column`` the name.
    Columns are matched by name, so a file may order its columns freely.
    """
    from frictionless import Resource, Schema

    known = SCHEMAS[code]
    descriptor = known.descriptor()
    schema = Schema.from_descriptor(descriptor)
    names = [f.name for f in schema.fields]
    missing = [n for n in names if n not in header and _required(descriptor, n)]
    errors: list[dict[str, Any]] = [
        {"row": 1, "column": n, "message": _("Colonne obligatoire du schéma absente du fichier.")}
        for n in missing
    ]
    extra = [h for h in header if h not in names]
    errors += [{"row": 1, "column": h, "message": _("Colonne inconnue du schéma.")} for h in extra]
    if errors:
        return errors
    # Reorder to the schema's columns; optional columns absent from the file are blank.
    pos = [header.index(n) if n in header else None for n in names]
    data: list[list[Any]] = [names]
    for row in rows:
        data.append(
            [
                ""
                if p is None or row[p] is None
                else (row[p] if isinstance(row[p], str) else str(row[p]))
                for p in pos
            ]
        )
    resource = Resource(data=data, schema=schema)
    report = resource.validate(limit_errors=MAX_ERRORS)
    for task in report.tasks:
        for error in task.errors:
            errors.append(
                {
                    "row": getattr(error, "row_number", None) or 1,
                    "column": getattr(error, "field_name", "") or "",
                    "message": _message(error),
                }
            )
    return errors


def _required(descriptor: dict[str, Any], name: str) -> bool:
    for f in descriptor["fields"]:
        if f["name"] == name:
            return bool(f.get("constraints", {}).get("required"))
    return False
