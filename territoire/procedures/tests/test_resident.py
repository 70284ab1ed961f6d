"""The resident's journey: catalogue, drafts, documents, submission, follow-up, isolation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from territoire.core.tests.factories import member
from territoire.procedures import services
from territoire.procedures.models import Attachment, Dossier, DossierState
from territoire.procedures.tests.factories import (
    make_procedure,
    pdf_upload,
    png_bytes,
    submitted_dossier,
    valid_post,
)

pytestmark = pytest.mark.django_db


def url(name: str, tenant: Any, **kw: Any) -> str:
    return reverse(f"procedures:{name}", kwargs={"tenant": tenant.slug, **kw})


def start(client: Client, tenant: Any, procedure: Any) -> Dossier:
    response = client.post(url("start", tenant, slug=procedure.slug))
    assert response.status_code == 302
    return Dossier.objects.latest("pk")


def test_catalogue_shows_published_and_closed_not_drafts(client: Client, tenant: Any) -> None:
    make_procedure(tenant, title="Inscription scolaire", theme="Enfance")
    closed = make_procedure(tenant, title="Concours fleuri", theme="Cadre de vie")
    services.procedure_close(actor="test", procedure=closed)
    make_procedure(tenant, title="Brouillon secret", publish=False)
    page = client.get(url("catalogue", tenant)).content.decode()
    assert "Inscription scolaire" in page and "Concours fleuri" in page
    assert "Brouillon secret" not in page
    page = client.get(url("catalogue", tenant), {"theme": "Cadre de vie"}).content.decode()
    assert "Concours fleuri" in page and "Inscription scolaire" not in page
    page = client.get(url("catalogue", tenant), {"q": "inscription"}).content.decode()
    assert "Inscription scolaire" in page and "Concours fleuri" not in page


def test_procedure_page_says_what_is_needed(client: Client, tenant: Any) -> None:
    procedure = make_procedure(tenant)
    page = client.get(url("procedure", tenant, slug=procedure.slug)).content.decode()
    assert "Justificatif de domicile." in page and "15 jours" in page and "Gratuit" in page
    assert "Se connecter pour commencer" in page


def test_draft_saved_on_every_post_even_when_invalid(resident_client: Client, tenant: Any) -> None:
    procedure = make_procedure(tenant)
    dossier = start(resident_client, tenant, procedure)
    data = valid_post(**{"f-telephone": "pas un numéro"})
    response = resident_client.post(url("fill", tenant, reference=dossier.reference), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="resume-erreurs"' in page
    assert 'href="#f-telephone"' in page
    assert "Saisissez un numéro de téléphone français" in page
    assert 'href="#f-justificatif"' in page  # required file missing
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT
    assert dossier.answers["telephone"] == "pas un numéro"  # kept, not lost
    assert [c["prenom"] for c in dossier.answers["enfants"]] == ["Léa", "Tom"]
    assert 'value="pas un numéro"' in page


def test_add_child_without_javascript(resident_client: Client, tenant: Any) -> None:
    procedure = make_procedure(tenant)
    dossier = start(resident_client, tenant, procedure)
    response = resident_client.post(
        url("fill", tenant, reference=dossier.reference),
        {"f-enfants-count": "1", "f-enfants-0-prenom": "Léa", "add": "enfants"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="f-enfants-1-prenom"' in page
    assert "Enfant 2" in page
    dossier.refresh_from_db()
    assert len(dossier.answers["enfants"]) == 2


def test_submit_with_document_sends_receipt(
    resident_client: Client, resident: Any, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    procedure = make_procedure(tenant)
    dossier = start(resident_client, tenant, procedure)
    with django_capture_on_commit_callbacks(execute=True):
        response = resident_client.post(
            url("fill", tenant, reference=dossier.reference),
            valid_post(**{"f-justificatif": pdf_upload()}),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED and dossier.submitted_at
    assert dossier.answers["justificatif"]["name"] == "justificatif.pdf"
    receipt = [m for m in mail.outbox if dossier.reference in m.subject and "Accusé" in m.subject]
    assert receipt and receipt[0].to == [resident.email]
    name, content, mimetype = receipt[0].attachments[0]
    assert name == f"recepisse-{dossier.reference}.pdf"
    assert mimetype == "application/pdf" and content[:5] == b"%PDF-"
    pdf = resident_client.get(url("receipt", tenant, reference=dossier.reference))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    assert list(dossier.events.values_list("to_state", flat=True)) == ["draft", "submitted"]


def test_file_content_is_checked_not_its_name(resident_client: Client, tenant: Any) -> None:
    procedure = make_procedure(tenant)
    dossier = start(resident_client, tenant, procedure)
    fake = pdf_upload("faux.pdf", b"MZ\x90\x00 this is an executable")
    response = resident_client.post(
        url("fill", tenant, reference=dossier.reference), valid_post(**{"f-justificatif": fake})
    )
    assert response.status_code == 400
    assert "n&#x27;est pas un PDF / JPEG / PNG valide" in response.content.decode()
    assert not Attachment.objects.exists()
    big = pdf_upload("gros.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10) + b"\n%%EOF\n")
    response = resident_client.post(
        url("fill", tenant, reference=dossier.reference), valid_post(**{"f-justificatif": big})
    )
    assert "dépasse 1 Mo" in response.content.decode()
    png = pdf_upload("photo.png", png_bytes())
    response = resident_client.post(
        url("fill", tenant, reference=dossier.reference), valid_post(**{"f-justificatif": png})
    )
    assert response.status_code == 302
    assert Attachment.objects.get().content_type == "image/png"


def test_forged_fields_are_refused(resident_client: Client, tenant: Any) -> None:
    procedure = make_procedure(tenant)
    dossier = start(resident_client, tenant, procedure)
    response = resident_client.post(
        url("fill", tenant, reference=dossier.reference),
        valid_post(**{"f-justificatif": pdf_upload(), "f-state": "accepted"}),
    )
    assert response.status_code == 400
    assert "champs inconnus" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT and "state" not in dossier.answers
    response = resident_client.post(
        url("fill", tenant, reference=dossier.reference),
        valid_post(**{"f-autre-fichier": pdf_upload()}),
    )
    assert response.status_code == 400
    assert not Attachment.objects.filter(field_path="f-autre-fichier").exists()


def test_closed_procedure_refuses_new_and_draft_dossiers(
    resident_client: Client, tenant: Any
) -> None:
    procedure = make_procedure(tenant)
    dossier = start(resident_client, tenant, procedure)
    services.procedure_close(actor="test", procedure=procedure)
    response = resident_client.post(url("start", tenant, slug=procedure.slug), follow=True)
    assert "Cette démarche est fermée" in response.content.decode()
    response = resident_client.post(
        url("fill", tenant, reference=dossier.reference),
        valid_post(**{"f-justificatif": pdf_upload()}),
    )
    assert response.status_code == 400
    assert "fermée" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT


def test_a_resident_never_sees_another_residents_dossier(
    tenant: Any, resident: Any, resident_client: Client
) -> None:
    procedure = make_procedure(tenant)
    other = member(tenant, "resident")
    dossier = submitted_dossier(procedure, other)
    attachment = dossier.attachments.get()
    for name, kw in [
        ("dossier", {}),
        ("fill", {}),
        ("receipt", {}),
        ("attachment", {"pk": attachment.pk}),
    ]:
        response = resident_client.get(url(name, tenant, reference=dossier.reference, **kw))
        assert response.status_code == 404, name
    response = resident_client.post(
        url("withdraw", tenant, reference=dossier.reference), {"confirm": "on"}
    )
    assert response.status_code == 404
    response = resident_client.post(
        url("message", tenant, reference=dossier.reference), {"body": "coucou"}
    )
    assert response.status_code == 404
    assert dossier.reference not in resident_client.get(url("mine", tenant)).content.decode()


def test_dossier_of_another_tenant_is_not_found(
    tenant: Any, other_tenant: Any, resident: Any, resident_client: Client
) -> None:
    procedure = make_procedure(tenant)
    dossier = submitted_dossier(procedure, resident)
    response = resident_client.get(url("dossier", other_tenant, reference=dossier.reference))
    assert response.status_code == 404
    response = resident_client.get(url("dossier", tenant, reference=dossier.reference))
    assert response.status_code == 200


def test_withdraw_needs_confirmation(resident_client: Client, resident: Any, tenant: Any) -> None:
    dossier = submitted_dossier(make_procedure(tenant), resident)
    resident_client.post(url("withdraw", tenant, reference=dossier.reference), {})
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    resident_client.post(
        url("withdraw", tenant, reference=dossier.reference),
        {"confirm": "on", "reason": "Déménagement"},
    )
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN
    assert dossier.events.last().reason == "Déménagement"


def test_message_with_attachment_to_the_service(
    resident_client: Client, resident: Any, tenant: Any
) -> None:
    dossier = submitted_dossier(make_procedure(tenant), resident)
    response = resident_client.post(
        url("message", tenant, reference=dossier.reference),
        {"body": "Voici le livret de famille.", "fichiers": [pdf_upload("livret.pdf")]},
    )
    assert response.status_code == 302
    message = dossier.messages.get()
    assert message.attachments.get().name == "livret.pdf"
    page = resident_client.get(url("dossier", tenant, reference=dossier.reference)).content.decode()
    assert "Voici le livret de famille." in page and "livret.pdf" in page
    response = resident_client.post(
        url("message", tenant, reference=dossier.reference),
        {"body": "Encore", "fichiers": [pdf_upload("virus.pdf", b"not a pdf")]},
        follow=True,
    )
    assert "valide" in response.content.decode()
    assert dossier.messages.count() == 1


def test_stats_page_has_chart_and_table(client: Client, tenant: Any, resident: Any) -> None:
    procedure = make_procedure(tenant)
    dossier = submitted_dossier(procedure, resident)
    services.dossier_transition(actor="agent", dossier=dossier, to_state="accepted", reason="ok")
    page = client.get(url("stats", tenant, slug=procedure.slug)).content.decode()
    assert "<svg" in page and "<table" in page
    assert "Délai pour 90 % des dossiers" in page
    assert "sur 1 dossier décidé" in page


def test_answers_survive_an_expired_session(tenant: Any, resident: Any) -> None:
    procedure = make_procedure(tenant)
    dossier = services.dossier_start(user=resident, procedure=procedure)
    client = Client()  # the session expired: the person is anonymous again
    fill = url("fill", tenant, reference=dossier.reference)
    response = client.post(fill, valid_post(**{"f-responsable": "Anne Dupont-Marin"}))
    assert response.status_code == 302 and "/compte/login/" in response["Location"]
    dossier.refresh_from_db()
    assert dossier.answers.get("responsable") is None  # nothing written anonymously
    client.force_login(resident)
    page = client.get(fill).content.decode()
    assert "vos réponses ont été récupérées" in page
    assert 'value="Anne Dupont-Marin"' in page
    dossier.refresh_from_db()
    assert dossier.answers["responsable"] == "Anne Dupont-Marin"
    # Someone else logging in on that browser does not get the stash applied to their dossier.
    other = member(tenant, "resident")
    intruder = Client()
    intruder.post(fill, valid_post(**{"f-responsable": "Pirate"}))
    intruder.force_login(other)
    assert intruder.get(fill).status_code == 404
    dossier.refresh_from_db()
    assert dossier.answers["responsable"] == "Anne Dupont-Marin"
