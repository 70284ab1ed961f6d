"""The form engine of procedures: field definitions, conditions, reading, validation.

Pure Python (no Django forms, no database): a procedure's fields are plain dicts stored
as JSON (see :func:`parse_fields`), answers are plain JSON too. The engine

- checks a definition made in the builder (:func:`parse_fields`),
- reads a POST into answers (:func:`read_post`): only known names are read, any other
  ``f-…`` name is reported as forged; repeatable groups grow and shrink with plain
  submit buttons ("add a child") so no JavaScript is needed,
- evaluates conditions server-side (:func:`is_visible`): a hidden field is neither
  required nor kept (:func:`prune_hidden`),
- validates answers with French messages keyed by the HTML id of the input
  (:func:`validate`), which is also the anchor of the error summary.

HTML names: ``f-<id>`` for a top-level field, ``f-<group>-<n>-<id>`` inside the n-th
item of a repeatable group; an address adds ``-lon`` and ``-lat``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELD_TYPES: dict[str, Any] = {
    "text": gettext_lazy("Texte court"),
    "textarea": gettext_lazy("Texte long"),
    "number": gettext_lazy("Nombre"),
    "integer": gettext_lazy("Nombre entier"),
    "date": gettext_lazy("Date"),
    "email": gettext_lazy("Adresse électronique"),
    "phone": gettext_lazy("Téléphone"),
    "address": gettext_lazy("Adresse et point sur la carte"),
    "choice": gettext_lazy("Liste de choix"),
    "multiple": gettext_lazy("Choix multiple"),
    "yesno": gettext_lazy("Oui / non"),
    "checkbox": gettext_lazy("Case à cocher"),
    "file": gettext_lazy("Pièce jointe"),
    "group": gettext_lazy("Bloc répétable"),
    "section": gettext_lazy("Titre de section"),
    "explanation": gettext_lazy("Texte d'explication"),
}
# Types that only display something: no answer, never required.
DISPLAY_TYPES = frozenset({"section", "explanation"})
OPERATORS: dict[str, Any] = {
    "eq": gettext_lazy("est égal à"),
    "ne": gettext_lazy("est différent de"),
    "gt": gettext_lazy("est supérieur à"),
    "lt": gettext_lazy("est inférieur à"),
    "empty": gettext_lazy("est vide"),
    "not_empty": gettext_lazy("est rempli"),
    "in": gettext_lazy("est l'une des valeurs"),
}
FILE_KINDS = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
MAX_GROUP_ITEMS = 20
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PHONE_RE = re.compile(r"^(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Format checks an agent can pick in the builder (no free regular expressions: a
# mistyped or catastrophic pattern written in the back-office must not reach residents).
FORMATS: dict[str, tuple[Any, str, Any]] = {
    "postcode": (gettext_lazy("Code postal"), r"^\d{5}$", gettext_lazy("5 chiffres")),
    "parcel": (
        gettext_lazy("Référence cadastrale"),
        r"^(\d{3}\s?)?[A-Z0-9]{1,2}\s?\d{1,4}$",
        gettext_lazy("section et numéro, par exemple AB 123"),
    ),
    "siret": (gettext_lazy("SIRET"), r"^\d{14}$", gettext_lazy("14 chiffres")),
    "ine": (
        gettext_lazy("Identifiant national élève"),
        r"^\d{9}[A-Z]{2}$|^\d{10}[A-Z]$",
        gettext_lazy("11 caractères"),
    ),
}


class DefinitionError(ValueError):
    """A field definition made in the builder is invalid (message in French)."""


@dataclass(frozen=True)
class Rule:
    field: str
    op: str
    value: Any = ""


@dataclass(frozen=True)
class Condition:
    combine: str  # "and" | "or"
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class FieldDef:
    id: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    options: tuple[str, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    max_length: int | None = None
    format: str = ""
    condition: Condition | None = None
    children: tuple[FieldDef, ...] = ()
    min_items: int = 0
    max_items: int = MAX_GROUP_ITEMS
    item_label: str = ""
    accept: tuple[str, ...] = ("pdf", "jpeg", "png")
    max_size_mb: int = 5

    @property
    def is_display(self) -> bool:
        return self.type in DISPLAY_TYPES

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type, "label": self.label}
        if self.help:
            out["help"] = self.help
        if self.required:
            out["required"] = True
        if self.options:
            out["options"] = list(self.options)
        if self.min is not None:
            out["min"] = str(self.min)
        if self.max is not None:
            out["max"] = str(self.max)
        if self.max_length:
            out["max_length"] = self.max_length
        if self.format:
            out["format"] = self.format
        if self.condition:
            out["condition"] = {
                "combine": self.condition.combine,
                "rules": [
                    {"field": r.field, "op": r.op, "value": r.value} for r in self.condition.rules
                ],
            }
        if self.type == "group":
            out["fields"] = [c.to_dict() for c in self.children]
            out["min_items"] = self.min_items
            out["max_items"] = self.max_items
            if self.item_label:
                out["item_label"] = self.item_label
        if self.type == "file":
            out["accept"] = list(self.accept)
            out["max_size_mb"] = self.max_size_mb
        return out


def _decimal(value: Any, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise DefinitionError(_("%(what)s : nombre attendu.") % {"what": what}) from exc


def _parse_condition(raw: Any, label: str) -> Condition | None:
    if not raw:
        return None
    if not isinstance(raw, Mapping):
        raise DefinitionError(_("Condition illisible pour « %(l)s ».") % {"l": label})
    combine = raw.get("combine", "and")
    if combine not in ("and", "or"):
        raise DefinitionError(_("Combinaison inconnue : %(c)s.") % {"c": combine})
    rules = []
    for r in raw.get("rules") or []:
        op = r.get("op")
        if op not in OPERATORS:
            raise DefinitionError(_("Opérateur inconnu : %(o)s.") % {"o": op})
        value = r.get("value", "")
        if op == "in" and isinstance(value, str):
            value = [v.strip() for v in value.split(";") if v.strip()]
        rules.append(Rule(field=str(r.get("field", "")), op=op, value=value))
    return Condition(combine=combine, rules=tuple(rules)) if rules else None


def _parse_one(raw: Mapping[str, Any], *, nested: bool) -> FieldDef:
    fid = str(raw.get("id", ""))
    if not ID_RE.match(fid):
        raise DefinitionError(
            _("Identifiant de champ invalide : « %(id)s » (lettres minuscules, chiffres, _).")
            % {"id": fid}
        )
    ftype = raw.get("type")
    if ftype not in FIELD_TYPES:
        raise DefinitionError(_("Type de champ inconnu : %(t)s.") % {"t": ftype})
    label = str(raw.get("label", "")).strip()
    if not label:
        raise DefinitionError(_("Le champ %(id)s n'a pas de libellé.") % {"id": fid})
    options = tuple(str(o).strip() for o in raw.get("options") or [] if str(o).strip())
    if ftype in ("choice", "multiple") and len(options) < 2:
        raise DefinitionError(_("« %(l)s » : au moins deux choix.") % {"l": label})
    if len(set(options)) != len(options):
        raise DefinitionError(_("« %(l)s » : des choix sont en double.") % {"l": label})
    fmt = str(raw.get("format") or "")
    if fmt and fmt not in FORMATS:
        raise DefinitionError(_("Format inconnu : %(f)s.") % {"f": fmt})
    children: tuple[FieldDef, ...] = ()
    if ftype == "group":
        if nested:
            raise DefinitionError(_("Un bloc répétable ne peut pas contenir un autre bloc."))
        children = tuple(_parse_one(c, nested=True) for c in raw.get("fields") or [])
        _check_unique(children)
    accept = tuple(raw.get("accept") or ("pdf", "jpeg", "png"))
    if any(a not in FILE_KINDS for a in accept) or not accept:
        raise DefinitionError(_("« %(l)s » : types de fichier inconnus.") % {"l": label})
    min_items = int(raw.get("min_items") or 0)
    max_items = int(raw.get("max_items") or MAX_GROUP_ITEMS)
    if not 0 <= min_items <= max_items <= MAX_GROUP_ITEMS:
        raise DefinitionError(_("« %(l)s » : nombre de blocs incohérent.") % {"l": label})
    max_size = int(raw.get("max_size_mb") or 5)
    if not 1 <= max_size <= 20:
        raise DefinitionError(_("Taille maximale de fichier : entre 1 et 20 Mo."))
    max_length = raw.get("max_length")
    return FieldDef(
        id=fid,
        type=ftype,
        label=label,
        help=str(raw.get("help") or ""),
        required=bool(raw.get("required")) and ftype not in DISPLAY_TYPES,
        options=options,
        min=_decimal(raw.get("min"), label),
        max=_decimal(raw.get("max"), label),
        max_length=int(max_length) if max_length else None,
        format=fmt,
        condition=_parse_condition(raw.get("condition"), label),
        children=children,
        min_items=min_items,
        max_items=max_items,
        item_label=str(raw.get("item_label") or ""),
        accept=accept,
        max_size_mb=max_size,
    )


def _check_unique(fields: Iterable[FieldDef]) -> None:
    seen: set[str] = set()
    for f in fields:
        if f.id in seen:
            raise DefinitionError(_("Identifiant de champ en double : %(id)s.") % {"id": f.id})
        seen.add(f.id)


def parse_fields(raw: Iterable[Mapping[str, Any]]) -> list[FieldDef]:
    """Check and load a list of field definitions (raises :class:`DefinitionError`)."""
    fields = [_parse_one(r, nested=False) for r in raw]
    _check_unique(fields)
    known = {f.id for f in fields}
    for f in fields:
        scope = known | {c.id for c in f.children}
        for item in (f, *f.children):
            if item.condition:
                for rule in item.condition.rules:
                    if rule.field not in scope or rule.field == item.id:
                        raise DefinitionError(
                            _("La condition de « %(l)s » porte sur un champ inconnu.")
                            % {"l": item.label}
                        )
    return fields


# --- Conditions --------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value in (None, "", [], {}) or (
        isinstance(value, dict) and not (value.get("text") or value.get("attachment"))
    )


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return None


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value).strip().casefold()


def rule_holds(rule: Rule, value: Any) -> bool:
    """Whether one rule holds for ``value`` (the answer of the field it refers to)."""
    if rule.op == "empty":
        return _is_empty(value)
    if rule.op == "not_empty":
        return not _is_empty(value)
    if _is_empty(value):
        return rule.op == "ne" and not _is_empty(rule.value)
    values = value if isinstance(value, list) else [value]
    if rule.op in ("gt", "lt"):
        left, right = _as_number(value), _as_number(rule.value)
        if left is None or right is None:
            # Dates (ISO strings) compare in order as text.
            left_s, right_s = str(value), str(rule.value)
            if re.match(r"^\d{4}-\d{2}-\d{2}$", left_s) and re.match(
                r"^\d{4}-\d{2}-\d{2}$", right_s
            ):
                return left_s > right_s if rule.op == "gt" else left_s < right_s
            return False
        return left > right if rule.op == "gt" else left < right
    if rule.op == "in":
        wanted = {_norm(v) for v in (rule.value if isinstance(rule.value, list) else [rule.value])}
        return any(_norm(v) in wanted for v in values)
    equal = any(_norm(v) == _norm(rule.value) for v in values)
    return equal if rule.op == "eq" else not equal


def condition_holds(condition: Condition | None, lookup: Callable[[str], Any]) -> bool:
    if condition is None:
        return True
    results = (rule_holds(r, lookup(r.field)) for r in condition.rules)
    return all(results) if condition.combine == "and" else any(results)


def _visible_ids(fields: Iterable[FieldDef], lookup: Callable[[str], Any]) -> set[str]:
    """Ids of the visible fields of one level; a hidden section hides what follows it."""
    visible: set[str] = set()
    section_shown = True
    for f in fields:
        shown = condition_holds(f.condition, lookup)
        if f.type == "section":
            section_shown = shown
            if shown:
                visible.add(f.id)
            continue
        if shown and section_shown:
            visible.add(f.id)
    return visible


def visible_top(fields: list[FieldDef], answers: Mapping[str, Any]) -> set[str]:
    return _visible_ids(fields, lambda fid: answers.get(fid))


def visible_in_item(
    group: FieldDef, item: Mapping[str, Any], answers: Mapping[str, Any]
) -> set[str]:
    """Inside a group item a rule refers to a sibling first, then to a top-level field."""
    child_ids = {c.id for c in group.children}
    return _visible_ids(
        group.children, lambda fid: item.get(fid) if fid in child_ids else answers.get(fid)
    )


def is_visible(fields: list[FieldDef], answers: Mapping[str, Any], field_id: str) -> bool:
    return field_id in visible_top(fields, answers)


def prune_hidden(fields: list[FieldDef], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of visible fields only: what a hidden field held is not kept."""
    # Hiding a field can reveal or hide others that depend on it: iterate to a fixpoint.
    current: dict[str, Any] = dict(answers)
    for _round in range(5):
        shown = visible_top(fields, current)
        pruned: dict[str, Any] = {}
        for f in fields:
            if f.id not in shown or f.is_display or f.id not in current:
                continue
            if f.type == "group":
                items = []
                for item in current[f.id] or []:
                    inner = visible_in_item(f, item, current)
                    items.append(
                        {c.id: item[c.id] for c in f.children if c.id in inner and c.id in item}
                    )
                pruned[f.id] = items
            else:
                pruned[f.id] = current[f.id]
        if pruned == current:
            break
        current = pruned
    return current


# --- Reading a POST ------------------------------------------------------------------------


@dataclass
class PostResult:
    answers: dict[str, Any]
    forged: list[str] = field(default_factory=list)  # unknown f-… names sent
    action: str = "save"  # "save", "submit", "add", "remove"
    group_changed: str = ""  # html id of the group (or item) the action touched


def html_name(field_id: str, group: str = "", index: int | None = None) -> str:
    if group:
        return f"f-{group}-{index}-{field_id}"
    return f"f-{field_id}"


def _read_value(f: FieldDef, data: Any, name: str, old: Any) -> tuple[Any, set[str]]:
    """The raw (not yet validated) answer of one input, and the POST names it used."""
    if f.type == "multiple":
        return [str(v) for v in data.getlist(name)], {name}
    if f.type == "checkbox":
        return data.get(name) == "on", {name}
    if f.type == "address":
        names = {name, f"{name}-lon", f"{name}-lat"}
        return {
            "text": (data.get(name) or "").strip(),
            "lon": (data.get(f"{name}-lon") or "").strip(),
            "lat": (data.get(f"{name}-lat") or "").strip(),
        }, names
    if f.type == "file":
        # The file itself arrives in request.FILES (stored by the caller); the POST may
        # ask to drop the one already attached.
        names = {name, f"{name}-remove"}
        if data.get(f"{name}-remove") == "on":
            return None, names
        return old, names
    if f.type == "yesno":
        value = data.get(name)
        return {"oui": True, "non": False}.get(value or "", value or None), {name}
    return (data.get(name) or "").strip(), {name}


def read_post(
    fields: list[FieldDef],
    data: Any,
    previous: Mapping[str, Any] | None = None,
    uploads: Mapping[str, Any] | None = None,
) -> PostResult:
    """Read a POST (a QueryDict-like ``data``) into raw answers.

    ``previous`` holds the saved draft (file answers are kept from it unless removed);
    ``uploads`` maps the HTML name of a file input to the stored file's reference.
    Buttons: ``action=submit|save``, ``add=<group id>``, ``remove=<group id>-<n>``.
    """
    previous = previous or {}
    uploads = uploads or {}
    answers: dict[str, Any] = {}
    used: set[str] = set()
    for f in fields:
        if f.is_display:
            continue
        name = html_name(f.id)
        if f.type == "group":
            count_name = f"{name}-count"
            used.add(count_name)
            try:
                count = int(data.get(count_name) or 0)
            except ValueError:
                count = 0
            count = max(0, min(count, f.max_items))
            old_items = previous.get(f.id) or []
            items = []
            for i in range(count):
                old_item = old_items[i] if i < len(old_items) else {}
                item: dict[str, Any] = {}
                for c in f.children:
                    if c.is_display:
                        continue
                    cname = html_name(c.id, f.id, i)
                    value, names = _read_value(c, data, cname, old_item.get(c.id))
                    used |= names | {cname}
                    if c.type == "file" and cname in uploads:
                        value = uploads[cname]
                    item[c.id] = value
                items.append(item)
            answers[f.id] = items
            continue
        value, names = _read_value(f, data, name, previous.get(f.id))
        used |= names
        if f.type == "file" and name in uploads:
            value = uploads[name]
        answers[f.id] = value
    forged = sorted(
        k for k in [*data.keys(), *uploads.keys()] if k.startswith("f-") and k not in used
    )
    result = PostResult(answers=answers, forged=forged)
    groups = {f.id: f for f in fields if f.type == "group"}
    add = data.get("add")
    remove = data.get("remove")
    if add in groups:
        group = groups[add]
        if len(answers[add]) < group.max_items:
            answers[add].append({})
        result.action, result.group_changed = "add", html_name(add)
    elif remove:
        gid, _sep, index = str(remove).rpartition("-")
        if gid in groups and index.isdigit() and int(index) < len(answers[gid]):
            del answers[gid][int(index)]
            result.action, result.group_changed = "remove", html_name(gid)
    elif data.get("action") == "submit":
        result.action = "submit"
    return result


def new_answers(fields: list[FieldDef]) -> dict[str, Any]:
    """Empty answers of a new dossier: each group starts with its minimum (at least one) item."""
    return {f.id: [{} for _i in range(max(1, f.min_items))] for f in fields if f.type == "group"}


# --- Validation ------------------------------------------------------------------------


def _check(f: FieldDef, value: Any) -> tuple[Any, str | None]:
    """Normalise one visible answer; return (value, French error or None)."""
    if f.type == "file":
        if _is_empty(value):
            return None, (_("Joignez un fichier.") if f.required else None)
        return value, None
    if _is_empty(value) or (value is False and f.type == "checkbox"):
        if f.required:
            if f.type == "checkbox":
                return False, _("Cochez cette case pour continuer.")
            if f.type in ("choice", "multiple", "yesno"):
                return value, _("Choisissez une réponse.")
            return value, _("Ce champ est obligatoire.")
        if (
            f.type == "address"
            and isinstance(value, dict)
            and (value.get("lon") or value.get("lat"))
        ):
            return value, _("Indiquez l'adresse en texte, en plus du point sur la carte.")
        return ([] if f.type == "multiple" else False if f.type == "checkbox" else None), None
    if f.type in ("text", "textarea", "email", "phone"):
        text = str(value)
        limit = f.max_length or (300 if f.type != "textarea" else 5000)
        if len(text) > limit:
            return text, _("%(n)s caractères au plus.") % {"n": limit}
        if f.type == "email" and not EMAIL_RE.match(text):
            return text, _("Saisissez une adresse électronique valide, par exemple nom@exemple.fr.")
        if f.type == "phone" and not PHONE_RE.match(text):
            return text, _("Saisissez un numéro de téléphone français, par exemple 06 12 34 56 78.")
        if f.format:
            label, pattern, hint = FORMATS[f.format]
            if not re.match(pattern, text.upper()):
                return text, _("Format attendu : %(label)s (%(hint)s).") % {
                    "label": label,
                    "hint": hint,
                }
            text = text.upper() if f.format in ("parcel", "ine") else text
        return text, None
    if f.type in ("number", "integer"):
        number = _as_number(value)
        if number is None or not number.is_finite():
            return value, _("Saisissez un nombre, par exemple 12,5.") if f.type == "number" else _(
                "Saisissez un nombre entier, par exemple 3."
            )
        if f.type == "integer" and number != number.to_integral_value():
            return value, _("Saisissez un nombre entier, par exemple 3.")
        if f.min is not None and number < f.min:
            return value, _("La valeur doit être au moins %(n)s.") % {"n": _fr(f.min)}
        if f.max is not None and number > f.max:
            return value, _("La valeur doit être au plus %(n)s.") % {"n": _fr(f.max)}
        return (int(number) if f.type == "integer" else _plain(number)), None
    if f.type == "date":
        text = str(value)
        parsed = _parse_date(text)
        if parsed is None:
            return text, _("Saisissez une date valide, par exemple 14/07/2026.")
        iso = parsed.isoformat()
        if f.min is not None or f.max is not None:
            pass  # bounds on dates are not offered by the builder
        return iso, None
    if f.type == "address":
        if not isinstance(value, dict):
            return None, _("Adresse illisible.")
        text = str(value.get("text") or "")
        if len(text) > 300:
            return value, _("%(n)s caractères au plus.") % {"n": 300}
        lon, lat = value.get("lon") or "", value.get("lat") or ""
        out: dict[str, Any] = {"text": text, "lon": None, "lat": None}
        if lon or lat:
            lon_n, lat_n = _as_number(lon), _as_number(lat)
            if (
                lon_n is None
                or lat_n is None
                or not (-180 <= lon_n <= 180)
                or not (-90 <= lat_n <= 90)
            ):
                return value, _("Le point sur la carte est invalide (longitude, latitude).")
            out["lon"], out["lat"] = float(lon_n), float(lat_n)
        return out, None
    if f.type == "choice":
        if value not in f.options:
            return None, _("Choisissez une réponse dans la liste.")
        return value, None
    if f.type == "multiple":
        values = value if isinstance(value, list) else [value]
        if any(v not in f.options for v in values):
            return [v for v in values if v in f.options], _(
                "Choisissez parmi les réponses proposées."
            )
        return [o for o in f.options if o in values], None
    if f.type == "yesno":
        if value not in (True, False):
            return None, _("Répondez par oui ou par non.")
        return value, None
    if f.type == "checkbox":
        return bool(value), None
    return value, None


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros ("20", "12.5")."""
    text = format(number.normalize(), "f")
    return text


def _fr(number: Decimal) -> str:
    return _plain(number).replace(".", ",")


def _parse_date(text: str) -> date | None:
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", text) or None
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


@dataclass
class Validation:
    answers: dict[str, Any]  # normalised, hidden fields pruned
    errors: dict[str, str]  # html id → French message, in the order of the form

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(fields: list[FieldDef], answers: Mapping[str, Any]) -> Validation:
    """Check every visible answer; hidden fields are neither required nor kept."""
    kept = prune_hidden(fields, answers)
    shown = visible_top(fields, kept)
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for f in fields:
        if f.id not in shown or f.is_display:
            continue
        if f.type == "group":
            items = kept.get(f.id) or []
            if len(items) < max(f.min_items, 1 if f.required else 0):
                errors[html_name(f.id)] = _("Ajoutez au moins %(n)s bloc(s).") % {
                    "n": max(f.min_items, 1)
                }
            clean_items = []
            for i, item in enumerate(items):
                inner = visible_in_item(f, item, kept)
                clean_item = {}
                for c in f.children:
                    if c.id not in inner or c.is_display:
                        continue
                    value, error = _check(c, item.get(c.id))
                    clean_item[c.id] = value
                    if error:
                        errors[html_name(c.id, f.id, i)] = error
                clean_items.append(clean_item)
            clean[f.id] = clean_items
            continue
        value, error = _check(f, kept.get(f.id))
        clean[f.id] = value
        if error:
            errors[html_name(f.id)] = error
    return Validation(answers=clean, errors=errors)


# --- Display --------------------------------------------------------------------------------


def display_value(f: FieldDef, value: Any) -> str:
    """An answer as text (PDFs, exports, the agent's view)."""
    if value is None or value == "" or value == []:
        return ""
    if f.type == "yesno":
        return _("Oui") if value is True else _("Non") if value is False else str(value)
    if f.type == "checkbox":
        return _("Oui") if value else _("Non")
    if f.type == "multiple":
        return ", ".join(str(v) for v in value)
    if f.type == "date":
        d = _parse_date(str(value))
        return d.strftime("%d/%m/%Y") if d else str(value)
    if f.type == "number":
        return str(value).replace(".", ",")
    if f.type == "address" and isinstance(value, dict):
        text = str(value.get("text") or "")
        if value.get("lon") is not None and value.get("lat") is not None:
            text += f" ({value['lat']:.5f}, {value['lon']:.5f})"
        return text
    if f.type == "file" and isinstance(value, dict):
        return str(value.get("name") or "")
    return str(value)


def answer_rows(fields: list[FieldDef], answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """(label, text) rows of the visible answers, group items indented: for PDFs and pages."""
    rows: list[dict[str, Any]] = []
    shown = visible_top(fields, answers)
    for f in fields:
        if f.id not in shown or f.type == "explanation":
            continue
        if f.type == "section":
            rows.append({"label": f.label, "value": "", "section": True, "level": 0})
            continue
        if f.type == "group":
            for i, item in enumerate(answers.get(f.id) or []):
                title = f"{f.item_label or f.label} {i + 1}"
                rows.append({"label": title, "value": "", "section": True, "level": 1})
                inner = visible_in_item(f, item, answers)
                for c in f.children:
                    if c.id in inner and not c.is_display:
                        rows.append(
                            {
                                "label": c.label,
                                "value": display_value(c, item.get(c.id)),
                                "section": False,
                                "level": 1,
                                "file": item.get(c.id) if c.type == "file" else None,
                            }
                        )
            continue
        rows.append(
            {
                "label": f.label,
                "value": display_value(f, answers.get(f.id)),
                "section": False,
                "level": 0,
                "file": answers.get(f.id) if f.type == "file" else None,
            }
        )
    return rows


def widgets(
    fields: list[FieldDef], answers: Mapping[str, Any], errors: Mapping[str, str]
) -> list[dict[str, Any]]:
    """What the template needs to draw the visible fields, with values and errors."""

    def one(f: FieldDef, value: Any, name: str) -> dict[str, Any]:
        w: dict[str, Any] = {
            "f": f,
            "name": name,
            "id": name,
            "value": value,
            "error": errors.get(name, ""),
        }
        if f.type == "address":
            value = value if isinstance(value, dict) else {}
            w["text"] = value.get("text") or ""
            w["lon"] = "" if value.get("lon") is None else value.get("lon")
            w["lat"] = "" if value.get("lat") is None else value.get("lat")
        if f.type == "multiple":
            w["selected"] = value if isinstance(value, list) else []
        if f.type == "yesno":
            w["selected"] = "oui" if value is True else "non" if value is False else ""
        if f.type == "date" and isinstance(value, str):
            w["value"] = value
        if f.type == "file":
            w["current"] = value if isinstance(value, dict) else None
            w["accept"] = ",".join(FILE_KINDS[a] for a in f.accept)
            w["kinds"] = ", ".join(a.upper() for a in f.accept)
        if f.type in ("number", "integer") and value is not None:
            w["value"] = str(value).replace(".", ",") if f.type == "number" else value
        return w

    out = []
    shown = visible_top(fields, answers)
    for f in fields:
        if f.id not in shown:
            continue
        name = html_name(f.id)
        if f.type == "group":
            items = []
            for i, item in enumerate(answers.get(f.id) or []):
                inner = visible_in_item(f, item, answers)
                items.append(
                    {
                        "index": i,
                        "number": i + 1,
                        "remove": f"{f.id}-{i}",
                        "widgets": [
                            one(c, item.get(c.id), html_name(c.id, f.id, i))
                            for c in f.children
                            if c.id in inner
                        ],
                    }
                )
            out.append(
                {
                    "f": f,
                    "name": name,
                    "id": name,
                    "is_group": True,
                    "items": items,
                    "count": len(items),
                    "can_add": len(items) < f.max_items,
                    "can_remove": len(items) > max(f.min_items, 1 if f.required else 0),
                    "error": errors.get(name, ""),
                }
            )
            continue
        out.append(one(f, answers.get(f.id), name))
    return out


def error_labels(fields: list[FieldDef], errors: Mapping[str, str]) -> list[dict[str, str]]:
    """The error summary: one link per error, labelled with the field (and its block)."""
    labels: dict[str, str] = {}
    for f in fields:
        labels[html_name(f.id)] = f.label
        for i in range(MAX_GROUP_ITEMS):
            for c in f.children:
                labels[html_name(c.id, f.id, i)] = f"{c.label} ({f.item_label or f.label} {i + 1})"
    return [{"id": k, "label": labels.get(k, k), "message": v} for k, v in errors.items()]


def file_field_for(fields: list[FieldDef], name: str) -> FieldDef | None:
    """The file field an uploaded input name belongs to, or None for a forged name."""
    for f in fields:
        if f.type == "file" and name == html_name(f.id):
            return f
        if f.type == "group":
            for c in f.children:
                m = re.fullmatch(rf"f-{re.escape(f.id)}-(\d+)-{re.escape(c.id)}", name)
                if c.type == "file" and m and int(m[1]) < f.max_items:
                    return c
    return None
