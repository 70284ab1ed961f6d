"""Reading uploaded files as a header and a stream of rows, checked by content.

Every reader streams: a 1-million-row CSV is never held in memory. The format is
checked from the bytes (a "CSV" that is a ZIP, a "Parquet" without its magic number, a
JSON that is not a list of objects are refused with a French message), the encoding of a
text file is detected with charset-normalizer and its delimiter with the standard
``csv.Sniffer`` restricted to the usual separators.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx", "json", "geojson", "parquet")
SAMPLE = 256 * 1024
MAX_ERRORS = 20


class ReadError(Exception):
    """The file cannot be read as what it claims to be; ``messages`` are French."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else messages
        super().__init__("; ".join(self.messages))


@dataclass
class Table:
    header: list[str]
    rows: Iterator[list[Any]]
    encoding: str = ""
    delimiter: str = ""
    # Bytes consumed so far (for the progress bar), and the file's size.
    position: Any = None  # Callable[[], int] | None
    size: int = 0
    notes: list[str] = field(default_factory=list)


MAGIC = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf", "7-Zip"),
    (b"Rar!", "RAR"),
    (b"\xd0\xcf\x11\xe0", "Office 97-2003 (XLS, DOC)"),
    (b"PK\x03\x04", "ZIP"),
    (b"PAR1", "Parquet"),
)


def sniff_format(path: Path, claimed: str) -> str:
    """The real format of the file; raises ReadError when it is not the claimed one."""
    with path.open("rb") as fh:
        head = fh.read(4096)
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 4))
        tail = fh.read(4)
    if size == 0:
        raise ReadError(_("Le fichier est vide."))
    actual = next((name for magic, name in MAGIC if head.startswith(magic)), "")
    if claimed == "xlsx" and actual != "ZIP":
        raise ReadError(_("Ce fichier n'est pas un classeur XLSX (ce n'est pas une archive ZIP)."))
    if claimed == "parquet" and not (actual == "Parquet" and tail == b"PAR1"):
        raise ReadError(_("Ce fichier n'est pas un fichier Parquet (signature PAR1 absente)."))
    if claimed in ("csv", "json", "geojson"):
        utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
        if actual or (b"\x00" in head and not utf16):
            raise ReadError(
                _(
                    "Ce fichier n'est pas un fichier texte %(format)s : "
                    "son contenu est binaire%(what)s."
                )
                % {
                    "format": claimed.upper(),
                    "what": f" ({actual})" if actual else "",
                }
            )
        if claimed in ("json", "geojson"):
            start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
            if start not in (b"[", b"{"):
                raise ReadError(
                    _(
                        "Ce fichier n'est pas du %(format)s : "
                        "il ne commence ni par « [ » ni par « { »."
                    )
                    % {"format": claimed.upper()}
                )
    return claimed


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # The sample may end inside a multi-byte character.
        if exc.start >= len(sample) - 3:
            return "utf-8"
    best = from_bytes(sample, cp_isolation=["utf_8", "cp1252", "latin_1", "utf_16"]).best()
    if best is None:
        raise ReadError(_("Encodage du fichier non reconnu : enregistrez-le en UTF-8."))
    return str(best.encoding)


def detect_delimiter(text: str) -> str:
    lines = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(lines, delimiters=",;\t|").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and counts the bytes read (progress of a streaming load)."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.fh.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n


def _clean_header(raw: list[str]) -> list[str]:
    header = [str(h).strip() if h is not None else "" for h in raw]
    problems = []
    for i, h in enumerate(header):
        if not h:
            problems.append(_("La colonne %(n)d n'a pas de nom.") % {"n": i + 1})
    seen = set()
    for h in header:
        if h in seen:
            problems.append(_("La colonne « %(name)s » apparaît deux fois.") % {"name": h})
        seen.add(h)
    if problems:
        raise ReadError(problems)
    return header


def read_csv(path: Path) -> Table:
    size = path.stat().st_size
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE)
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    delimiter = detect_delimiter(text)
    fh = path.open("rb")
    counter = _CountingReader(fh)
    stream = io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), encoding=encoding, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = _clean_header(next(reader))
    except StopIteration as exc:
        fh.close()
        raise ReadError(_("Le fichier est vide.")) from exc
    except UnicodeDecodeError as exc:
        fh.close()
        raise ReadError(_("Encodage invalide dès la première ligne.")) from exc
    width = len(header)

    def rows() -> Iterator[list[Any]]:
        errors: list[str] = []
        line = 1
        try:
            for row in reader:
                line += 1
                if len(row) == width and not errors:
                    yield row
                    continue
                if len(row) != width:
                    if not any(row):
                        continue  # blank line
                    errors.append(
                        _("Ligne %(line)d : %(got)d valeurs au lieu de %(want)d.")
                        % {"line": line, "got": len(row), "want": width}
                    )
                    if len(errors) >= MAX_ERRORS:
                        break
                    continue
                if not errors:
                    yield row
        except UnicodeDecodeError as exc:
            raise ReadError(
                _(
                    "Encodage invalide vers la ligne %(line)d : le fichier n'est pas "
                    "entièrement en %(encoding)s."
                )
                % {"line": line + 1, "encoding": encoding}
            ) from exc
        except csv.Error as exc:
            raise ReadError(
                _("Ligne %(line)d illisible : %(error)s") % {"line": line + 1, "error": exc}
            ) from exc
        finally:
            fh.close()
        if errors:
            raise ReadError(errors)

    return Table(
        header=header,
        rows=rows(),
        encoding=encoding,
        delimiter=delimiter,
        position=lambda: counter.count,
        size=size,
    )


def read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ReadError(_("Classeur XLSX illisible.")) from exc
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        header = _clean_header([h for h in next(it)])
    except StopIteration as exc:
        raise ReadError(_("La première feuille du classeur est vide.")) from exc
    width = len(header)
    total = ws.max_row or 0

    state = {"n": 0}

    def rows() -> Iterator[list[Any]]:
        for row in it:
            state["n"] += 1
            values = list(row[:width]) + [None] * (width - len(row))
            if any(v is not None and v != "" for v in row[width:]):
                raise ReadError(
                    _("Ligne %(line)d : des valeurs hors des colonnes nommées.")
                    % {"line": state["n"] + 1}
                )
            if all(v is None for v in values):
                continue
            yield [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
        wb.close()

    return Table(header=header, rows=rows(), position=lambda: state["n"], size=total)


def _records(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ReadError(_("Le JSON doit être une liste d'objets (une ligne par objet)."))
    return data


def _table_from_records(records: list[dict[str, Any]]) -> Table:
    header: list[str] = []
    for r in records[:1000]:
        for k in r:
            if k not in header:
                header.append(str(k))
    if not header:
        raise ReadError(_("Aucune colonne trouvée dans le fichier."))
    known = set(header)

    def rows() -> Iterator[list[Any]]:
        for i, r in enumerate(records, start=1):
            extra = set(r) - known
            if extra:
                raise ReadError(
                    _("Objet %(n)d : champs inconnus des premiers objets : %(fields)s.")
                    % {"n": i, "fields": ", ".join(sorted(extra))}
                )
            yield [
                json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                for v in (r.get(h) for h in header)
            ]

    return Table(header=header, rows=rows(), size=len(records), position=None)


def read_json(path: Path) -> Table:
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(_("JSON invalide : %(error)s") % {"error": exc}) from exc
    return _table_from_records(_records(data))


def read_geojson(path: Path) -> Table:
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(_("GeoJSON invalide : %(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ReadError(_("Le GeoJSON doit être une FeatureCollection."))
    features = data.get("features")
    if not isinstance(features, list):
        raise ReadError(_("La FeatureCollection n'a pas de liste « features »."))
    records = []
    points = all(
        isinstance(f, dict) and (f.get("geometry") or {}).get("type") == "Point" for f in features
    )
    for i, f in enumerate(features, start=1):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise ReadError(_("L'élément %(n)d n'est pas une Feature.") % {"n": i})
        record = dict(f.get("properties") or {})
        geometry = f.get("geometry") or {}
        if points:
            coords = geometry.get("coordinates") or []
            if len(coords) < 2 or not all(isinstance(c, int | float) for c in coords[:2]):
                raise ReadError(_("Feature %(n)d : coordonnées invalides.") % {"n": i})
            record["longitude"], record["latitude"] = coords[0], coords[1]
        else:
            record["geometry"] = geometry or None
        records.append(record)
    table = _table_from_records(records)
    table.notes.append("points" if points else "geometry")
    return table


def read_parquet(path: Path) -> Table:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise ReadError(_("Fichier Parquet illisible.")) from exc
    header = _clean_header(pf.schema_arrow.names)
    state = {"n": 0}

    def rows() -> Iterator[list[Any]]:
        for batch in pf.iter_batches(batch_size=50_000):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for values in zip(*columns, strict=True):
                state["n"] += 1
                yield [v.isoformat() if hasattr(v, "isoformat") else v for v in values]

    return Table(
        header=header,
        rows=rows(),
        position=lambda: state["n"],
        size=pf.metadata.num_rows,
    )


def open_table(path: Path, fmt: str) -> Table:
    fmt = sniff_format(path, fmt)
    reader = {
        "csv": read_csv,
        "xlsx": read_xlsx,
        "json": read_json,
        "geojson": read_geojson,
        "parquet": read_parquet,
    }[fmt]
    return reader(path)
