"""The English catalogue: the committed .mo is compiled from the .po, placeholders kept."""

from __future__ import annotations

import re
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%\(\w+\)\.\d+f|%s|%d")


def test_mo_is_compiled_from_po() -> None:
    po = {(e.msgid, e.msgstr) for e in polib.pofile(str(PO)) if e.msgstr and not e.obsolete}
    mo = {(e.msgid, e.msgstr) for e in polib.mofile(str(PO.with_suffix(".mo"))) if e.msgstr}
    missing = po - mo
    assert not missing, (
        f"{len(missing)} translations not compiled: run msgfmt (e.g. {next(iter(missing))})"
    )


def test_translations_keep_placeholders() -> None:
    wrong = [
        e.msgid
        for e in polib.pofile(str(PO))
        if e.msgstr
        and sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr))
    ]
    assert wrong == []
