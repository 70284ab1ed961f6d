"""The no-code builder: every field type through the pages, conditions, versions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from territoire.core.models import AuditEntry
from territoire.core.tests.factories import ServiceFactory
from territoire.procedures import formbuilder, services
from territoire.procedures.models import Procedure, ProcedureStatus
from territoire.procedures.tests.factories import make_procedure, submitted_dossier

pytestmark = pytest.mark.django_db


def surl(name: str, tenant: Any, **kw: Any) -> str:
    return reverse(f"procedures_staff:{name}", kwargs={"tenant": tenant.slug, **kw})


@pytest.fixture
def procedure(agent_client: Client, tenant: Any) -> Procedure:
    service = ServiceFactory(tenant=tenant, name="État civil", slug="etat-civil")
    response = agent_client.post(
        surl("procedure_new", tenant),
        {
            "title": "Demande d'acte d'état civil",
            "theme": "État civil",
            "description": "Obtenir une copie d'acte.",
            "requirements": "",
            "delay": "5 jours",
            "cost": "Gratuit",
            "service": str(service.pk),
            "silence_days": "",
        },
    )
    assert response.status_code == 302
    return Procedure.objects.get(slug="demande-dacte-detat-civil")


EXTRA: dict[str, dict[str, Any]] = {
    "choice": {"options": "Naissance\nMariage\nDécès"},
    "multiple": {"options": "Courrier\nMairie"},
    "number": {"min": "0", "max": "10"},
    "integer": {"min": "1", "max": "3"},
    "text": {"format": "postcode", "max_length": "5"},
    "file": {"accept": ["pdf", "png"], "max_size_mb": "2"},
    "group": {"item_label": "Enfant", "min_items": "1", "max_items": "4"},
}


def test_every_field_type_can_be_added(
    agent_client: Client, tenant: Any, procedure: Procedure
) -> None:
    for ftype in formbuilder.FIELD_TYPES:
        page = agent_client.get(surl("field", tenant, slug=procedure.slug), {"type": ftype})
        assert page.status_code == 200, ftype
        data = {"type": ftype, "label": f"Question {ftype}", "help": "Aide", "required": "on"}
        data.update(EXTRA.get(ftype, {}))
        response = agent_client.post(surl("field", tenant, slug=procedure.slug), data)
        assert response.status_code == 302, (ftype, response.content.decode()[-3000:])
    procedure.refresh_from_db()
    types = [f["type"] for f in procedure.fields]
    assert types == list(formbuilder.FIELD_TYPES)
    parsed = formbuilder.parse_fields(procedure.fields)
    by_type = {f.type: f for f in parsed}
    assert by_type["choice"].options == ("Naissance", "Mariage", "Décès")
    assert by_type["file"].accept == ("pdf", "png") and by_type["file"].max_size_mb == 2
    assert by_type["group"].item_label == "Enfant"
    assert by_type["text"].format == "postcode"
    assert not by_type["section"].required  # display types are never required


def test_field_inside_group_and_conditions(
    agent_client: Client, tenant: Any, procedure: Procedure
) -> None:
    url = surl("field", tenant, slug=procedure.slug)
    agent_client.post(url, {"type": "choice", "label": "Quartier", "options": "Port\nPlage"})
    agent_client.post(url, {"type": "group", "label": "Enfants", "item_label": "Enfant"})
    agent_client.post(
        url, {"type": "text", "label": "Prénom", "required": "on", "parent": "enfants"}
    )
    response = agent_client.post(
        url,
        {
            "type": "choice",
            "label": "École du Port",
            "options": "A\nB",
            "parent": "enfants",
            "combine": "or",
            "rule1_field": "quartier",
            "rule1_op": "eq",
            "rule1_value": "Port",
            "rule2_field": "prenom",
            "rule2_op": "in",
            "rule2_value": "Léa;Tom",
        },
    )
    assert response.status_code == 302
    procedure.refresh_from_db()
    group = procedure.fields[1]
    assert [c["id"] for c in group["fields"]] == ["prenom", "ecole_du_port"]
    condition = group["fields"][1]["condition"]
    assert condition["combine"] == "or"
    assert condition["rules"][1] == {"field": "prenom", "op": "in", "value": ["Léa", "Tom"]}
    # A condition on an unknown field is refused with a message, nothing saved.
    response = agent_client.post(
        url,
        {"type": "text", "label": "Bidon", "rule1_field": "nexistepas", "rule1_op": "eq"},
    )
    assert response.status_code == 400
    procedure.refresh_from_db()
    assert len(procedure.fields) == 2
    # Deleting a field another condition depends on is refused.
    agent_client.post(
        surl("field_action", tenant, slug=procedure.slug), {"action": "delete", "id": "quartier"}
    )
    procedure.refresh_from_db()
    assert procedure.fields[0]["id"] == "quartier"


def test_edit_reorder_delete(agent_client: Client, tenant: Any, procedure: Procedure) -> None:
    url = surl("field", tenant, slug=procedure.slug)
    for label in ("Nom", "Prénom", "Ville"):
        agent_client.post(url, {"type": "text", "label": label})
    action = surl("field_action", tenant, slug=procedure.slug)
    agent_client.post(action, {"action": "up", "id": "ville"})
    agent_client.post(action, {"action": "delete", "id": "nom"})
    agent_client.post(
        url, {"id": "prenom", "type": "text", "label": "Prénom usuel", "required": "on"}
    )
    procedure.refresh_from_db()
    assert [(f["id"], f["label"]) for f in procedure.fields] == [
        ("ville", "Ville"),
        ("prenom", "Prénom usuel"),
    ]
    assert procedure.fields[1]["required"] is True
    assert AuditEntry.objects.filter(action="procedure.field_delete").exists()


def test_publish_versions_and_dossiers_keep_theirs(
    agent_client: Client, tenant: Any, resident: Any
) -> None:
    procedure = make_procedure(tenant)
    dossier = submitted_dossier(procedure, resident)
    assert dossier.version.number == 1
    agent_client.post(
        surl("field", tenant, slug=procedure.slug),
        {"type": "email", "label": "Courriel de contact", "required": "on"},
    )
    agent_client.post(surl("status", tenant, slug=procedure.slug), {"action": "publish"})
    procedure.refresh_from_db()
    assert procedure.versions.count() == 2
    v1 = procedure.versions.get(number=1)
    assert "courriel_de_contact" not in [f["id"] for f in v1.fields]  # immutable
    dossier.refresh_from_db()
    assert dossier.version == v1
    new = services.dossier_start(user=resident, procedure=procedure)
    assert new.version.number == 2
    agent_client.post(surl("status", tenant, slug=procedure.slug), {"action": "close"})
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CLOSED


def test_publish_refused_without_questions(
    agent_client: Client, tenant: Any, procedure: Procedure
) -> None:
    response = agent_client.post(
        surl("status", tenant, slug=procedure.slug), {"action": "publish"}, follow=True
    )
    assert "Ajoutez au moins une question" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.DRAFT


def test_attestation_template_placeholders(
    agent_client: Client, tenant: Any, resident: Any, agent: Any
) -> None:
    from territoire.procedures.pdf import fill_placeholders

    procedure = make_procedure(tenant)
    agent_client.post(
        surl("template", tenant, slug=procedure.slug, kind="accepted"),
        {
            "accepted-title": "Accord {reference}",
            "accepted-body": "Quartier : {reponse:quartier}. {motivation}",
        },
    )
    template = procedure.attestation_templates.get(kind="accepted")
    dossier = submitted_dossier(procedure, resident)
    services.dossier_transition(
        actor=agent, dossier=dossier, to_state="accepted", reason="Bienvenue"
    )
    dossier.refresh_from_db()
    assert fill_placeholders(template.body, dossier) == "Quartier : Port. Bienvenue"
    assert fill_placeholders(template.title, dossier) == f"Accord {dossier.reference}"


def test_builder_of_another_tenant_is_hidden(agent_client: Client, other_tenant: Any) -> None:
    procedure = make_procedure(other_tenant)
    response = agent_client.get(surl("builder", other_tenant, slug=procedure.slug))
    assert response.status_code == 403


def test_builder_page_of_a_published_procedure(agent_client: Client, tenant: Any) -> None:
    procedure = make_procedure(tenant)
    page = agent_client.get(surl("builder", tenant, slug=procedure.slug)).content.decode()
    public = reverse("procedures:procedure", kwargs={"tenant": tenant.slug, "slug": procedure.slug})
    assert f'href="{public}"' in page
    assert "Publier une nouvelle version" in page


def test_attestation_carries_the_tenant_logo(tenant: Any, resident: Any, agent: Any) -> None:
    from territoire.core import services as core_services
    from territoire.core.demo_logo import render_logo
    from territoire.procedures.pdf import attestation_pdf

    core_services.tenant_update_theme(
        actor="test",
        tenant=tenant,
        colour_primary=tenant.colour_primary,
        colour_accent=tenant.colour_accent,
        logo=render_logo(tenant.name, tenant.colour_primary),
    )
    dossier = submitted_dossier(make_procedure(tenant), resident)
    services.dossier_transition(actor=agent, dossier=dossier, to_state="accepted", reason="ok")
    dossier.refresh_from_db()
    with_logo = attestation_pdf(dossier, "Accord", "Texte")
    assert with_logo[:5] == b"%PDF-" and b"/Subtype /Image" in with_logo


@pytest.mark.parametrize("op", ["eq", "ne", "gt", "lt", "empty", "not_empty", "in"])
@pytest.mark.parametrize("combine", ["and", "or"])
def test_every_condition_operator_through_the_builder(
    agent_client: Client, tenant: Any, procedure: Procedure, op: str, combine: str
) -> None:
    url = surl("field", tenant, slug=procedure.slug)
    agent_client.post(url, {"type": "integer", "label": "Enfants"})
    agent_client.post(url, {"type": "text", "label": "Ville"})
    response = agent_client.post(
        url,
        {
            "type": "text",
            "label": "Détail",
            "combine": combine,
            "rule1_field": "enfants",
            "rule1_op": op,
            "rule1_value": "2" if op != "in" else "2;3",
            "rule2_field": "ville",
            "rule2_op": "not_empty",
        },
    )
    assert response.status_code == 302
    procedure.refresh_from_db()
    fields = formbuilder.parse_fields(procedure.fields)
    condition = fields[2].condition
    assert condition is not None and condition.combine == combine
    assert condition.rules[0].op == op
    expected = {
        "eq": {"enfants": 2},
        "ne": {"enfants": 1},
        "gt": {"enfants": 3},
        "lt": {"enfants": 1},
        "empty": {},
        "not_empty": {"enfants": 1},
        "in": {"enfants": 3},
    }[op]
    answers = {**expected, "ville": "Valmont"}
    assert formbuilder.is_visible(fields, answers, "detail")
    if combine == "and":
        assert not formbuilder.is_visible(fields, {**expected, "ville": ""}, "detail")


def test_slugs_never_shadow_public_pages(tenant: Any) -> None:
    procedure = make_procedure(tenant, title="Mes dossiers", publish=False)
    assert procedure.slug == "mes-dossiers-2"
