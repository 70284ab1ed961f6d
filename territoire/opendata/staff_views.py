"""Back office of the portal: catalogue, uploads with progress, gate reports, sources."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from territoire.core.datasources import sources
from territoire.core.permissions import role_required
from territoire.opendata import selectors, services
from territoire.opendata.forms import DatasetForm, DeclareForm, UploadForm
from territoire.opendata.models import Dataset, Resource, ResourceVersion, VersionStatus
from territoire.opendata.quality import dataset_quality

staff = role_required({"agent", "admin", "dpo"})


def _dataset(request: HttpRequest, slug: str) -> Dataset:
    d = selectors.dataset(request.tenant, slug, published_only=False)  # type: ignore[attr-defined]
    if d is None:
        raise Http404(_("Jeu de données introuvable."))
    return d


@staff
def home(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    datasets = list(selectors.staff_datasets(tenant).prefetch_related("resources__current"))
    rows = [
        {"dataset": d, "quality": dataset_quality(d, list(d.resources.all()))} for d in datasets
    ]
    published = {d.source_code for d in datasets if d.source_code}
    return render(
        request,
        "opendata/staff/home.html",
        {
            "rows": rows,
            "sources": sources(),
            "published_sources": published,
            # Reversed here: inside the staff namespace the template tag would look for
            # the public view among the staff URLs (same application namespace).
            "public_url": reverse("opendata:catalogue", kwargs={"tenant": tenant.slug}),
        },
    )


@staff
@require_http_methods(["GET", "POST"])
def dataset_new(request: HttpRequest) -> HttpResponse:
    form = DatasetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = services.dataset_create(
            tenant=request.tenant,  # type: ignore[attr-defined]
            actor=request.user,
            **form.values(),
        )
        messages.success(request, _("Jeu de données créé."))
        return redirect("opendata_staff:dataset", tenant=d.tenant.slug, slug=d.slug)
    return render(request, "opendata/staff/dataset_form.html", {"form": form})


@staff
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, slug: str) -> HttpResponse:
    d = _dataset(request, slug)
    form = DatasetForm(request.POST or None, instance=Dataset.objects.get(pk=d.pk))
    if request.method == "POST" and form.is_valid():
        values = form.values()
        services.dataset_update(dataset=d, actor=request.user, **values)
        messages.success(request, _("Jeu de données enregistré."))
        return redirect("opendata_staff:dataset", tenant=d.tenant.slug, slug=d.slug)
    return render(request, "opendata/staff/dataset_form.html", {"form": form, "dataset": d})


@staff
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    d = _dataset(request, slug)
    for r in d.resources.filter(versions__status=VersionStatus.LOADING).distinct():
        services.versions_fail_stale(tenant=d.tenant, resource=r)
    resources = list(d.resources.select_related("current"))
    for r in resources:
        r.recent_versions = list(selectors.versions(r)[:5])  # type: ignore[attr-defined]
        r.declare_form = DeclareForm(  # type: ignore[attr-defined]
            initial={
                "personal_columns": ", ".join(r.personal_columns),
                "pseudonymise_columns": ", ".join(r.pseudonymise_columns),
                "quasi_identifiers": ", ".join(r.quasi_identifiers),
                "count_columns": ", ".join(r.count_columns),
                "lon_column": r.lon_column,
                "lat_column": r.lat_column,
            },
            prefix=f"r{r.pk}",
        )
    return render(
        request,
        "opendata/staff/dataset.html",
        {
            "dataset": d,
            "resources": resources,
            "quality": dataset_quality(d, resources),
            "upload_form": UploadForm(resources=[r for r in resources if r.kind == "upload"]),
            "public_url": reverse(
                "opendata:dataset", kwargs={"tenant": d.tenant.slug, "slug": d.slug}
            ),
        },
    )


@staff
@require_POST
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    d = _dataset(request, slug)
    if d.source_code:
        raise Http404
    resources = list(d.resources.filter(kind="upload"))
    form = UploadForm(request.POST, request.FILES, resources=resources)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''} : {error}"
                )
        return redirect("opendata_staff:dataset", tenant=d.tenant.slug, slug=d.slug)
    data = form.cleaned_data
    resource = next((r for r in resources if r.pk == data.get("resource")), None)
    if resource is None:
        resource = services.resource_create(dataset=d, actor=request.user, title=data["title"])
    f = data["file"]
    try:
        version = services.version_upload(
            resource=resource,
            actor=request.user,
            chunks=f.chunks(),
            filename=f.name,
            fmt=data["format"],
            publish=data["mode"] == "publish",
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("opendata_staff:dataset", tenant=d.tenant.slug, slug=d.slug)
    return redirect("opendata_staff:version", tenant=d.tenant.slug, slug=d.slug, pk=version.pk)


@staff
@require_POST
def declare(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    d = _dataset(request, slug)
    resource = d.resources.filter(pk=pk, kind="upload").first()
    if resource is None:
        raise Http404
    form = DeclareForm(request.POST, prefix=f"r{resource.pk}")
    if form.is_valid():
        services.resource_declare(resource=resource, actor=request.user, **form.declarations())
        messages.success(
            request, _("Déclarations enregistrées : elles s'appliquent au prochain dépôt.")
        )
    return redirect("opendata_staff:dataset", tenant=d.tenant.slug, slug=d.slug)


@staff
def version_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    d = _dataset(request, slug)
    version = (
        ResourceVersion.objects.for_tenant(d.tenant)
        .filter(pk=pk, resource__dataset=d)
        .select_related("resource")
        .first()
    )
    if version is None:
        raise Http404
    if version.status == VersionStatus.LOADING:
        for failed in services.versions_fail_stale(tenant=d.tenant, resource=version.resource):
            if failed.pk == version.pk:
                version = failed
    running = version.status in (VersionStatus.PENDING, VersionStatus.LOADING)
    return render(
        request,
        "opendata/staff/version.html",
        {"dataset": d, "version": version, "running": running, "report": version.gate_report},
    )


@staff
@require_POST
def source_publish(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    code = request.POST.get("source", "")
    try:
        version = services.source_publish(tenant=tenant, code=code, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("opendata_staff:home", tenant=tenant.slug)
    d = version.resource.dataset
    return redirect("opendata_staff:version", tenant=tenant.slug, slug=d.slug, pk=version.pk)


@staff
@require_POST
def dataset_publish(request: HttpRequest, slug: str) -> HttpResponse:
    d = _dataset(request, slug)
    published = request.POST.get("published") == "1"
    services.dataset_set_published(dataset=d, actor=request.user, published=published)
    messages.success(
        request,
        _("Jeu de données publié.")
        if published
        else _("Jeu de données dépublié : il n'est plus visible du public ni de l'API."),
    )
    return redirect("opendata_staff:dataset", tenant=d.tenant.slug, slug=d.slug)


@staff
@require_http_methods(["GET", "POST"])
def dataset_delete(request: HttpRequest, slug: str) -> HttpResponse:
    d = _dataset(request, slug)
    if request.method == "POST":
        services.dataset_delete(dataset=d, actor=request.user)
        messages.success(request, _("Jeu de données « %(t)s » supprimé.") % {"t": d.title})
        return redirect("opendata_staff:home", tenant=d.tenant.slug)
    resources = list(d.resources.all())
    return render(
        request,
        "opendata/staff/confirm_delete.html",
        {
            "dataset": d,
            "target": d,
            "resources": resources,
            "versions": ResourceVersion.objects.for_tenant(d.tenant)
            .filter(resource__dataset=d)
            .count(),
        },
    )


@staff
@require_http_methods(["GET", "POST"])
def resource_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    d = _dataset(request, slug)
    resource = Resource.objects.for_tenant(d.tenant).filter(dataset=d, pk=pk).first()
    if resource is None:
        raise Http404(_("Ressource introuvable."))
    if request.method == "POST":
        services.resource_delete(resource=resource, actor=request.user)
        messages.success(request, _("Ressource « %(t)s » supprimée.") % {"t": resource.title})
        return redirect("opendata_staff:dataset", tenant=d.tenant.slug, slug=d.slug)
    return render(
        request,
        "opendata/staff/confirm_delete.html",
        {
            "dataset": d,
            "target": resource,
            "resource": resource,
            "versions": resource.versions.count(),
        },
    )
