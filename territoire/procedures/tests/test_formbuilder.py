"""The form engine: every field type, every condition operator, groups without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict

from territoire.procedures import formbuilder as fb


def post(pairs: list[tuple[str, str]]) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, v in pairs:
        q.appendlist(k, v)
    return q


def one(ftype: str, **kw: Any) -> list[fb.FieldDef]:
    return fb.parse_fields([{"id": "x", "type": ftype, "label": "Question", **kw}])


def check(ftype: str, value: Any, **kw: Any) -> tuple[Any, str | None]:
    fields = one(ftype, **kw)
    result = fb.validate(fields, {"x": value})
    return result.answers.get("x"), result.errors.get("f-x")


# --- Definitions --------------------------------------------------------------------------


def test_every_type_has_a_label_and_parses() -> None:
    for ftype in fb.FIELD_TYPES:
        extra: dict[str, Any] = {}
        if ftype in ("choice", "multiple"):
            extra["options"] = ["A", "B"]
        if ftype == "group":
            extra["fields"] = [{"id": "y", "type": "text", "label": "Prénom"}]
        (f,) = one(ftype, **extra)
        assert f.type == ftype
        assert fb.parse_fields([f.to_dict()])[0] == f  # round trip through JSON


@pytest.mark.parametrize(
    "raw",
    [
        {"id": "Bad Id", "type": "text", "label": "L"},
        {"id": "x", "type": "nope", "label": "L"},
        {"id": "x", "type": "text", "label": ""},
        {"id": "x", "type": "choice", "label": "L", "options": ["seul"]},
        {"id": "x", "type": "choice", "label": "L", "options": ["a", "a"]},
        {"id": "x", "type": "text", "label": "L", "format": "regex-libre"},
        {"id": "x", "type": "file", "label": "L", "accept": ["exe"]},
        {"id": "x", "type": "file", "label": "L", "max_size_mb": 500},
        {
            "id": "x",
            "type": "text",
            "label": "L",
            "condition": {"rules": [{"field": "x", "op": "eq"}]},
        },
        {
            "id": "x",
            "type": "text",
            "label": "L",
            "condition": {"rules": [{"field": "zz", "op": "eq"}]},
        },
        {
            "id": "x",
            "type": "text",
            "label": "L",
            "condition": {"rules": [{"field": "x", "op": "like"}]},
        },
        {
            "id": "x",
            "type": "group",
            "label": "L",
            "fields": [{"id": "g", "type": "group", "label": "Nested"}],
        },
    ],
)
def test_invalid_definitions_are_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(fb.DefinitionError):
        fb.parse_fields([raw])


def test_duplicate_ids_refused() -> None:
    with pytest.raises(fb.DefinitionError):
        fb.parse_fields(
            [{"id": "a", "type": "text", "label": "A"}, {"id": "a", "type": "text", "label": "B"}]
        )


# --- Field types ---------------------------------------------------------------------------


def test_required_messages_in_french() -> None:
    assert check("text", "", required=True)[1] == "Ce champ est obligatoire."
    assert check("choice", None, required=True, options=["A", "B"])[1] == "Choisissez une réponse."
    assert check("checkbox", False, required=True)[1] == "Cochez cette case pour continuer."
    assert check("file", None, required=True)[1] == "Joignez un fichier."
    assert check("text", "", required=False) == (None, None)


def test_text_and_textarea_lengths() -> None:
    assert check("text", "Dupont") == ("Dupont", None)
    assert "caractères au plus" in (check("text", "x" * 301)[1] or "")
    assert check("textarea", "x" * 2000)[1] is None
    assert "10 caractères" in (check("text", "x" * 11, max_length=10)[1] or "")


def test_formats() -> None:
    assert check("text", "AB 123", format="parcel") == ("AB 123", None)
    assert check("text", "ab 123", format="parcel") == ("AB 123", None)
    assert "Référence cadastrale" in (check("text", "n'importe quoi", format="parcel")[1] or "")
    assert check("text", "17000", format="postcode")[1] is None
    assert check("text", "170", format="postcode")[1] is not None


def test_number_and_integer() -> None:
    assert check("number", "12,5") == ("12.5", None)
    assert check("number", "abc")[1] == "Saisissez un nombre, par exemple 12,5."
    assert check("number", "3", min="5")[1] == "La valeur doit être au moins 5."
    assert check("number", "30", max="20")[1] == "La valeur doit être au plus 20."
    assert check("number", "NaN")[1] is not None
    assert check("integer", "4") == (4, None)
    assert check("integer", "4,5")[1] == "Saisissez un nombre entier, par exemple 3."


def test_date() -> None:
    assert check("date", "2026-07-14") == ("2026-07-14", None)
    assert check("date", "14/07/2026") == ("2026-07-14", None)
    assert check("date", "31/02/2026")[1] == "Saisissez une date valide, par exemple 14/07/2026."
    assert check("date", "demain")[1] is not None


def test_email_and_phone() -> None:
    assert check("email", "anne@exemple.fr")[1] is None
    assert "adresse électronique valide" in (check("email", "anne@")[1] or "")
    assert check("phone", "06 12 34 56 78")[1] is None
    assert check("phone", "+33 6 12 34 56 78")[1] is None
    assert "téléphone" in (check("phone", "12345")[1] or "")


def test_address_with_point() -> None:
    value, error = check("address", {"text": "3 rue du Port", "lon": "-1.16", "lat": "46.15"})
    assert error is None
    assert value == {"text": "3 rue du Port", "lon": -1.16, "lat": 46.15}
    assert check("address", {"text": "3 rue du Port", "lon": "999", "lat": "46"})[1] is not None
    assert check("address", {"text": "", "lon": "-1.16", "lat": "46.15"})[1] is not None
    assert check("address", {"text": "", "lon": "", "lat": ""}, required=True)[1] is not None


def test_choice_multiple_yesno_checkbox() -> None:
    assert check("choice", "B", options=["A", "B"]) == ("B", None)
    assert check("choice", "Z", options=["A", "B"])[1] == "Choisissez une réponse dans la liste."
    assert check("multiple", ["B", "A"], options=["A", "B", "C"]) == (["A", "B"], None)
    assert check("multiple", ["A", "forgé"], options=["A", "B"])[1] is not None
    assert check("yesno", True) == (True, None)
    assert check("yesno", "peut-être")[1] == "Répondez par oui ou par non."
    assert check("checkbox", True) == (True, None)


def test_file_answer_kept_as_reference() -> None:
    ref = {"attachment": 3, "name": "livret.pdf", "size": 10}
    assert check("file", ref) == (ref, None)


def test_display_types_hold_no_answer() -> None:
    fields = fb.parse_fields(
        [
            {"id": "s", "type": "section", "label": "Identité", "required": True},
            {"id": "e", "type": "explanation", "label": "Lisez ceci"},
        ]
    )
    result = fb.validate(fields, {"s": "x", "e": "y"})
    assert result.ok and result.answers == {}


# --- Conditions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "rule_value", "answer", "expected"),
    [
        ("eq", "Oui", "oui", True),
        ("eq", "A", "B", False),
        ("ne", "A", "B", True),
        ("ne", "A", "A", False),
        ("gt", "3", "4", True),
        ("gt", "3", "2", False),
        ("lt", "3", "2", True),
        ("lt", "3", "4,5", False),
        ("gt", "2020-01-01", "2021-05-01", True),
        ("empty", "", "", True),
        ("empty", "", "rempli", False),
        ("not_empty", "", "rempli", True),
        ("in", ["A", "B"], "B", True),
        ("in", "A;B", "C", False),
        ("eq", "A", ["A", "C"], True),  # multiple choice: holds if one value matches
        ("eq", "oui", True, True),  # yes/no answers compare as "oui"/"non"
    ],
)
def test_every_operator(op: str, rule_value: Any, answer: Any, expected: bool) -> None:
    fields = fb.parse_fields(
        [
            {"id": "a", "type": "text", "label": "A"},
            {
                "id": "b",
                "type": "text",
                "label": "B",
                "condition": {"rules": [{"field": "a", "op": op, "value": rule_value}]},
            },
        ]
    )
    assert fb.is_visible(fields, {"a": answer}, "b") is expected


def test_and_or_combinations() -> None:
    def make(combine: str) -> list[fb.FieldDef]:
        return fb.parse_fields(
            [
                {"id": "a", "type": "integer", "label": "A"},
                {"id": "c", "type": "text", "label": "C"},
                {
                    "id": "b",
                    "type": "text",
                    "label": "B",
                    "condition": {
                        "combine": combine,
                        "rules": [
                            {"field": "a", "op": "gt", "value": "2"},
                            {"field": "c", "op": "eq", "value": "x"},
                        ],
                    },
                },
            ]
        )

    assert fb.is_visible(make("and"), {"a": 3, "c": "x"}, "b")
    assert not fb.is_visible(make("and"), {"a": 3, "c": "y"}, "b")
    assert fb.is_visible(make("or"), {"a": 3, "c": "y"}, "b")
    assert not fb.is_visible(make("or"), {"a": 1, "c": "y"}, "b")


def test_hidden_fields_are_neither_required_nor_kept() -> None:
    fields = fb.parse_fields(
        [
            {"id": "mode", "type": "choice", "label": "Mode", "options": ["Courrier", "Mairie"]},
            {
                "id": "adresse",
                "type": "text",
                "label": "Adresse d'envoi",
                "required": True,
                "condition": {"rules": [{"field": "mode", "op": "eq", "value": "Courrier"}]},
            },
        ]
    )
    result = fb.validate(fields, {"mode": "Mairie", "adresse": "ancienne valeur"})
    assert result.ok
    assert "adresse" not in result.answers
    result = fb.validate(fields, {"mode": "Courrier", "adresse": ""})
    assert result.errors == {"f-adresse": "Ce champ est obligatoire."}


def test_hidden_section_hides_its_fields() -> None:
    fields = fb.parse_fields(
        [
            {"id": "pro", "type": "yesno", "label": "Professionnel ?"},
            {
                "id": "sec",
                "type": "section",
                "label": "Entreprise",
                "condition": {"rules": [{"field": "pro", "op": "eq", "value": "oui"}]},
            },
            {"id": "siret", "type": "text", "label": "SIRET", "required": True, "format": "siret"},
        ]
    )
    assert fb.validate(fields, {"pro": False}).ok
    assert "f-siret" in fb.validate(fields, {"pro": True}).errors


def test_chained_conditions_prune_to_a_fixpoint() -> None:
    fields = fb.parse_fields(
        [
            {"id": "a", "type": "yesno", "label": "A"},
            {
                "id": "b",
                "type": "yesno",
                "label": "B",
                "condition": {"rules": [{"field": "a", "op": "eq", "value": "oui"}]},
            },
            {
                "id": "c",
                "type": "text",
                "label": "C",
                "required": True,
                "condition": {"rules": [{"field": "b", "op": "eq", "value": "oui"}]},
            },
        ]
    )
    # a = non hides b, which hides c even though b's stale answer was "oui".
    assert fb.validate(fields, {"a": False, "b": True, "c": ""}).ok


# --- Repeatable groups and reading POSTs ----------------------------------------------------

SCHOOL = [
    {"id": "quartier", "type": "choice", "label": "Quartier", "options": ["Port", "Plage"]},
    {
        "id": "enfants",
        "type": "group",
        "label": "Enfants",
        "item_label": "Enfant",
        "min_items": 1,
        "max_items": 3,
        "fields": [
            {"id": "prenom", "type": "text", "label": "Prénom", "required": True},
            {"id": "niveau", "type": "choice", "label": "Niveau", "options": ["CP", "CE1"]},
            {
                "id": "ecole_port",
                "type": "choice",
                "label": "École",
                "options": ["École du Port", "École des Mouettes"],
                "condition": {"rules": [{"field": "quartier", "op": "eq", "value": "Port"}]},
            },
            {
                "id": "cantine",
                "type": "yesno",
                "label": "Cantine",
                "condition": {"rules": [{"field": "niveau", "op": "eq", "value": "CP"}]},
            },
            {"id": "livret", "type": "file", "label": "Livret"},
        ],
    },
]


def test_group_add_and_remove_without_javascript() -> None:
    fields = fb.parse_fields(SCHOOL)
    data = post(
        [
            ("f-quartier", "Port"),
            ("f-enfants-count", "1"),
            ("f-enfants-0-prenom", "Léa"),
            ("add", "enfants"),
        ]
    )
    result = fb.read_post(fields, data)
    assert result.action == "add"
    assert len(result.answers["enfants"]) == 2
    assert result.answers["enfants"][0]["prenom"] == "Léa"
    data = post(
        [
            ("f-enfants-count", "2"),
            ("f-enfants-0-prenom", "Léa"),
            ("f-enfants-1-prenom", "Tom"),
            ("remove", "enfants-0"),
        ]
    )
    result = fb.read_post(fields, data)
    assert result.action == "remove"
    assert [i["prenom"] for i in result.answers["enfants"]] == ["Tom"]


def test_group_count_is_bounded() -> None:
    fields = fb.parse_fields(SCHOOL)
    result = fb.read_post(fields, post([("f-enfants-count", "999999"), ("add", "enfants")]))
    assert len(result.answers["enfants"]) == 3


def test_group_conditions_use_siblings_then_top_level() -> None:
    fields = fb.parse_fields(SCHOOL)
    answers = {
        "quartier": "Port",
        "enfants": [{"prenom": "Léa", "niveau": "CP"}, {"prenom": "Tom", "niveau": "CE1"}],
    }
    shown = [fb.visible_in_item(fields[1], item, answers) for item in answers["enfants"]]
    assert "cantine" in shown[0] and "cantine" not in shown[1]
    assert "ecole_port" in shown[0] and "ecole_port" in shown[1]
    result = fb.validate(fields, {**answers, "quartier": "Plage"})
    assert all("ecole_port" not in item for item in result.answers["enfants"])


def test_group_errors_keyed_by_item() -> None:
    fields = fb.parse_fields(SCHOOL)
    result = fb.validate(fields, {"enfants": [{"prenom": "Léa"}, {"prenom": ""}]})
    assert result.errors == {"f-enfants-1-prenom": "Ce champ est obligatoire."}
    summary = fb.error_labels(fields, result.errors)
    assert summary == [
        {
            "id": "f-enfants-1-prenom",
            "label": "Prénom (Enfant 2)",
            "message": "Ce champ est obligatoire.",
        }
    ]


def test_forged_field_names_are_reported_not_read() -> None:
    fields = fb.parse_fields(SCHOOL)
    result = fb.read_post(
        fields,
        post([("f-quartier", "Port"), ("f-admin", "1"), ("f-enfants-7-prenom", "x")]),
    )
    assert result.forged == ["f-admin", "f-enfants-7-prenom"]
    assert "admin" not in result.answers


def test_file_kept_from_draft_unless_removed() -> None:
    fields = fb.parse_fields(SCHOOL)
    ref = {"attachment": 1, "name": "a.pdf"}
    previous = {"enfants": [{"prenom": "Léa", "livret": ref}]}
    kept = fb.read_post(fields, post([("f-enfants-count", "1")]), previous)
    assert kept.answers["enfants"][0]["livret"] == ref
    dropped = fb.read_post(
        fields, post([("f-enfants-count", "1"), ("f-enfants-0-livret-remove", "on")]), previous
    )
    assert dropped.answers["enfants"][0]["livret"] is None
    assert fb.file_field_for(fields, "f-enfants-0-livret") is not None
    assert fb.file_field_for(fields, "f-enfants-0-prenom") is None
    assert fb.file_field_for(fields, "f-autre") is None


def test_widgets_and_rows_for_display() -> None:
    fields = fb.parse_fields(SCHOOL)
    answers = {"quartier": "Port", "enfants": [{"prenom": "Léa", "niveau": "CP", "cantine": True}]}
    ws = fb.widgets(fields, answers, {})
    assert ws[1]["items"][0]["widgets"][0]["name"] == "f-enfants-0-prenom"
    rows = fb.answer_rows(fields, answers)
    assert {"label": "Cantine", "value": "Oui"} in [
        {"label": r["label"], "value": r["value"]} for r in rows
    ]


def test_remove_button_only_above_the_minimum() -> None:
    fields = fb.parse_fields(SCHOOL)  # min_items = 1
    one = fb.widgets(fields, {"enfants": [{}]}, {})[1]
    two = fb.widgets(fields, {"enfants": [{}, {}]}, {})[1]
    assert not one["can_remove"] and two["can_remove"]
    assert two["can_add"] and not fb.widgets(fields, {"enfants": [{}] * 3}, {})[1]["can_add"]
