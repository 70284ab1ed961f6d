"""Reads of the open data portal: the catalogue with its facets, datasets, resources."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q

from territoire.core.models import LocalAuthority
from territoire.opendata.models import (
    Dataset,
    Resource,
    ResourceVersion,
    VersionStatus,
    published_q,
)

FACETS = ("theme", "keyword", "format", "licence", "schema")


@dataclass
class Search:
    datasets: list[Dataset]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def published_datasets(tenant: LocalAuthority | None) -> Any:
    qs = Dataset.objects.published()
    if tenant is not None:
        qs = qs.for_tenant(tenant)
    return qs.select_related("tenant").prefetch_related(
        Prefetch(
            "resources",
            queryset=Resource.objects.select_related("current").order_by("position", "pk"),
        )
    )


def _formats(dataset: Dataset) -> set[str]:
    return {
        r.current.format
        for r in dataset.resources.all()
        if r.current is not None and r.current.status == VersionStatus.READY
    }


def search(tenant: LocalAuthority, *, q: str = "", **facets: str) -> Search:
    """Published datasets matching ``q`` and the facet values, with counts per facet.

    The catalogue of one collectivité holds tens to hundreds of datasets: facets are
    counted in Python over one prefetched query rather than one GROUP BY per facet
    (JSON list fields would need database-specific SQL).
    """
    qs = published_datasets(tenant)
    q = q.strip()[:100]
    if q:
        # keywords are a JSON list: matched as text so it works on SQLite and PostgreSQL
        qs = qs.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(keywords__icontains=q)
        )
    datasets = list(qs.order_by("title"))

    def values(d: Dataset, facet: str) -> set[str]:
        if facet == "theme":
            return set(d.themes)
        if facet == "keyword":
            return set(d.keywords)
        if facet == "format":
            return _formats(d)
        if facet == "licence":
            return {d.licence}
        return {d.schema} if d.schema else set()

    selected = {k: v for k, v in facets.items() if v and k in FACETS}
    matching = [d for d in datasets if all(v in values(d, k) for k, v in selected.items())]
    counts: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        counter: Counter[str] = Counter()
        for d in matching:
            counter.update(values(d, facet))
        counts[facet] = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return Search(datasets=matching, facets=counts)


def dataset(tenant: LocalAuthority, slug: str, *, published_only: bool = True) -> Dataset | None:
    qs = published_datasets(tenant) if published_only else Dataset.objects.for_tenant(tenant)
    return qs.filter(slug=slug).first()


def published_resource(dataset: Dataset, resource_id: int) -> Resource | None:
    resource = (
        Resource.objects.for_tenant(dataset.tenant)
        .filter(dataset=dataset, pk=resource_id)
        .select_related("current", "dataset")
        .first()
    )
    if resource is None or resource.current is None:
        return None
    if resource.current.status != VersionStatus.READY:
        return None
    return resource


def resource_for_rows(tenant: LocalAuthority, slug: str, resource_id: int) -> Resource | None:
    """A published resource with its current version, in one query (the hot path of the
    tabular API: the gate report and errors, large JSON, are not loaded)."""
    return (
        Resource.objects.for_tenant(tenant)
        .filter(
            published_q("dataset__"),
            pk=resource_id,
            dataset__slug=slug,
            current__status=VersionStatus.READY,
        )
        .select_related("current", "dataset")
        .defer("current__gate_report", "current__errors")
        .first()
    )


def staff_datasets(tenant: LocalAuthority) -> Any:
    return Dataset.objects.for_tenant(tenant).order_by("title")


def versions(resource: Resource) -> Any:
    return ResourceVersion.objects.for_tenant(resource.tenant).filter(resource=resource)
