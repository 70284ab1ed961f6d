"""Back-office lists: filters, sort, pagination and CSV export from one description.

Every list an agent uses has the four (PRODUCT.md). A view builds a :class:`Listing`
from a queryset and the request's query string; the template component
``core/components/listing_controls.html`` renders the filter form, sort links and
pager, and ``?format=csv`` streams the same filtered rows as CSV.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone


@dataclass(frozen=True)
class Filter:
    name: str
    label: Any
    lookup: str  # ORM lookup applied to the value, e.g. "role" or "created__date__gte"
    choices: list[tuple[str, Any]] | None = None  # a select when given, else a text input
    input_type: str = "text"


@dataclass(frozen=True)
class Column:
    label: Any
    value: Callable[[Any], Any]
    sort: str | None = None  # ORM field to order by, when sortable


class _Echo:
    def write(self, value: str) -> str:
        return value


@dataclass
class Listing:
    queryset: QuerySet[Any]
    columns: list[Column]
    filters: list[Filter] = field(default_factory=list)
    search_fields: list[str] = field(default_factory=list)
    default_sort: str = "-pk"
    per_page: int = 25
    filename: str = "export"

    def apply(self, params: Any) -> QuerySet[Any]:
        qs = self.queryset
        for f in self.filters:
            value = (params.get(f.name) or "").strip()
            if not value:
                continue
            if f.choices is not None and value not in {str(k) for k, _ in f.choices}:
                continue  # a forged value filters nothing rather than erroring
            try:
                qs = qs.filter(**{f.lookup: value})
            except (ValueError, TypeError, ValidationError):
                continue  # e.g. a forged date: ignored, not a server error
        q = (params.get("q") or "").strip()
        if q and self.search_fields:
            cond = Q()
            for name in self.search_fields:
                cond |= Q(**{f"{name}__icontains": q})
            qs = qs.filter(cond)
        sortable = {c.sort for c in self.columns if c.sort}
        sort = params.get("sort") or self.default_sort
        if sort.lstrip("-") not in sortable and sort != self.default_sort:
            sort = self.default_sort
        return qs.order_by(sort, "pk")

    def page(self, request: HttpRequest) -> tuple[Page[Any], dict[str, Any]]:
        rows = self.apply(request.GET)
        paginator = Paginator(rows, self.per_page)
        page = paginator.get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        sort = request.GET.get("sort") or self.default_sort
        headers = []
        for c in self.columns:
            link = None
            direction = None
            if c.sort:
                p = params.copy()
                p["sort"] = c.sort if sort != c.sort else f"-{c.sort}"
                link = "?" + p.urlencode()
                if sort.lstrip("-") == c.sort:
                    direction = "descending" if sort.startswith("-") else "ascending"
            headers.append({"label": c.label, "link": link, "direction": direction})
        csv_params = params.copy()
        csv_params["format"] = "csv"
        context = {
            "page": page,
            "rows": [[c.value(obj) for c in self.columns] for obj in page.object_list],
            "objects": list(page.object_list),
            "headers": headers,
            "filters": [{"f": f, "value": request.GET.get(f.name, "")} for f in self.filters],
            "searchable": bool(self.search_fields),
            "q": request.GET.get("q", ""),
            "query": params.urlencode(),
            "csv_url": "?" + csv_params.urlencode(),
            "total": paginator.count,
        }
        return page, context

    def csv_response(self, request: HttpRequest) -> StreamingHttpResponse:
        rows = self.apply(request.GET)

        def generate() -> Iterator[str]:
            writer = csv.writer(_Echo(), delimiter=";")
            yield "\ufeff"  # BOM: spreadsheet software opens the UTF-8 file correctly
            yield writer.writerow([str(c.label) for c in self.columns])
            for obj in rows.iterator(chunk_size=500):
                yield writer.writerow([_cell(c.value(obj)) for c in self.columns])

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.filename}-{stamp}.csv"'
        return response

    def wants_csv(self, request: HttpRequest) -> bool:
        return request.GET.get("format") == "csv"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # Neutralise spreadsheet formulas (CSV injection).
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True
