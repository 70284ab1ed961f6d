"""Resident pages: catalogue, procedure, filling a dossier, following it, statistics."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from territoire.core.models import User
from territoire.procedures import formbuilder, selectors, services
from territoire.procedures.models import (
    Attachment,
    AttestationTemplate,
    Dossier,
    DossierState,
    Procedure,
    allowed_targets,
)
from territoire.procedures.uploads import MESSAGE_MAX_MB, check_upload


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _procedure(request: HttpRequest, slug: str) -> Procedure:
    procedure = (
        Procedure.objects.for_tenant(request.tenant)  # type: ignore[attr-defined]
        .visible()
        .select_related("service")
        .filter(slug=slug)
        .first()
    )
    if procedure is None:
        raise Http404
    return procedure


def _dossier(request: HttpRequest, reference: str) -> Dossier:
    """The signed-in resident's own dossier; anyone else's is a 404, never a 403 hint."""
    dossier = selectors.resident_dossier(request.tenant, _user(request), reference)  # type: ignore[attr-defined]
    if dossier is None:
        raise Http404
    return dossier


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    q = request.GET.get("q", "").strip()[:100]
    theme = request.GET.get("theme", "").strip()
    all_themes = selectors.themes(tenant)
    if theme not in all_themes:
        theme = ""
    procedures = selectors.catalogue(tenant, q=q, theme=theme)
    return render(
        request,
        "procedures/catalogue.html",
        {"procedures": procedures, "themes": all_themes, "q": q, "theme": theme},
    )


@require_GET
def procedure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    drafts = []
    if request.user.is_authenticated:
        drafts = list(
            selectors.resident_dossiers(procedure.tenant, _user(request)).filter(
                procedure=procedure, state=DossierState.DRAFT
            )[:5]
        )
    return render(request, "procedures/procedure.html", {"procedure": procedure, "drafts": drafts})


@login_required
@require_POST
def procedure_start(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    try:
        dossier = services.dossier_start(user=_user(request), procedure=procedure)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("procedures:procedure", tenant=procedure.tenant.slug, slug=slug)
    return redirect("procedures:fill", tenant=procedure.tenant.slug, reference=dossier.reference)


@login_required
@require_GET
def my_dossiers(request: HttpRequest) -> HttpResponse:
    dossiers = selectors.resident_dossiers(request.tenant, _user(request))  # type: ignore[attr-defined]
    return render(request, "procedures/my_dossiers.html", {"dossiers": dossiers})


def _store_uploads(
    request: HttpRequest, dossier: Dossier, fields: list[formbuilder.FieldDef]
) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """Check and store the files of a POST: (references by input, errors, forged names)."""
    uploads: dict[str, Any] = {}
    errors: dict[str, str] = {}
    forged: list[str] = []
    for name in request.FILES:
        f = formbuilder.file_field_for(fields, name)
        if f is None:
            forged.append(name)
            continue
        try:
            checked = check_upload(request.FILES[name], accept=f.accept, max_mb=f.max_size_mb)
        except ValidationError as exc:
            errors[name] = " ".join(exc.messages)
            continue
        attachment = services.attachment_store(
            tenant=dossier.tenant,
            dossier=dossier,
            checked=checked,
            uploaded_by=_user(request),
            field_path=name,
        )
        uploads[name] = services.file_ref(attachment)
    return uploads, errors, forged


STASH_MAX_CHARS = 100_000


def _stash_key(reference: str) -> str:
    return f"demarches-brouillon-{reference}"


def _stash_post(request: HttpRequest, reference: str) -> None:
    """Keep the answers of a POST whose session expired, until the person logs in again.

    The CSRF token lives in its own cookie, so the POST is still genuine; Django's
    log-in keeps an anonymous session's data, and the next visit of the form restores
    the answers into the draft (files must be attached again).
    """
    data = {k: request.POST.getlist(k)[:50] for k in request.POST if k.startswith("f-")}
    if sum(len(v) for values in data.values() for v in values) <= STASH_MAX_CHARS:
        request.session[_stash_key(reference)] = data


def _restore_stash(request: HttpRequest, dossier: Dossier, fields: list[Any]) -> None:
    stash = request.session.pop(_stash_key(dossier.reference), None)
    if not isinstance(stash, dict):
        return
    data = QueryDict(mutable=True)
    for key, values in stash.items():
        data.setlist(key, [str(v) for v in values])
    answers = formbuilder.read_post(fields, data, dossier.answers).answers
    services.dossier_save_draft(user=_user(request), dossier=dossier, answers=answers)
    messages.info(
        request,
        _(
            "Votre session avait expiré : vos réponses ont été récupérées "
            "(joignez à nouveau les fichiers)."
        ),
    )


def dossier_fill(request: HttpRequest, reference: str) -> HttpResponse:
    if not request.user.is_authenticated:
        if request.method == "POST":
            _stash_post(request, reference)
        return redirect_to_login(request.get_full_path())
    dossier = _dossier(request, reference)
    tenant = dossier.tenant
    if not dossier.is_editable:
        messages.info(request, _("Ce dossier ne peut plus être modifié."))
        return redirect("procedures:dossier", tenant=tenant.slug, reference=reference)
    fields = formbuilder.parse_fields(dossier.version.fields)
    if request.method == "GET":
        _restore_stash(request, dossier, fields)
    answers: dict[str, Any] = dossier.answers
    errors: dict[str, str] = {}
    forged: list[str] = []
    focus = ""
    if request.method == "POST":
        uploads, upload_errors, forged_files = _store_uploads(request, dossier, fields)
        result = formbuilder.read_post(fields, request.POST, dossier.answers, uploads)
        forged = result.forged + forged_files
        answers = result.answers
        # Every POST saves the draft first: nothing typed is lost on an error.
        services.dossier_save_draft(user=_user(request), dossier=dossier, answers=answers)
        errors.update(upload_errors)
        if result.action in ("add", "remove"):
            focus = result.group_changed
        elif forged:
            errors["form"] = _(
                "Le formulaire contenait des champs inconnus ; ils ont été ignorés. "
                "Vérifiez vos réponses et déposez à nouveau."
            )
        elif result.action == "submit" and not upload_errors:
            try:
                services.dossier_submit(user=_user(request), dossier=dossier, answers=answers)
            except services.SubmitRefused as exc:
                errors.update(exc.errors)
            except ValidationError as exc:
                errors["form"] = " ".join(exc.messages)
            else:
                messages.success(
                    request,
                    _("Votre dossier %(r)s est déposé. Un accusé de réception vous est envoyé.")
                    % {"r": dossier.reference},
                )
                return redirect("procedures:dossier", tenant=tenant.slug, reference=reference)
        elif result.action == "save" and not upload_errors:
            messages.success(request, _("Brouillon enregistré."))
            return redirect("procedures:fill", tenant=tenant.slug, reference=reference)
    summary = formbuilder.error_labels(fields, {k: v for k, v in errors.items() if k != "form"})
    return render(
        request,
        "procedures/fill.html",
        {
            "dossier": dossier,
            "procedure": dossier.procedure,
            "widgets": formbuilder.widgets(fields, answers, errors),
            "summary": summary,
            "form_error": errors.get("form", ""),
            "focus": focus,
            "has_map": any(
                f.type == "address" or any(c.type == "address" for c in f.children) for f in fields
            ),
            "has_files": any(
                f.type == "file" or any(c.type == "file" for c in f.children) for f in fields
            ),
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def dossier_detail(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    fields = formbuilder.parse_fields(dossier.version.fields)
    attestation = None
    if dossier.state in (DossierState.ACCEPTED, DossierState.REFUSED):
        attestation = AttestationTemplate.objects.filter(
            procedure=dossier.procedure, kind=dossier.state
        ).first()
    return render(
        request,
        "procedures/dossier.html",
        {
            "dossier": dossier,
            "procedure": dossier.procedure,
            "rows": formbuilder.answer_rows(fields, dossier.answers),
            "events": dossier.events.all(),
            "messages_list": dossier.messages.prefetch_related("attachments"),
            "can_withdraw": DossierState.WITHDRAWN in allowed_targets(dossier.state, "resident"),
            "attestation": attestation,
            "correction_reason": _last_reason(dossier, DossierState.CORRECTIONS),
        },
    )


def _last_reason(dossier: Dossier, state: str) -> str:
    event = dossier.events.filter(to_state=state).order_by("-at", "-pk").first()
    return event.reason if event and dossier.state == state else ""


@login_required
@require_POST
def dossier_message(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    files = []
    try:
        for upload in request.FILES.getlist("fichiers")[:5]:
            files.append(check_upload(upload, max_mb=MESSAGE_MAX_MB))
        services.message_send(
            author=_user(request),
            dossier=dossier,
            body=request.POST.get("body", ""),
            from_service=False,
            files=files,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Message envoyé au service."))
    return redirect("procedures:dossier", tenant=dossier.tenant.slug, reference=reference)


@login_required
@require_POST
def dossier_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Cochez la case pour confirmer le retrait du dossier."))
    else:
        try:
            services.dossier_withdraw(
                user=_user(request), dossier=dossier, reason=request.POST.get("reason", "")[:1000]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Votre dossier est retiré."))
    return redirect("procedures:dossier", tenant=dossier.tenant.slug, reference=reference)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def dossier_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    from territoire.procedures.pdf import receipt_pdf

    dossier = _dossier(request, reference)
    if dossier.submitted_at is None:
        raise Http404
    return _pdf(receipt_pdf(dossier), f"recepisse-{dossier.reference}.pdf")


def attestation_response(dossier: Dossier) -> HttpResponse:
    from territoire.procedures.pdf import attestation_pdf

    template = AttestationTemplate.objects.filter(
        procedure=dossier.procedure, kind=dossier.state
    ).first()
    if template is None or dossier.state not in (DossierState.ACCEPTED, DossierState.REFUSED):
        raise Http404
    return _pdf(
        attestation_pdf(dossier, template.title, template.body),
        f"decision-{dossier.reference}.pdf",
    )


@login_required
@require_GET
def dossier_attestation(request: HttpRequest, reference: str) -> HttpResponse:
    return attestation_response(_dossier(request, reference))


def attachment_response(attachment: Attachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def dossier_attachment(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    dossier = _dossier(request, reference)
    attachment = Attachment.objects.filter(dossier=dossier, pk=pk).first()
    if attachment is None:
        raise Http404
    if attachment.message_id is None and attachment.uploaded_by_id != dossier.applicant_id:
        raise PermissionDenied
    return attachment_response(attachment)


@require_GET
def stats(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    data = selectors.procedure_stats(procedure, weeks=26)
    return render(
        request,
        "procedures/stats.html",
        {
            "procedure": procedure,
            "stats": data,
            "bars": selectors.chart_bars(data),
        },
    )
