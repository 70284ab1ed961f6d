"""Writes of the procedures module: building procedures, filing and instructing dossiers.

Every function is keyword-only, runs in one transaction and, when an agent acts, writes
an audit entry. Dossiers move only through :func:`dossier_transition`, which checks the
state machine (``models.TRANSITIONS``), writes the timeline and notifies the resident.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territoire.core.audit import audit_record
from territoire.core.events import DossierDecided, publish
from territoire.core.models import LocalAuthority, Service, User
from territoire.core.services import notify
from territoire.procedures import formbuilder
from territoire.procedures.models import (
    DECIDED,
    TRANSITIONS,
    Attachment,
    AttestationTemplate,
    Dossier,
    DossierEvent,
    DossierState,
    Message,
    OpinionRequest,
    Procedure,
    ProcedureStatus,
    ProcedureVersion,
)
from territoire.procedures.uploads import CheckedFile

logger = logging.getLogger(__name__)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# --- Procedures (the no-code builder) ----------------------------------------------------


# Path segments of the public URLs that a procedure's slug must not shadow.
RESERVED_SLUGS = frozenset({"mes-dossiers", "dossiers"})


def _unique_slug(tenant: LocalAuthority, title: str) -> str:
    base = slugify(title)[:100] or "demarche"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Procedure.objects.for_tenant(tenant).filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def procedure_create(
    *,
    actor: Any,
    tenant: LocalAuthority,
    title: str,
    theme: str,
    description: str,
    service: Service,
    requirements: str = "",
    delay: str = "",
    cost: str = "",
    silence_days: int | None = None,
    fields: list[dict[str, Any]] | None = None,
    slug: str = "",
) -> Procedure:
    """Create a procedure in draft, with optional initial fields (checked)."""
    if service.tenant_id != tenant.pk:
        raise ValidationError({"service": _("Ce service n'appartient pas à la collectivité.")})
    if fields:
        try:
            fields = [f.to_dict() for f in formbuilder.parse_fields(fields)]
        except formbuilder.DefinitionError as exc:
            raise ValidationError({"fields": str(exc)}) from exc
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("Cet identifiant est réservé.")})
    procedure = Procedure.objects.create(
        tenant=tenant,
        slug=slug or _unique_slug(tenant, title),
        title=title,
        theme=theme,
        description=description,
        requirements=requirements,
        delay=delay,
        cost=cost,
        service=service,
        silence_days=silence_days,
        fields=fields or [],
    )
    audit_record(actor=actor, action="procedure.create", tenant=tenant, obj=procedure)
    return procedure


@transaction.atomic
def procedure_update(*, actor: Any, procedure: Procedure, **changes: Any) -> Procedure:
    """Change a procedure's presentation (title, theme, texts, service, silence delay)."""
    allowed = {
        "title",
        "theme",
        "description",
        "requirements",
        "delay",
        "cost",
        "service",
        "silence_days",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    service = changes.get("service")
    if service is not None and service.tenant_id != procedure.tenant_id:
        raise ValidationError({"service": _("Ce service n'appartient pas à la collectivité.")})
    for name, value in changes.items():
        setattr(procedure, name, value)
    procedure.save()
    audit_record(
        actor=actor,
        action="procedure.update",
        tenant=procedure.tenant,
        obj=procedure,
        details={"fields": sorted(changes)},
    )
    return procedure


def _locate(fields: list[dict[str, Any]], parent: str) -> list[dict[str, Any]]:
    if not parent:
        return fields
    for f in fields:
        if f["id"] == parent and f["type"] == "group":
            f.setdefault("fields", [])
            children: list[dict[str, Any]] = f["fields"]
            return children
    raise ValidationError(_("Bloc répétable introuvable."))


# Private fields (annotations only agents see) are simple inputs: no files, no groups.
PRIVATE_TYPES = frozenset(
    {"text", "textarea", "number", "integer", "date", "choice", "multiple", "yesno", "checkbox"}
)


def _attr(private: bool) -> str:
    return "private_fields" if private else "fields"


def _save_fields(
    actor: Any, procedure: Procedure, fields: list[dict[str, Any]], what: str, private: bool
) -> None:
    try:
        parsed = formbuilder.parse_fields(fields)
    except formbuilder.DefinitionError as exc:
        raise ValidationError(str(exc)) from exc
    if private and any(f.type not in PRIVATE_TYPES for f in parsed):
        raise ValidationError(_("Ce type de champ n'est pas proposé pour les annotations privées."))
    setattr(procedure, _attr(private), [f.to_dict() for f in parsed])
    procedure.save(update_fields=[_attr(private), "updated"])
    audit_record(
        actor=actor,
        action=f"procedure.{what}",
        tenant=procedure.tenant,
        obj=procedure,
        details={"private": private},
    )


def new_field_id(procedure: Procedure, label: str) -> str:
    """A readable, unused field id made from the label."""
    taken: set[str] = set()
    for f in [*procedure.fields, *procedure.private_fields]:
        taken.add(f["id"])
        taken |= {c["id"] for c in f.get("fields", [])}
    base = slugify(label).replace("-", "_")[:30].strip("_") or "champ"
    if not base[0].isalpha():
        base = f"c_{base}"[:30]
    fid, n = base, 2
    while fid in taken:
        fid, n = f"{base}_{n}", n + 1
    return fid


@transaction.atomic
def procedure_field_save(
    *,
    actor: Any,
    procedure: Procedure,
    definition: dict[str, Any],
    parent: str = "",
    private: bool = False,
) -> Procedure:
    """Add a field (new id) or replace the field with the same id, in ``parent`` group."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    fields = [dict(f) for f in getattr(procedure, _attr(private))]
    level = _locate(fields, parent)
    existing = next((i for i, f in enumerate(level) if f["id"] == definition["id"]), None)
    if existing is None:
        level.append(definition)
    else:
        if level[existing].get("type") == "group":
            definition.setdefault("fields", level[existing].get("fields", []))
        level[existing] = definition
    _save_fields(actor, procedure, fields, "field_save", private)
    return procedure


@transaction.atomic
def procedure_field_move(
    *,
    actor: Any,
    procedure: Procedure,
    field_id: str,
    offset: int,
    parent: str = "",
    private: bool = False,
) -> Procedure:
    """Move a field up (``offset=-1``) or down (``+1``) among its siblings."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    fields = [dict(f) for f in getattr(procedure, _attr(private))]
    level = _locate(fields, parent)
    index = next((i for i, f in enumerate(level) if f["id"] == field_id), None)
    if index is None:
        raise ValidationError(_("Champ introuvable."))
    target = index + offset
    if 0 <= target < len(level):
        level[index], level[target] = level[target], level[index]
    _save_fields(actor, procedure, fields, "field_move", private)
    return procedure


@transaction.atomic
def procedure_field_delete(
    *, actor: Any, procedure: Procedure, field_id: str, parent: str = "", private: bool = False
) -> Procedure:
    """Delete a field; refused while another field's condition depends on it."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    fields = [dict(f) for f in getattr(procedure, _attr(private))]
    level = _locate(fields, parent)
    remaining = [f for f in level if f["id"] != field_id]
    if len(remaining) == len(level):
        raise ValidationError(_("Champ introuvable."))
    level[:] = remaining
    try:
        formbuilder.parse_fields(fields)
    except formbuilder.DefinitionError as exc:
        raise ValidationError(
            _("Ce champ est utilisé par la condition d'un autre champ : modifiez-la d'abord.")
        ) from exc
    _save_fields(actor, procedure, fields, "field_delete", private)
    return procedure


@transaction.atomic
def procedure_publish(*, actor: Any, procedure: Procedure) -> ProcedureVersion:
    """Freeze the working copy into a new immutable version and open the procedure."""
    given = procedure
    # Lock: two publications at once must not both take the same version number.
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    try:
        parsed = formbuilder.parse_fields(procedure.fields)
    except formbuilder.DefinitionError as exc:
        raise ValidationError(str(exc)) from exc
    if not any(not f.is_display for f in parsed):
        raise ValidationError(_("Ajoutez au moins une question avant de publier."))
    last = procedure.versions.order_by("-number").first()
    version = ProcedureVersion.objects.create(
        tenant=procedure.tenant,
        procedure=procedure,
        number=(last.number + 1) if last else 1,
        fields=[f.to_dict() for f in parsed],
        published_at=timezone.now(),
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    procedure.status = given.status = ProcedureStatus.PUBLISHED
    procedure.save(update_fields=["status", "updated"])
    audit_record(
        actor=actor,
        action="procedure.publish",
        tenant=procedure.tenant,
        obj=procedure,
        details={"version": version.number},
    )
    return version


@transaction.atomic
def procedure_close(*, actor: Any, procedure: Procedure) -> Procedure:
    """Close a procedure: no new dossier; dossiers already filed continue."""
    procedure.status = ProcedureStatus.CLOSED
    procedure.save(update_fields=["status", "updated"])
    audit_record(actor=actor, action="procedure.close", tenant=procedure.tenant, obj=procedure)
    return procedure


@transaction.atomic
def attestation_template_save(
    *, actor: Any, procedure: Procedure, kind: str, title: str, body: str
) -> AttestationTemplate:
    """Create or replace the acceptance or refusal template of a procedure."""
    template, _created = AttestationTemplate.objects.update_or_create(
        procedure=procedure,
        kind=kind,
        defaults={"tenant": procedure.tenant, "title": title, "body": body},
    )
    audit_record(
        actor=actor,
        action="procedure.attestation_template",
        tenant=procedure.tenant,
        obj=procedure,
        details={"kind": kind},
    )
    return template


# --- Dossiers: the resident's side ----------------------------------------------------------


def _reference() -> str:
    """A short, unguessable reference such as 2026-K7QX2M (32^6 values a year)."""
    year = timezone.localdate().year
    while True:
        ref = f"{year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(6))
        if not Dossier.objects.filter(reference=ref).exists():
            return ref


@transaction.atomic
def dossier_start(*, user: User, procedure: Procedure) -> Dossier:
    """Open a draft dossier on the procedure's current version (refused when closed)."""
    if not procedure.is_open:
        raise ValidationError(_("Cette démarche est fermée : elle n'accepte plus de dossier."))
    version = procedure.current_version()
    if version is None:
        raise ValidationError(_("Cette démarche n'est pas encore publiée."))
    now = timezone.now()
    fields = formbuilder.parse_fields(version.fields)
    dossier = Dossier.objects.create(
        tenant=procedure.tenant,
        reference=_reference(),
        procedure=procedure,
        version=version,
        applicant=user,
        answers=formbuilder.new_answers(fields),
        created=now,
        updated=now,
    )
    DossierEvent.objects.create(
        tenant=dossier.tenant,
        dossier=dossier,
        actor=user,
        actor_label=str(user),
        to_state=DossierState.DRAFT,
        at=now,
    )
    return dossier


def _own(user: User, dossier: Dossier) -> None:
    if dossier.applicant_id != user.pk:
        raise PermissionDenied(_("Ce dossier n'est pas le vôtre."))


@transaction.atomic
def dossier_save_draft(*, user: User, dossier: Dossier, answers: dict[str, Any]) -> Dossier:
    """Keep what the resident typed, even if invalid: nothing is lost on an error."""
    _own(user, dossier)
    if not dossier.is_editable:
        raise ValidationError(_("Ce dossier ne peut plus être modifié."))
    dossier.answers = answers
    dossier.updated = timezone.now()
    dossier.save(update_fields=["answers", "updated"])
    return dossier


@transaction.atomic
def attachment_store(
    *,
    tenant: LocalAuthority,
    dossier: Dossier,
    checked: CheckedFile,
    uploaded_by: User,
    field_path: str = "",
    message: Message | None = None,
) -> Attachment:
    """Store a content-checked document under a random name."""
    attachment = Attachment(
        tenant=tenant,
        dossier=dossier,
        message=message,
        field_path=field_path,
        token=uuid.uuid4().hex,
        extension=checked.extension,
        name=checked.name,
        content_type=checked.content_type,
        size=len(checked.data),
        uploaded_by=uploaded_by,
    )
    attachment.file.save(
        f"{attachment.token}.{checked.extension}", ContentFile(checked.data), save=False
    )
    attachment.save()
    return attachment


def file_ref(attachment: Attachment) -> dict[str, Any]:
    """How a file answer is kept in the dossier's answers."""
    return {"attachment": attachment.pk, "name": attachment.name, "size": attachment.size}


@dataclass
class SubmitRefused(Exception):
    """The answers do not validate: errors keyed by HTML id (the draft is kept)."""

    errors: dict[str, str]


def _dossier_url(dossier: Dossier) -> str:
    return reverse(
        "procedures:dossier",
        kwargs={"tenant": dossier.tenant.slug, "reference": dossier.reference},
    )


@transaction.atomic
def dossier_submit(*, user: User, dossier: Dossier, answers: dict[str, Any]) -> Dossier:
    """Validate and file the dossier (first filing or resubmission after corrections).

    Raises :class:`SubmitRefused` when answers do not validate (the caller has saved the
    draft first) and ``ValidationError`` when the procedure is closed.
    """
    dossier = Dossier.objects.select_for_update().select_related("procedure").get(pk=dossier.pk)
    _own(user, dossier)
    if dossier.state == DossierState.DRAFT and not dossier.procedure.is_open:
        raise ValidationError(_("Cette démarche est fermée : le dossier ne peut pas être déposé."))
    fields = formbuilder.parse_fields(dossier.version.fields)
    result = formbuilder.validate(fields, answers)
    if not result.ok:
        raise SubmitRefused(result.errors)
    _check_attachments(dossier, result.answers, fields)
    dossier.answers = result.answers
    first = dossier.submitted_at is None
    now = timezone.now()
    if first:
        dossier.submitted_at = now
        if dossier.procedure.silence_days:
            dossier.silence_deadline = (now + timedelta(days=dossier.procedure.silence_days)).date()
    dossier.save(update_fields=["answers", "submitted_at", "silence_deadline"])
    reason = "" if first else _("Dossier corrigé et déposé à nouveau.")
    dossier_transition(
        actor=user,
        dossier=dossier,
        to_state=DossierState.SUBMITTED,
        reason=reason,
        actor_kind="resident",
        notify_resident=False,
    )
    if first:
        transaction.on_commit(lambda: send_receipt(dossier_id=dossier.pk))
    else:
        notify(
            tenant=dossier.tenant,
            user=user,
            subject=_("Dossier %(r)s déposé à nouveau") % {"r": dossier.reference},
            body=_("Vos corrections ont été transmises au service."),
            url=_dossier_url(dossier),
        )
    return dossier


def _check_attachments(dossier: Dossier, answers: dict[str, Any], fields: list[Any]) -> None:
    """A file answer must point to a document of this very dossier (no forged ids)."""
    ids: list[int] = []
    for f in fields:
        if f.type == "file" and isinstance(answers.get(f.id), dict):
            ids.append(answers[f.id].get("attachment"))
        if f.type == "group":
            for item in answers.get(f.id) or []:
                for c in f.children:
                    if c.type == "file" and isinstance(item.get(c.id), dict):
                        ids.append(item[c.id].get("attachment"))
    found = set(
        Attachment.objects.filter(
            dossier=dossier, pk__in=[i for i in ids if isinstance(i, int)]
        ).values_list("pk", flat=True)
    )
    if any(i not in found for i in ids):
        raise ValidationError(_("Une pièce jointe ne correspond pas à ce dossier."))


def send_receipt(*, dossier_id: int) -> None:
    """E-mail the filing receipt (PDF attached) and leave an in-app notification."""
    from territoire.procedures.pdf import receipt_pdf

    dossier = Dossier.objects.select_related(
        "tenant", "procedure__service", "applicant", "version"
    ).get(pk=dossier_id)
    subject = _("Accusé de réception du dossier %(r)s") % {"r": dossier.reference}
    body = _(
        "Bonjour,\n\nVotre dossier « %(p)s » a bien été déposé sous la référence %(r)s. "
        "Vous trouverez l'accusé de réception en pièce jointe.\n\nSuivre votre dossier : %(u)s"
    ) % {"p": dossier.procedure.title, "r": dossier.reference, "u": _dossier_url(dossier)}
    email = EmailMessage(
        f"[{dossier.tenant.name}] {subject}", body, None, [dossier.applicant.email]
    )
    email.attach(f"recepisse-{dossier.reference}.pdf", receipt_pdf(dossier), "application/pdf")
    try:
        email.send()
    except OSError:
        # The dossier is filed whatever the mail server does; the receipt stays
        # downloadable from the dossier page.
        logger.exception("receipt e-mail failed", extra={"dossier": dossier.pk})
    notify(
        tenant=dossier.tenant,
        user=dossier.applicant,
        subject=subject,
        body=_("Votre dossier a bien été déposé."),
        url=_dossier_url(dossier),
        email=False,
    )


# --- The state machine -------------------------------------------------------------------

# Lazy: translated when a notification is written, in the active language.
STATE_MESSAGES = {
    DossierState.SUBMITTED: gettext_lazy("Votre dossier %(r)s est déposé."),
    DossierState.IN_INSTRUCTION: gettext_lazy("Votre dossier %(r)s est en cours d'instruction."),
    DossierState.CORRECTIONS: gettext_lazy("Le service vous demande de corriger le dossier %(r)s."),
    DossierState.ACCEPTED: gettext_lazy("Votre dossier %(r)s est accepté."),
    DossierState.REFUSED: gettext_lazy("Votre dossier %(r)s est refusé."),
    DossierState.CLOSED: gettext_lazy("Votre dossier %(r)s est classé sans suite."),
    DossierState.WITHDRAWN: gettext_lazy("Votre dossier %(r)s est retiré."),
}


@transaction.atomic
def dossier_transition(
    *,
    actor: Any,
    dossier: Dossier,
    to_state: str,
    reason: str = "",
    actor_kind: str = "agent",
    notify_resident: bool = True,
    at: datetime | None = None,
) -> Dossier:
    """Move a dossier along the state machine: check, record who/when/why, notify.

    ``actor_kind`` is "resident", "agent" or "system" (silence vaut accord). A decision
    stamps ``decided_at`` and publishes :class:`DossierDecided`; reopening clears it.
    """
    # Lock the row: two agents deciding at once must not both pass the check.
    dossier = Dossier.objects.select_for_update().select_related("procedure").get(pk=dossier.pk)
    from_state = dossier.state
    allowed = TRANSITIONS.get((from_state, to_state))
    if not allowed or actor_kind not in allowed:
        raise ValidationError(
            _("Passage impossible de « %(a)s » à « %(b)s ».")
            % {"a": DossierState(from_state).label, "b": DossierState(to_state).label}
        )
    needs_reason = to_state in (DossierState.CORRECTIONS, DossierState.REFUSED) or (
        from_state in DECIDED
    )
    if needs_reason and actor_kind == "agent" and not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif : il sera communiqué au demandeur.")})
    now = at or timezone.now()
    dossier.state = to_state
    dossier.updated = now
    if to_state in DECIDED:
        dossier.decided_at = now
        dossier.decision_motivation = reason
    elif from_state in DECIDED:
        dossier.decided_at = None
        dossier.decision_motivation = ""
    if (
        to_state == DossierState.IN_INSTRUCTION
        and dossier.assigned_to_id is None
        and actor_kind == "agent"
    ):
        dossier.assigned_to = actor
    dossier.save()
    is_person = getattr(actor, "is_authenticated", False)
    DossierEvent.objects.create(
        tenant=dossier.tenant,
        dossier=dossier,
        actor=actor if is_person else None,
        actor_label=str(actor) if is_person else str(actor or _("système")),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        at=now,
    )
    if actor_kind != "resident":
        audit_record(
            actor=actor,
            action=f"dossier.{to_state}",
            tenant=dossier.tenant,
            obj=dossier,
            details={"from": from_state},
        )
    if notify_resident and actor_kind != "resident":
        # Written in the resident's language, not the agent's.
        with translation.override(dossier.applicant.language):
            subject = str(STATE_MESSAGES[DossierState(to_state)]) % {"r": dossier.reference}
            body = subject + ("\n\n" + _("Motif : %(m)s") % {"m": reason} if reason else "")
        notify(
            tenant=dossier.tenant,
            user=dossier.applicant,
            subject=subject,
            body=body,
            url=_dossier_url(dossier),
        )
    if to_state in DECIDED:
        publish(
            DossierDecided(
                tenant_id=dossier.tenant_id,
                dossier_id=dossier.pk,
                procedure_slug=dossier.procedure.slug,
                decision=to_state,
            )
        )
    return dossier


def dossier_withdraw(*, user: User, dossier: Dossier, reason: str = "") -> Dossier:
    """The resident withdraws their dossier (before a decision)."""
    _own(user, dossier)
    return dossier_transition(
        actor=user,
        dossier=dossier,
        to_state=DossierState.WITHDRAWN,
        reason=reason,
        actor_kind="resident",
    )


def dossier_decide_batch(
    *, actor: User, dossiers: Iterable[Dossier], decision: str, motivation: str
) -> tuple[int, list[str]]:
    """Decide several dossiers at once; each is its own transaction. (done, refused refs)."""
    if decision not in DECIDED:
        raise ValidationError(_("Décision inconnue."))
    done, failed = 0, []
    for dossier in dossiers:
        try:
            dossier_transition(actor=actor, dossier=dossier, to_state=decision, reason=motivation)
            done += 1
        except ValidationError:
            failed.append(dossier.reference)
    return done, failed


@transaction.atomic
def dossier_accept_overdue(*, tenant: LocalAuthority | None = None, today: Any = None) -> int:
    """Silence vaut accord: accept every dossier whose deadline passed without decision."""
    today = today or timezone.localdate()
    overdue = Dossier.objects.awaiting_decision().filter(silence_deadline__lt=today)
    if tenant is not None:
        overdue = overdue.for_tenant(tenant)
    count = 0
    for dossier in overdue.select_related("tenant"):
        dossier_transition(
            actor="silence vaut accord",
            dossier=dossier,
            to_state=DossierState.ACCEPTED,
            reason=_("Accord tacite : aucune décision n'a été prise avant le %(d)s.")
            % {
                "d": dossier.silence_deadline.strftime("%d/%m/%Y")
                if dossier.silence_deadline
                else ""
            },
            actor_kind="system",
        )
        count += 1
    return count


# --- Instruction tools ---------------------------------------------------------------------


@transaction.atomic
def dossier_assign(*, actor: User, dossier: Dossier, agent: User | None) -> Dossier:
    """Assign the dossier to a caseworker (or to nobody); the caseworker follows it."""
    dossier.assigned_to = agent
    dossier.save(update_fields=["assigned_to"])
    if agent is not None:
        dossier.followers.add(agent)
    audit_record(
        actor=actor,
        action="dossier.assign",
        tenant=dossier.tenant,
        obj=dossier,
        details={"agent": agent.pk if agent else None},
    )
    return dossier


@transaction.atomic
def dossier_follow(*, actor: User, dossier: Dossier, follow: bool) -> Dossier:
    """Follow or stop following a dossier (notified of its messages)."""
    if follow:
        dossier.followers.add(actor)
    else:
        dossier.followers.remove(actor)
    audit_record(
        actor=actor,
        action="dossier.follow" if follow else "dossier.unfollow",
        tenant=dossier.tenant,
        obj=dossier,
    )
    return dossier


@transaction.atomic
def dossier_annotate(
    *,
    actor: User,
    dossier: Dossier,
    labels: list[str],
    annotations: str,
    private_answers: dict[str, Any] | None = None,
) -> Dossier:
    """Agent-only labels, notes and private fields (never shown to the resident).

    ``private_answers`` are checked against the procedure's private fields; a
    ValidationError carries the French messages keyed by HTML id.
    """
    clean = sorted({label.strip()[:40] for label in labels if label.strip()})[:10]
    dossier.labels = clean
    dossier.annotations = annotations[:10000]
    if private_answers is not None:
        fields = formbuilder.parse_fields(dossier.procedure.private_fields)
        result = formbuilder.validate(fields, private_answers)
        if not result.ok:
            raise ValidationError(result.errors)
        dossier.private_answers = result.answers
    dossier.save(update_fields=["labels", "annotations", "private_answers"])
    audit_record(actor=actor, action="dossier.annotate", tenant=dossier.tenant, obj=dossier)
    return dossier


@transaction.atomic
def message_send(
    *,
    author: User,
    dossier: Dossier,
    body: str,
    from_service: bool,
    files: Iterable[CheckedFile] = (),
) -> Message:
    """A message about a dossier, with content-checked attachments; the other side is told."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Écrivez votre message.")})
    if not from_service:
        _own(author, dossier)
    message = Message.objects.create(
        tenant=dossier.tenant,
        dossier=dossier,
        author=author,
        from_service=from_service,
        body=body[:10000],
        created=timezone.now(),
    )
    for checked in files:
        attachment_store(
            tenant=dossier.tenant,
            dossier=dossier,
            checked=checked,
            uploaded_by=author,
            message=message,
        )
    if from_service:
        audit_record(actor=author, action="dossier.message", tenant=dossier.tenant, obj=dossier)
        notify(
            tenant=dossier.tenant,
            user=dossier.applicant,
            subject=_("Nouveau message sur votre dossier %(r)s") % {"r": dossier.reference},
            body=body[:1000],
            url=_dossier_url(dossier),
        )
    else:
        url = reverse(
            "procedures_staff:dossier",
            kwargs={"tenant": dossier.tenant.slug, "reference": dossier.reference},
        )
        recipients = {u for u in dossier.followers.all()}
        if dossier.assigned_to is not None:
            recipients.add(dossier.assigned_to)
        for agent in recipients:
            notify(
                tenant=dossier.tenant,
                user=agent,
                subject=_("Message du demandeur, dossier %(r)s") % {"r": dossier.reference},
                body=body[:1000],
                url=url,
            )
    return message


@transaction.atomic
def opinion_request(
    *, actor: User, dossier: Dossier, expert: User, question: str
) -> OpinionRequest:
    """Ask another agent of the tenant for an opinion (visible to agents only)."""
    if not question.strip():
        raise ValidationError({"question": _("Posez votre question.")})
    opinion = OpinionRequest.objects.create(
        tenant=dossier.tenant,
        dossier=dossier,
        requested_by=actor,
        expert=expert,
        question=question.strip(),
        created=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="dossier.opinion_request",
        tenant=dossier.tenant,
        obj=dossier,
        details={"expert": expert.pk},
    )
    notify(
        tenant=dossier.tenant,
        user=expert,
        subject=_("Avis demandé sur le dossier %(r)s") % {"r": dossier.reference},
        body=question[:1000],
        url=reverse(
            "procedures_staff:dossier",
            kwargs={"tenant": dossier.tenant.slug, "reference": dossier.reference},
        ),
    )
    return opinion


@transaction.atomic
def opinion_give(*, actor: User, opinion: OpinionRequest, answer: str) -> OpinionRequest:
    """The consulted agent answers (only them)."""
    if opinion.expert_id != actor.pk:
        raise PermissionDenied(_("Cet avis est demandé à une autre personne."))
    if not answer.strip():
        raise ValidationError({"answer": _("Donnez votre avis.")})
    opinion.answer = answer.strip()
    opinion.answered_at = timezone.now()
    opinion.save(update_fields=["answer", "answered_at"])
    audit_record(
        actor=actor, action="dossier.opinion_give", tenant=opinion.tenant, obj=opinion.dossier
    )
    return opinion
