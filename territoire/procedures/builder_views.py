"""The no-code builder: agents create procedures, edit their fields, publish and close them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoire.core.models import User
from territoire.core.permissions import staff_required
from territoire.procedures import formbuilder, services
from territoire.procedures.forms import FieldForm, ProcedureForm, TemplateForm
from territoire.procedures.models import AttestationKind, Procedure


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _procedure(request: HttpRequest, slug: str) -> Procedure:
    procedure = Procedure.objects.for_tenant(request.tenant).filter(slug=slug).first()  # type: ignore[attr-defined]
    if procedure is None:
        raise Http404
    return procedure


def _back(procedure: Procedure) -> HttpResponse:
    return redirect("procedures_staff:builder", tenant=procedure.tenant.slug, slug=procedure.slug)


@staff_required
def procedures(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    rows = (
        Procedure.objects.for_tenant(tenant)
        .select_related("service")
        .annotate(n_dossiers=Count("dossiers"))
        .order_by("title")
    )
    return render(request, "procedures/staff/procedures.html", {"procedures": rows})


@staff_required
def procedure_new(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    form = ProcedureForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.procedure_create(
                actor=_user(request), tenant=tenant, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Démarche créée en brouillon : ajoutez ses champs."))
            return _back(procedure)
    return render(
        request,
        "procedures/staff/procedure_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _field_choices(
    procedure: Procedure, exclude: str = "", parent: str = "", private: bool = False
) -> list[tuple[str, str]]:
    """Fields a condition may refer to: top-level answers, plus siblings inside a group."""
    out = []
    for f in procedure.private_fields if private else procedure.fields:
        if f["type"] in formbuilder.DISPLAY_TYPES or f["type"] == "group" or f["id"] == exclude:
            continue
        out.append((f["id"], f["label"]))
    if parent:
        group = next((f for f in procedure.fields if f["id"] == parent), None)
        for c in (group or {}).get("fields", []):
            if c["id"] != exclude and c["type"] not in formbuilder.DISPLAY_TYPES:
                out.append((c["id"], f"{group['label'] if group else ''} › {c['label']}"))
    return out


@staff_required
def builder(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    form = ProcedureForm(request.POST or None, instance=procedure, tenant=procedure.tenant)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.procedure_update(
                    actor=_user(request), procedure=procedure, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Présentation enregistrée."))
                return _back(procedure)
        procedure.refresh_from_db()
    templates = {t.kind: t for t in procedure.attestation_templates.all()}
    template_forms = [
        (
            kind,
            label,
            TemplateForm(
                initial={"title": templates[kind].title, "body": templates[kind].body}
                if kind in templates
                else {},
                prefix=kind,
            ),
        )
        for kind, label in AttestationKind.choices
    ]
    return render(
        request,
        "procedures/staff/builder.html",
        {
            "procedure": procedure,
            "form": form,
            "fields": procedure.fields,
            "types": formbuilder.FIELD_TYPES,
            "private_types": {
                k: v for k, v in formbuilder.FIELD_TYPES.items() if k in services.PRIVATE_TYPES
            },
            "versions": procedure.versions.all(),
            "template_forms": template_forms,
            "n_dossiers": procedure.dossiers.count(),
            # Reversed here: inside the staff namespace the template tag would look
            # for the page in the staff instance of the same app.
            "public_url": reverse(
                "procedures:procedure",
                kwargs={"tenant": procedure.tenant.slug, "slug": procedure.slug},
            ),
        },
        status=400 if form.errors else 200,
    )


@staff_required
def field_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Add (``?type=…``) or edit (``?id=…``) a field, optionally inside a group (``?parent=``)."""
    procedure = _procedure(request, slug)
    params = request.POST if request.method == "POST" else request.GET
    parent = params.get("parent", "")
    field_id = params.get("id", "")
    private = params.get("prive") == "1"
    level = procedure.private_fields if private else procedure.fields
    if private and parent:
        raise Http404
    if parent:
        group = next(
            (f for f in procedure.fields if f["id"] == parent and f["type"] == "group"), None
        )
        if group is None:
            raise Http404
        level = group.get("fields", [])
    existing = next((f for f in level if f["id"] == field_id), None) if field_id else None
    if field_id and existing is None:
        raise Http404
    ftype = existing["type"] if existing else params.get("type", "text")
    if ftype not in formbuilder.FIELD_TYPES or (parent and ftype == "group"):
        raise Http404
    if private and ftype not in services.PRIVATE_TYPES:
        raise Http404
    choices = _field_choices(procedure, exclude=field_id, parent=parent, private=private)
    if request.method == "POST":
        form = FieldForm(request.POST, other_fields=choices, ftype=ftype)
        if form.is_valid():
            definition = form.definition(
                field_id or services.new_field_id(procedure, form.cleaned_data["label"])
            )
            definition["type"] = ftype  # the type is chosen once, when the field is added
            if form.is_valid():
                try:
                    services.procedure_field_save(
                        actor=_user(request),
                        procedure=procedure,
                        definition=definition,
                        parent=parent,
                        private=private,
                    )
                except ValidationError as exc:
                    form.add_error(None, " ".join(exc.messages))
                else:
                    messages.success(request, _("Champ enregistré."))
                    return _back(procedure)
    else:
        initial: dict[str, Any] = FieldForm.initial_from(existing) if existing else {"type": ftype}
        initial.setdefault("accept", ["pdf", "jpeg", "png"])
        form = FieldForm(initial=initial, other_fields=choices, ftype=ftype)
    form.fields["type"].disabled = True
    form.fields["type"].required = False
    return render(
        request,
        "procedures/staff/field_form.html",
        {
            "procedure": procedure,
            "form": form,
            "ftype": ftype,
            "type_label": formbuilder.FIELD_TYPES[ftype],
            "field_id": field_id,
            "parent": parent,
            "private": private,
        },
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def field_action(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    action = request.POST.get("action")
    field_id = request.POST.get("id", "")
    parent = request.POST.get("parent", "")
    private = request.POST.get("prive") == "1"
    try:
        if action in ("up", "down"):
            services.procedure_field_move(
                actor=_user(request),
                procedure=procedure,
                field_id=field_id,
                offset=-1 if action == "up" else 1,
                parent=parent,
                private=private,
            )
        elif action == "delete":
            services.procedure_field_delete(
                actor=_user(request),
                procedure=procedure,
                field_id=field_id,
                parent=parent,
                private=private,
            )
            messages.success(request, _("Champ supprimé."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(procedure)


@staff_required
@require_POST
def procedure_status(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    try:
        if request.POST.get("action") == "publish":
            version = services.procedure_publish(actor=_user(request), procedure=procedure)
            messages.success(
                request, _("Démarche publiée (version %(n)s).") % {"n": version.number}
            )
        elif request.POST.get("action") == "close":
            services.procedure_close(actor=_user(request), procedure=procedure)
            messages.success(request, _("Démarche fermée : elle n'accepte plus de dossier."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(procedure)


@staff_required
@require_POST
def template_save(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    if kind not in AttestationKind.values:
        raise Http404
    form = TemplateForm(request.POST, prefix=kind)
    if form.is_valid():
        services.attestation_template_save(
            actor=_user(request), procedure=procedure, kind=kind, **form.cleaned_data
        )
        messages.success(request, _("Modèle de décision enregistré."))
    else:
        messages.error(request, _("Le modèle doit avoir un titre et un texte."))
    return _back(procedure)
