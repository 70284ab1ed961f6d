"""Caseworkers: inbox, exports, the state machine, decisions, tools, isolation."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from territoire.core import events
from territoire.core.models import AuditEntry, Notification
from territoire.core.tests.factories import member
from territoire.procedures import services
from territoire.procedures.models import Dossier, DossierState
from territoire.procedures.tests.factories import make_procedure, pdf_upload, submitted_dossier

pytestmark = pytest.mark.django_db


def surl(name: str, tenant: Any, **kw: Any) -> str:
    return reverse(f"procedures_staff:{name}", kwargs={"tenant": tenant.slug, **kw})


@pytest.fixture
def filed(tenant: Any, resident: Any) -> Dossier:
    return submitted_dossier(make_procedure(tenant), resident)


def test_inbox_lists_filed_dossiers_with_counts(
    agent_client: Client, tenant: Any, filed: Dossier, resident: Any
) -> None:
    draft = services.dossier_start(user=resident, procedure=filed.procedure)
    page = agent_client.get(surl("inbox", tenant)).content.decode()
    assert filed.reference in page
    assert draft.reference not in page  # drafts stay private
    assert "Déposé : 1" in page
    page = agent_client.get(surl("inbox", tenant), {"etat": "accepted"}).content.decode()
    assert filed.reference not in page
    page = agent_client.get(surl("inbox", tenant), {"q": filed.reference}).content.decode()
    assert filed.reference in page


def test_inbox_refused_to_residents(resident_client: Client, tenant: Any) -> None:
    assert resident_client.get(surl("inbox", tenant)).status_code == 403


def test_exports_csv_and_xlsx(agent_client: Client, tenant: Any, filed: Dossier) -> None:
    response = agent_client.get(surl("inbox", tenant), {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert filed.reference in body and "Référence" in body
    response = agent_client.get(surl("inbox", tenant), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Référence" and rows[1][0] == filed.reference


def test_agent_only_sees_their_tenant(
    tenant: Any, other_tenant: Any, agent_client: Client, filed: Dossier
) -> None:
    outsider = member(other_tenant, "resident")
    foreign = submitted_dossier(make_procedure(other_tenant), outsider)
    page = agent_client.get(surl("inbox", tenant)).content.decode()
    assert foreign.reference not in page
    body = b"".join(agent_client.get(surl("inbox", tenant), {"format": "csv"}).streaming_content)
    assert foreign.reference.encode() not in body
    response = agent_client.get(surl("inbox", tenant), {"format": "xlsx"})
    assert foreign.reference.encode() not in response.content
    assert agent_client.get(surl("dossier", tenant, reference=foreign.reference)).status_code == 404
    attachment = foreign.attachments.get()
    response = agent_client.get(
        surl("attachment", tenant, reference=foreign.reference, pk=attachment.pk)
    )
    assert response.status_code == 404
    # And the agent of tenant A is not staff of tenant B at all.
    assert agent_client.get(surl("inbox", other_tenant)).status_code == 403


def test_correction_cycle_and_acceptance(
    agent_client: Client,
    resident_client: Client,
    tenant: Any,
    filed: Dossier,
    agent: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    received: list[Any] = []

    @events.subscribe(events.DossierDecided)
    def handler(event: Any) -> None:
        received.append(event)

    detail = surl("dossier", tenant, reference=filed.reference)
    assert "Le service vous demande" not in agent_client.get(detail).content.decode()
    # A correction needs a reason.
    agent_client.post(
        surl("transition", tenant, reference=filed.reference), {"to_state": "corrections"}
    )
    filed.refresh_from_db()
    assert filed.state == DossierState.SUBMITTED
    agent_client.post(
        surl("transition", tenant, reference=filed.reference),
        {"to_state": "corrections", "reason": "Joignez un justificatif récent."},
    )
    filed.refresh_from_db()
    assert filed.state == DossierState.CORRECTIONS
    note = Notification.objects.filter(user=filed.applicant).latest("pk")
    assert "corriger" in note.subject and "justificatif récent" in note.body
    page = resident_client.get(
        reverse("procedures:dossier", kwargs={"tenant": tenant.slug, "reference": filed.reference})
    ).content.decode()
    assert "Joignez un justificatif récent." in page and "Corriger le dossier" in page
    # The resident corrects and resubmits.
    fill = reverse("procedures:fill", kwargs={"tenant": tenant.slug, "reference": filed.reference})
    response = resident_client.post(
        fill,
        {
            "f-responsable": "Anne Dupont",
            "f-telephone": "06 12 34 56 78",
            "f-quartier": "Port",
            "f-enfants-count": "1",
            "f-enfants-0-prenom": "Léa",
            "f-enfants-0-ecole_port": "École du Port",
            "f-justificatif": pdf_upload("nouveau.pdf"),
            "action": "submit",
        },
    )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.state == DossierState.SUBMITTED
    assert filed.answers["justificatif"]["name"] == "nouveau.pdf"
    # The caseworker accepts with a motivation.
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(
            surl("transition", tenant, reference=filed.reference),
            {"to_state": "accepted", "reason": "Dossier complet."},
        )
    filed.refresh_from_db()
    assert filed.state == DossierState.ACCEPTED and filed.decided_at
    assert filed.decision_motivation == "Dossier complet."
    assert [e.decision for e in received] == ["accepted"]
    assert received[0].dossier_id == filed.pk
    states = list(filed.events.values_list("to_state", flat=True))
    assert states == ["draft", "submitted", "corrections", "submitted", "accepted"]
    last = filed.events.last()
    assert last.actor == agent and last.reason == "Dossier complet."
    assert AuditEntry.objects.filter(action="dossier.accepted", object_id=str(filed.pk)).exists()
    pdf = resident_client.get(
        reverse(
            "procedures:attestation", kwargs={"tenant": tenant.slug, "reference": filed.reference}
        )
    )
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    events._subscribers[events.DossierDecided].remove(handler)


def test_state_machine_refuses_illegal_moves(tenant: Any, filed: Dossier, agent: Any) -> None:
    services.dossier_transition(actor=agent, dossier=filed, to_state="refused", reason="Hors délai")
    with pytest.raises(ValidationError):
        services.dossier_transition(actor=agent, dossier=filed, to_state="accepted", reason="x")
    with pytest.raises(ValidationError):
        services.dossier_transition(
            actor=agent, dossier=filed, to_state="in_instruction"
        )  # no reason
    services.dossier_transition(
        actor=agent, dossier=filed, to_state="in_instruction", reason="Pièce retrouvée"
    )
    filed.refresh_from_db()
    assert filed.state == DossierState.IN_INSTRUCTION and filed.decided_at is None
    with pytest.raises(ValidationError):
        # A resident cannot decide their own dossier.
        services.dossier_transition(
            actor=filed.applicant, dossier=filed, to_state="accepted", actor_kind="resident"
        )


def test_forged_transition_via_the_page_is_refused(
    agent_client: Client, tenant: Any, filed: Dossier
) -> None:
    response = agent_client.post(
        surl("transition", tenant, reference=filed.reference), {"to_state": "draft"}, follow=True
    )
    assert "n&#x27;est pas possible" in response.content.decode()
    filed.refresh_from_db()
    assert filed.state == DossierState.SUBMITTED


def test_batch_decision(agent_client: Client, tenant: Any, resident: Any, filed: Dossier) -> None:
    second = submitted_dossier(filed.procedure, resident)
    services.dossier_withdraw(user=resident, dossier=second)
    response = agent_client.post(
        surl("batch", tenant),
        {
            "dossiers": [filed.reference, second.reference],
            "decision": "closed",
            "motivation": "Doublon",
        },
        follow=True,
    )
    filed.refresh_from_db()
    second.refresh_from_db()
    assert filed.state == DossierState.CLOSED
    assert second.state == DossierState.WITHDRAWN
    assert second.reference in response.content.decode()  # reported as not decided


def test_assignment_labels_annotations_are_private(
    agent_client: Client, resident_client: Client, tenant: Any, filed: Dossier, agent: Any
) -> None:
    agent_client.post(surl("assign", tenant, reference=filed.reference), {"agent": str(agent.pk)})
    agent_client.post(
        surl("annotate", tenant, reference=filed.reference),
        {"labels": "urgent, fratrie", "annotations": "Voir avec la directrice"},
    )
    filed.refresh_from_db()
    assert filed.assigned_to == agent and agent in filed.followers.all()
    assert filed.labels == ["fratrie", "urgent"]
    page = agent_client.get(surl("inbox", tenant), {"etiquette": "fratrie"}).content.decode()
    assert filed.reference in page
    resident_page = resident_client.get(
        reverse("procedures:dossier", kwargs={"tenant": tenant.slug, "reference": filed.reference})
    ).content.decode()
    assert "Voir avec la directrice" not in resident_page and "fratrie" not in resident_page
    # Assigning to someone outside the tenant is refused.
    outsider = member(tenant, "resident")
    agent_client.post(
        surl("assign", tenant, reference=filed.reference), {"agent": str(outsider.pk)}
    )
    filed.refresh_from_db()
    assert filed.assigned_to == agent


def test_opinion_request_only_the_expert_answers(
    agent_client: Client, tenant: Any, filed: Dossier, agent: Any
) -> None:
    expert = member(tenant, "agent")
    agent_client.post(
        surl("opinion", tenant, reference=filed.reference),
        {"expert": str(expert.pk), "question": "La dérogation est-elle possible ?"},
    )
    opinion = filed.opinions.get()
    assert opinion.expert == expert
    assert Notification.objects.filter(user=expert).exists()
    agent_client.post(
        surl("opinion", tenant, reference=filed.reference),
        {"opinion": str(opinion.pk), "answer": "Oui"},
    )
    opinion.refresh_from_db()
    assert opinion.answer == ""  # the requester cannot answer for the expert
    expert_client = Client()
    expert_client.force_login(expert)
    expert_client.post(
        surl("opinion", tenant, reference=filed.reference),
        {"opinion": str(opinion.pk), "answer": "Oui, place disponible."},
    )
    opinion.refresh_from_db()
    assert opinion.answer == "Oui, place disponible." and opinion.answered_at


def test_service_message_notifies_resident(
    agent_client: Client, tenant: Any, filed: Dossier
) -> None:
    agent_client.post(
        surl("message", tenant, reference=filed.reference),
        {"body": "Pouvez-vous préciser l'école ?", "fichiers": [pdf_upload("plan.pdf")]},
    )
    message = filed.messages.get()
    assert message.from_service and message.attachments.get().name == "plan.pdf"
    assert Notification.objects.filter(user=filed.applicant, subject__contains="message").exists()


def test_silence_vaut_accord(tenant: Any, resident: Any) -> None:
    procedure = make_procedure(tenant, silence_days=30)
    dossier = submitted_dossier(procedure, resident)
    assert dossier.silence_deadline == (timezone.localdate() + timedelta(days=30))
    call_command("procedures_silence", stdout=io.StringIO())
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    Dossier.objects.filter(pk=dossier.pk).update(
        silence_deadline=timezone.localdate() - timedelta(days=1)
    )
    out = io.StringIO()
    call_command("procedures_silence", stdout=out)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED
    assert "1 dossier" in out.getvalue()
    assert dossier.events.last().actor is None
    assert "Accord tacite" in dossier.events.last().reason
    # The same work as a background task (nothing left to accept).
    from territoire.procedures.tasks import accept_overdue_dossiers

    assert accept_overdue_dossiers.call() == 0


def test_private_annotation_fields(
    agent_client: Client, resident_client: Client, tenant: Any, filed: Dossier
) -> None:
    procedure = filed.procedure
    builder = surl("field", tenant, slug=procedure.slug)
    response = agent_client.post(
        builder, {"prive": "1", "type": "integer", "label": "Places restantes", "min": "0"}
    )
    assert response.status_code == 302
    agent_client.post(
        builder, {"prive": "1", "type": "yesno", "label": "Avis de la directrice favorable"}
    )
    # Files and groups are not offered as private fields.
    assert agent_client.get(builder, {"prive": "1", "type": "file"}).status_code == 404
    procedure.refresh_from_db()
    assert [f["id"] for f in procedure.private_fields] == [
        "places_restantes",
        "avis_de_la_directrice_favorabl",
    ]
    assert procedure.fields == filed.version.fields  # the resident's form is untouched
    annotate = surl("annotate", tenant, reference=filed.reference)
    response = agent_client.post(
        annotate, {"labels": "", "annotations": "", "f-places_restantes": "-2"}
    )
    assert response.status_code == 400
    assert "La valeur doit être au moins 0." in response.content.decode()
    filed.refresh_from_db()
    assert filed.private_answers == {}
    agent_client.post(
        annotate,
        {
            "labels": "",
            "annotations": "",
            "f-places_restantes": "3",
            "f-avis_de_la_directrice_favorabl": "oui",
        },
    )
    filed.refresh_from_db()
    assert filed.private_answers == {
        "places_restantes": 3,
        "avis_de_la_directrice_favorabl": True,
    }
    page = resident_client.get(
        reverse("procedures:dossier", kwargs={"tenant": tenant.slug, "reference": filed.reference})
    ).content.decode()
    assert "Places restantes" not in page and "directrice" not in page


def test_inbox_of_my_services(
    tenant: Any, agent: Any, agent_client: Client, filed: Dossier
) -> None:
    from territoire.core.models import Membership

    url = surl("inbox", tenant)
    assert filed.reference not in agent_client.get(url, {"mes_services": "1"}).content.decode()
    Membership.objects.get(tenant=tenant, user=agent, role="agent").services.add(
        filed.procedure.service
    )
    assert filed.reference in agent_client.get(url, {"mes_services": "1"}).content.decode()


def test_inbox_query_count_does_not_grow_with_rows(
    agent_client: Client, tenant: Any, resident: Any, filed: Dossier
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = surl("inbox", tenant)
    agent_client.get(url)  # warm-up (session, roles)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url)
    for _i in range(5):
        submitted_dossier(filed.procedure, resident)
    with CaptureQueriesContext(connection) as many:
        agent_client.get(url)
    assert len(many) == len(few)
