"""Test helpers for procedures (test code only)."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from territoire.core.models import LocalAuthority, Service, User
from territoire.core.tests.factories import ServiceFactory
from territoire.procedures import services
from territoire.procedures.models import Procedure

FIELDS: list[dict[str, Any]] = [
    {"id": "responsable", "type": "text", "label": "Nom du responsable", "required": True},
    {"id": "telephone", "type": "phone", "label": "Téléphone", "required": True},
    {
        "id": "quartier",
        "type": "choice",
        "label": "Quartier",
        "options": ["Port", "Plage"],
        "required": True,
    },
    {
        "id": "enfants",
        "type": "group",
        "label": "Enfants",
        "item_label": "Enfant",
        "min_items": 1,
        "max_items": 4,
        "fields": [
            {"id": "prenom", "type": "text", "label": "Prénom", "required": True},
            {
                "id": "ecole_port",
                "type": "choice",
                "label": "École",
                "options": ["École du Port", "École Jean-Bart"],
                "required": True,
                "condition": {"rules": [{"field": "quartier", "op": "eq", "value": "Port"}]},
            },
        ],
    },
    {
        "id": "justificatif",
        "type": "file",
        "label": "Justificatif de domicile",
        "required": True,
        "max_size_mb": 1,
    },
]

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name: str = "justificatif.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def _service(tenant: LocalAuthority) -> Service:
    existing = Service.objects.for_tenant(tenant).filter(slug="education").first()
    return existing or ServiceFactory(tenant=tenant, name="Éducation", slug="education")


def make_procedure(
    tenant: LocalAuthority,
    *,
    actor: Any = "test",
    fields: list[dict[str, Any]] | None = None,
    publish: bool = True,
    service: Service | None = None,
    title: str = "Inscription scolaire",
    theme: str = "Enfance",
    silence_days: int | None = None,
) -> Procedure:
    procedure = services.procedure_create(
        actor=actor,
        tenant=tenant,
        title=title,
        theme=theme,
        description="Inscrire ses enfants à l'école.",
        requirements="Justificatif de domicile.",
        delay="15 jours",
        cost="Gratuit",
        service=service or _service(tenant),
        fields=FIELDS if fields is None else fields,
        silence_days=silence_days,
    )
    if publish:
        services.procedure_publish(actor=actor, procedure=procedure)
        for kind in ("accepted", "refused"):
            services.attestation_template_save(
                actor=actor,
                procedure=procedure,
                kind=kind,
                title="Décision {reference}",
                body="Dossier {reference} de {demandeur}, quartier {reponse:quartier}.\n\n{motivation}",
            )
    return procedure


def valid_post(**extra: Any) -> dict[str, Any]:
    data = {
        "f-responsable": "Anne Dupont",
        "f-telephone": "06 12 34 56 78",
        "f-quartier": "Port",
        "f-enfants-count": "2",
        "f-enfants-0-prenom": "Léa",
        "f-enfants-0-ecole_port": "École du Port",
        "f-enfants-1-prenom": "Tom",
        "f-enfants-1-ecole_port": "École Jean-Bart",
        "action": "submit",
    }
    data.update(extra)
    return data


def submitted_dossier(procedure: Procedure, user: User) -> Any:
    from territoire.procedures.uploads import CheckedFile

    dossier = services.dossier_start(user=user, procedure=procedure)
    attachment = services.attachment_store(
        tenant=procedure.tenant,
        dossier=dossier,
        checked=CheckedFile(data=PDF, name="j.pdf", content_type="application/pdf"),
        uploaded_by=user,
        field_path="f-justificatif",
    )
    answers = {
        "responsable": "Anne Dupont",
        "telephone": "06 12 34 56 78",
        "quartier": "Port",
        "enfants": [{"prenom": "Léa", "ecole_port": "École du Port"}],
        "justificatif": services.file_ref(attachment),
    }
    return services.dossier_submit(user=user, dossier=dossier, answers=answers)
