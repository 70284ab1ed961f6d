"""The privacy gate: nothing personal leaves the platform.

Every row published by the portal passes through :class:`Gate`, uploads and platform
sources alike:

1. **Personal columns** are dropped, or replaced by a keyed hash (HMAC-SHA-256 with
   ``OPENDATA_PSEUDONYM_KEY``) when the column is declared "to pseudonymise": the same
   person keeps the same code across rows and versions, and nobody without the key can
   compute the code of a known e-mail address (a plain hash could be reversed by
   hashing a list of addresses).
2. **Undeclared personal data** is looked for in every other text column: e-mail
   addresses, French phone numbers, social-security numbers (NIR) and IBANs. A hit
   blocks the publication and names the column and the rows.
3. **k-anonymity** (k ≥ 5 by default, ``OPENDATA_K``) on the quasi-identifiers: every
   combination of their values must be shared by at least k rows. An uploaded file that
   singles someone out is blocked, with the offending combinations and rows. A platform
   source (published on a schedule, no agent in the loop) is first generalised
   (dates to the month, coordinates to about 100 m, then the most precise
   quasi-identifier columns dropped one by one) and the remaining rare rows suppressed
   if they are at most 5 % of the rows; beyond that it is blocked too.
4. **Small counts**: a people-count below 11 (``OPENDATA_MIN_COUNT``) is suppressed
   (the cell is emptied), as statistical offices do.

The report lists what was done and, when blocked, why: the agent sees columns, rows and
reasons, and nothing is published.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"^(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}$")
NIR = re.compile(r"^[12]\s?\d{2}\s?(0[1-9]|1[0-2])\s?(\d{2}|2[AB])\s?\d{3}\s?\d{3}(\s?\d{2})?$")
IBAN = re.compile(r"^FR\d{2}\s?(\d{4}\s?){2}\d{2}[0-9A-Z]{2}(\s?[0-9A-Z]{4}){2}\s?[0-9A-Z]\d{2}$")
EMAIL_ANY = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Line-anchored versions for a joined column ("\n" between cells): no "\s", which would
# match across cells.
PHONE_LINE = re.compile(r"^(?:\+33 ?|0)[1-9](?:[ .-]?\d{2}){4}$", re.MULTILINE)
NIR_LINE = re.compile(
    r"^[12] ?\d{2} ?(?:0[1-9]|1[0-2]) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3}(?: ?\d{2})?$", re.MULTILINE
)
IBAN_LINE = re.compile(
    r"^FR\d{2} ?(?:\d{4} ?){2}\d{2}[0-9A-Z]{2}(?: ?[0-9A-Z]{4}){2} ?[0-9A-Z]\d{2}$", re.MULTILINE
)
MAX_ROWS_SHOWN = 10
SOURCE_SUPPRESSION_SHARE = 0.05


def pseudonym_key() -> bytes:
    key = getattr(settings, "OPENDATA_PSEUDONYM_KEY", "")
    if key:
        return str(key).encode()
    # Derived from SECRET_KEY when not set: stable for the installation, never published.
    return hmac.new(settings.SECRET_KEY.encode(), b"opendata-pseudonym", "sha256").digest()


def pseudonymise(value: Any, key: bytes) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip().lower()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:20]


@dataclass
class Policy:
    personal: set[str] = field(default_factory=set)
    pseudonymise: set[str] = field(default_factory=set)
    quasi: list[str] = field(default_factory=list)
    counts: set[str] = field(default_factory=set)
    k: int = 5
    min_count: int = 11

    @classmethod
    def from_settings(cls, **kw: Any) -> Policy:
        return cls(
            k=int(getattr(settings, "OPENDATA_K", 5)),
            min_count=int(getattr(settings, "OPENDATA_MIN_COUNT", 11)),
            **kw,
        )


@dataclass
class Problem:
    code: str  # personal_data, k_anonymity
    message: str
    column: str = ""
    rows: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "column": self.column,
            "rows": self.rows,
        }


class Gate:
    """Streams rows (already typed) through the policy and collects its report.

    Row numbers in the report are those of the source file (header = line 1).
    """

    def __init__(self, header: Sequence[str], types: Sequence[str], policy: Policy) -> None:
        self.policy = policy
        self.key = pseudonym_key()
        self.header = list(header)
        self.dropped = [h for h in header if h in policy.personal and h not in policy.pseudonymise]
        self.pseudonymised = [h for h in header if h in policy.pseudonymise]
        self.keep = [i for i, h in enumerate(header) if h not in self.dropped]
        self.out_header = [header[i] for i in self.keep]
        self.out_types = [
            "string" if header[i] in policy.pseudonymise else types[i] for i in self.keep
        ]
        self._pseudo = [i for i, h in enumerate(header) if h in policy.pseudonymise]
        self._counts = [i for i, h in enumerate(header) if h in policy.counts]
        self._quasi = [header.index(q) for q in policy.quasi if q in header]
        self._scan = [
            i
            for i, h in enumerate(header)
            if types[i] == "string" and h not in policy.personal and h not in policy.pseudonymise
        ]
        self.hits: dict[tuple[str, str], list[int]] = {}
        self.groups: Counter[tuple[Any, ...]] = Counter()
        self.group_rows: dict[tuple[Any, ...], list[int]] = {}
        self.suppressed_cells = 0
        self.suppressed_rows: list[int] = []
        self.rows_out = 0

    def _detect(self, line: int, row: Sequence[Any]) -> None:
        for i in self._scan:
            v = row[i]
            if not v:
                continue
            kind = ""
            if "@" in v and EMAIL.search(v):
                kind = "email"
            elif 9 < len(v) < 22 and (v[0] in "0+12F"):
                if PHONE.match(v):
                    kind = "phone"
                elif NIR.match(v):
                    kind = "nir"
                elif IBAN.match(v):
                    kind = "iban"
            if kind:
                rows = self.hits.setdefault((self.header[i], kind), [])
                if len(rows) < MAX_ROWS_SHOWN:
                    rows.append(line)

    def process_columns(self, cols: list[list[Any]], first_line: int) -> list[list[Any]]:
        """The same as :meth:`process` on a batch given as columns (the fast path of
        uploads): detection runs as regular-expression searches over each joined column,
        pseudonyms and suppressions as one pass per column."""
        n = len(cols[0]) if cols else 0
        for i in self._scan:
            self._detect_column(self.header[i], cols[i], first_line)
        if self._quasi:
            counts, rows, k = self.groups, self.group_rows, self.policy.k
            for j, group in enumerate(zip(*(cols[i] for i in self._quasi), strict=True)):
                c = counts[group] = counts[group] + 1
                if c < k:
                    rows.setdefault(group, []).append(first_line + j)
        cols = list(cols)
        for i in self._pseudo:
            cols[i] = [pseudonymise(v, self.key) for v in cols[i]]
        low = self.policy.min_count
        for i in self._counts:
            before = cols[i]
            cols[i] = [None if v is not None and 0 < v < low else v for v in before]
            self.suppressed_cells += sum(
                1 for a, b in zip(before, cols[i], strict=True) if a is not None and b is None
            )
        self.rows_out += n
        return [cols[i] for i in self.keep]

    def _detect_column(self, name: str, col: list[Any], first_line: int) -> None:
        text = "\n".join(v or "" for v in col)
        found: dict[str, list[int]] = {}
        if "@" in text:
            found["email"] = [m.start() for m in EMAIL_ANY.finditer(text)]
        for kind, pattern in (("phone", PHONE_LINE), ("nir", NIR_LINE), ("iban", IBAN_LINE)):
            hits = [m.start() for m in islice(pattern.finditer(text), MAX_ROWS_SHOWN)]
            if hits:
                found[kind] = hits
        for kind, positions in found.items():
            rows = self.hits.setdefault((name, kind), [])
            for pos in positions[:MAX_ROWS_SHOWN]:
                if len(rows) >= MAX_ROWS_SHOWN:
                    break
                line = first_line + text.count("\n", 0, pos)
                if line not in rows:
                    rows.append(line)

    def process(self, rows: Iterable[Sequence[Any]], first_line: int = 2) -> Iterator[list[Any]]:
        key = self.key
        for line, row in enumerate(rows, start=first_line):
            if self._scan:
                self._detect(line, row)
            if self._quasi:
                group = tuple(row[i] for i in self._quasi)
                self.groups[group] += 1
                if self.groups[group] < self.policy.k:
                    self.group_rows.setdefault(group, []).append(line)
            out = list(row)
            for i in self._pseudo:
                out[i] = pseudonymise(out[i], key)
            for i in self._counts:
                v = out[i]
                if isinstance(v, int | float) and 0 < v < self.policy.min_count:
                    out[i] = None
                    self.suppressed_cells += 1
            self.rows_out += 1
            yield [out[i] for i in self.keep]

    def small_groups(self) -> list[tuple[tuple[Any, ...], int]]:
        return [(g, n) for g, n in self.groups.items() if n < self.policy.k]

    def problems(self) -> list[Problem]:
        labels = {
            "email": _("des adresses électroniques"),
            "phone": _("des numéros de téléphone"),
            "nir": _("des numéros de sécurité sociale"),
            "iban": _("des IBAN"),
        }
        out = []
        for (column, kind), rows in self.hits.items():
            out.append(
                Problem(
                    code="personal_data",
                    column=column,
                    rows=rows,
                    message=_(
                        "La colonne « %(column)s » contient %(what)s (lignes %(rows)s) : "
                        "déclarez-la personnelle (elle sera retirée ou pseudonymisée) ou "
                        "retirez ces valeurs du fichier."
                    )
                    % {
                        "column": column,
                        "what": labels[kind],
                        "rows": ", ".join(str(r) for r in rows),
                    },
                )
            )
        small = self.small_groups()
        if small:
            quasi = [self.header[i] for i in self._quasi]
            shown = sorted(small, key=lambda g: g[1])[:MAX_ROWS_SHOWN]
            rows = sorted({r for g, _n in shown for r in self.group_rows.get(g, [])})
            examples = "; ".join(
                " / ".join("" if v is None else str(v) for v in g) + f" ({n})" for g, n in shown
            )
            out.append(
                Problem(
                    code="k_anonymity",
                    column=", ".join(quasi),
                    rows=rows[:50],
                    message=_(
                        "%(n)d combinaison(s) des quasi-identifiants (%(columns)s) concernent "
                        "moins de %(k)d lignes et peuvent désigner une personne : %(examples)s. "
                        "Généralisez ces colonnes (mois plutôt que date, quartier plutôt "
                        "qu'adresse) ou retirez ces lignes."
                    )
                    % {
                        "n": len(small),
                        "columns": ", ".join(quasi),
                        "k": self.policy.k,
                        "examples": examples,
                    },
                )
            )
        return out

    def report(self, extra_notes: Sequence[str] = ()) -> dict[str, Any]:
        problems = self.problems()
        return {
            "blocked": bool(problems),
            "problems": [p.as_dict() for p in problems],
            "dropped_columns": self.dropped,
            "pseudonymised_columns": self.pseudonymised,
            "quasi_identifiers": [self.header[i] for i in self._quasi],
            "k": self.policy.k,
            "min_count": self.policy.min_count,
            "suppressed_cells": self.suppressed_cells,
            "notes": list(extra_notes),
            "rows": self.rows_out,
        }


def _generalise(kind: str, v: Any) -> Any:
    if v is None:
        return None
    if kind in ("date", "datetime"):
        return str(v)[:7]  # the month
    if kind == "number":
        return round(float(v), 3)  # about 100 m for coordinates
    return v


def generalise_source(
    header: Sequence[str],
    types: Sequence[str],
    rows: list[list[Any]],
    policy: Policy,
) -> tuple[list[str], list[str], list[list[Any]], list[str]]:
    """Makes a platform source k-anonymous before the gate checks it.

    Returns (header, types, rows, notes). Quasi-identifying dates become months and
    numbers are rounded; while more than 5 % of the rows sit in groups smaller than k,
    the quasi-identifier with the most distinct values is dropped; the remaining rare
    rows are suppressed. If suppression would remove more than 5 % the rows are left as
    they are and the gate blocks.
    """
    notes: list[str] = []
    header, types = list(header), list(types)
    quasi = [q for q in policy.quasi if q in header]
    idx = {h: i for i, h in enumerate(header)}
    for q in quasi:
        i, kind = idx[q], types[idx[q]]
        if kind in ("date", "datetime", "number"):
            for r in rows:
                r[i] = _generalise(kind, r[i])
            if kind in ("date", "datetime"):
                types[i] = "string"
                notes.append(_("« %(c)s » ramenée au mois.") % {"c": q})
            else:
                notes.append(_("« %(c)s » arrondie à trois décimales.") % {"c": q})

    def rare(columns: list[str]) -> list[int]:
        if not columns:
            return []
        pos = [idx[c] for c in columns]
        counts = Counter(tuple(r[i] for i in pos) for r in rows)
        return [n for n, r in enumerate(rows) if counts[tuple(r[i] for i in pos)] < policy.k]

    limit = SOURCE_SUPPRESSION_SHARE * len(rows)
    bad = rare(quasi)
    while len(bad) > limit and quasi:
        worst = max(quasi, key=lambda c: len({r[idx[c]] for r in rows}))
        quasi.remove(worst)
        notes.append(_("« %(c)s » retirée : trop précise pour garantir l'anonymat.") % {"c": worst})
        bad = rare(quasi)
    dropped = [q for q in policy.quasi if q in header and q not in quasi]
    if bad and len(bad) <= limit:
        gone = set(bad)
        rows = [r for n, r in enumerate(rows) if n not in gone]
        notes.append(_("%(n)d ligne(s) trop rares retirées (k-anonymat).") % {"n": len(gone)})
    if dropped:
        keep = [i for i, h in enumerate(header) if h not in dropped]
        header = [header[i] for i in keep]
        types = [types[i] for i in keep]
        rows = [[r[i] for i in keep] for r in rows]
    policy.quasi = quasi
    return header, types, rows, notes
