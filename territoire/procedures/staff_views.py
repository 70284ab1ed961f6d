"""Back-office of caseworkers: the inbox, a dossier's instruction, batch decisions."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from territoire.core.listing import Column, Filter, Listing, _cell
from territoire.core.models import Service, User
from territoire.core.permissions import staff_required
from territoire.procedures import formbuilder, selectors, services
from territoire.procedures.forms import BatchForm, TransitionForm
from territoire.procedures.models import (
    Attachment,
    Dossier,
    DossierState,
    OpinionRequest,
    Procedure,
    allowed_targets,
)
from territoire.procedures.uploads import MESSAGE_MAX_MB, check_upload
from territoire.procedures.views import attachment_response, attestation_response


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _dossier(request: HttpRequest, reference: str) -> Dossier:
    dossier = (
        selectors.staff_dossiers(request.tenant)  # type: ignore[attr-defined]
        .select_related("version")
        .filter(reference=reference)
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier


def _back(dossier: Dossier) -> HttpResponse:
    return redirect(
        "procedures_staff:dossier", tenant=dossier.tenant.slug, reference=dossier.reference
    )


def inbox_listing(request: HttpRequest) -> Listing:
    tenant = request.tenant  # type: ignore[attr-defined]
    procedures = Procedure.objects.for_tenant(tenant).order_by("title")
    queryset = selectors.staff_dossiers(tenant)
    if request.GET.get("mes_services") == "1":
        # The inbox of my services: procedures instructed by a service I belong to.
        queryset = queryset.filter(
            procedure__service__in=selectors.services_of(tenant, request.user)
        )
    return Listing(
        queryset=queryset,
        columns=[
            Column(gettext_lazy("Référence"), lambda d: d.reference, sort="reference"),
            Column(gettext_lazy("Démarche"), lambda d: d.procedure.title, sort="procedure__title"),
            Column(gettext_lazy("Demandeur"), lambda d: str(d.applicant), sort="applicant__email"),
            Column(gettext_lazy("État"), lambda d: d.get_state_display(), sort="state"),
            Column(
                gettext_lazy("Déposé le"),
                lambda d: timezone.localtime(d.submitted_at).date() if d.submitted_at else "",
                sort="submitted_at",
            ),
            Column(
                gettext_lazy("Instructeur"),
                lambda d: str(d.assigned_to) if d.assigned_to else "",
                sort="assigned_to__email",
            ),
            Column(gettext_lazy("Étiquettes"), lambda d: ", ".join(d.labels or [])),
        ],
        filters=[
            Filter(
                "etat",
                gettext_lazy("État"),
                "state",
                choices=[(s.value, s.label) for s in DossierState if s != DossierState.DRAFT],
            ),
            Filter(
                "demarche",
                gettext_lazy("Démarche"),
                "procedure_id",
                choices=[(str(p.pk), p.title) for p in procedures],
            ),
            Filter(
                "service",
                gettext_lazy("Service"),
                "procedure__service_id",
                choices=[(str(s.pk), s.name) for s in Service.objects.for_tenant(tenant)],
            ),
            Filter(
                "instructeur",
                gettext_lazy("Instructeur"),
                "assigned_to_id",
                choices=[(str(u.pk), str(u)) for u in selectors.tenant_agents(tenant)],
            ),
            Filter("etiquette", gettext_lazy("Étiquette"), "labels__icontains"),
            Filter(
                "depuis",
                gettext_lazy("Déposé depuis le"),
                "submitted_at__date__gte",
                input_type="date",
            ),
        ],
        search_fields=[
            "reference",
            "applicant__email",
            "applicant__display_name",
            "procedure__title",
        ],
        default_sort="-submitted_at",
        filename="dossiers",
    )


def _xlsx(listing: Listing, request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Dossiers"))
    ws.append([str(c.label) for c in listing.columns])
    for obj in listing.apply(request.GET).iterator(chunk_size=500):
        # Same neutralisation of formulas as the CSV export.
        ws.append([_cell(c.value(obj)) for c in listing.columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="dossiers-{stamp}.xlsx"'
    return response


@staff_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    listing = inbox_listing(request)
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]
    if request.GET.get("format") == "xlsx":
        return _xlsx(listing, request)
    _page, context = listing.page(request)
    params = request.GET.copy()
    params.pop("etat", None)
    params.pop("page", None)
    counts = selectors.state_counts(listing.apply(params))
    for c in counts:
        p = params.copy()
        p["etat"] = c["state"]
        c["url"] = "?" + p.urlencode()
    xlsx = request.GET.copy()
    xlsx["format"] = "xlsx"
    context.update(
        {
            "counts": counts,
            "xlsx_url": "?" + xlsx.urlencode(),
            "batch_form": BatchForm(),
        }
    )
    return render(request, "procedures/staff/inbox.html", context)


@staff_required
@require_POST
def batch(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    form = BatchForm(request.POST)
    refs = request.POST.getlist("dossiers")[:200]
    if not refs:
        messages.error(request, _("Cochez au moins un dossier."))
    elif not form.is_valid():
        messages.error(request, _("Choisissez une décision et écrivez sa motivation."))
    else:
        dossiers = selectors.staff_dossiers(tenant).filter(reference__in=refs)
        done, failed = services.dossier_decide_batch(
            actor=_user(request),
            dossiers=list(dossiers),
            decision=form.cleaned_data["decision"],
            motivation=form.cleaned_data["motivation"],
        )
        messages.success(request, _("%(n)s dossier(s) décidé(s).") % {"n": done})
        if failed:
            messages.error(
                request,
                _("Non décidés (état incompatible) : %(refs)s") % {"refs": ", ".join(failed)},
            )
    return redirect("procedures_staff:inbox", tenant=tenant.slug)


@staff_required
@require_GET
def dossier_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail(request, _dossier(request, reference))


def _detail(
    request: HttpRequest,
    dossier: Dossier,
    private_answers: dict[str, Any] | None = None,
    private_errors: dict[str, str] | None = None,
) -> HttpResponse:
    tenant = dossier.tenant
    private_fields = formbuilder.parse_fields(dossier.procedure.private_fields)
    fields = formbuilder.parse_fields(dossier.version.fields)
    targets = allowed_targets(dossier.state, "agent")
    return render(
        request,
        "procedures/staff/dossier.html",
        {
            "dossier": dossier,
            "procedure": dossier.procedure,
            "rows": formbuilder.answer_rows(fields, dossier.answers),
            "events": dossier.events.all(),
            "messages_list": dossier.messages.prefetch_related("attachments"),
            "opinions": dossier.opinions.select_related("expert", "requested_by"),
            "agents": selectors.tenant_agents(tenant),
            "transition_form": TransitionForm(targets=targets) if targets else None,
            "following": dossier.followers.filter(pk=request.user.pk).exists(),
            "staff": True,
            "all_labels": selectors.all_labels(tenant),
            "private_widgets": formbuilder.widgets(
                private_fields,
                dossier.private_answers if private_answers is None else private_answers,
                private_errors or {},
            ),
        },
        status=400 if private_errors else 200,
    )


@staff_required
@require_POST
def dossier_transition(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    form = TransitionForm(request.POST, targets=allowed_targets(dossier.state, "agent"))
    if not form.is_valid():
        messages.error(request, _("Ce changement d'état n'est pas possible."))
        return _back(dossier)
    try:
        services.dossier_transition(
            actor=_user(request),
            dossier=dossier,
            to_state=form.cleaned_data["to_state"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Dossier %(r)s : %(s)s.")
            % {"r": dossier.reference, "s": DossierState(form.cleaned_data["to_state"]).label},
        )
    return _back(dossier)


@staff_required
@require_POST
def dossier_assign(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    user = _user(request)
    if "follow" in request.POST:
        services.dossier_follow(actor=user, dossier=dossier, follow=request.POST["follow"] == "1")
        return _back(dossier)
    agent_id = request.POST.get("agent", "")
    agent = None
    if agent_id:
        agent = (
            selectors.tenant_agents(dossier.tenant)
            .filter(pk=agent_id if agent_id.isdigit() else 0)
            .first()
        )
        if agent is None:
            messages.error(request, _("Cette personne n'est pas un agent de la collectivité."))
            return _back(dossier)
    services.dossier_assign(actor=user, dossier=dossier, agent=agent)
    messages.success(request, _("Attribution enregistrée."))
    return _back(dossier)


@staff_required
@require_POST
def dossier_annotate(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    fields = formbuilder.parse_fields(dossier.procedure.private_fields)
    private = formbuilder.read_post(fields, request.POST).answers if fields else None
    try:
        services.dossier_annotate(
            actor=_user(request),
            dossier=dossier,
            labels=request.POST.get("labels", "").split(","),
            annotations=request.POST.get("annotations", ""),
            private_answers=private,
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}
        return _detail(
            request,
            dossier,
            private_answers=private,
            private_errors={k: " ".join(v) for k, v in errors.items()},
        )
    messages.success(request, _("Annotations enregistrées."))
    return _back(dossier)


@staff_required
@require_POST
def dossier_message(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    try:
        files = [
            check_upload(u, max_mb=MESSAGE_MAX_MB) for u in request.FILES.getlist("fichiers")[:5]
        ]
        services.message_send(
            author=_user(request),
            dossier=dossier,
            body=request.POST.get("body", ""),
            from_service=True,
            files=files,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Message envoyé au demandeur."))
    return _back(dossier)


@staff_required
@require_POST
def dossier_opinion(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    user = _user(request)
    try:
        if request.POST.get("opinion"):
            opinion = (
                OpinionRequest.objects.for_tenant(dossier.tenant)
                .filter(
                    dossier=dossier,
                    pk=request.POST["opinion"] if request.POST["opinion"].isdigit() else 0,
                )
                .first()
            )
            if opinion is None:
                raise Http404
            services.opinion_give(
                actor=user, opinion=opinion, answer=request.POST.get("answer", "")
            )
            messages.success(request, _("Avis enregistré."))
        else:
            expert_id = request.POST.get("expert", "")
            expert = (
                selectors.tenant_agents(dossier.tenant)
                .filter(pk=expert_id if expert_id.isdigit() else 0)
                .first()
            )
            if expert is None:
                messages.error(request, _("Choisissez un agent de la collectivité."))
                return _back(dossier)
            services.opinion_request(
                actor=user,
                dossier=dossier,
                expert=expert,
                question=request.POST.get("question", ""),
            )
            messages.success(request, _("Demande d'avis envoyée."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return _back(dossier)


@staff_required
@require_GET
def dossier_attachment(request: HttpRequest, reference: str, pk: int) -> Any:
    dossier = _dossier(request, reference)
    attachment = Attachment.objects.filter(dossier=dossier, pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment_response(attachment)


@staff_required
@require_GET
def dossier_attestation(request: HttpRequest, reference: str) -> HttpResponse:
    return attestation_response(_dossier(request, reference))
