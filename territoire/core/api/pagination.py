"""Pagination of API lists: ``page`` and ``page_size``, with the total and next/previous links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class PagePagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )

    class Output(Schema):
        count: int
        next: str | None
        previous: str | None
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(
        self, queryset: Any, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        offset = (pagination.page - 1) * pagination.page_size
        count = queryset.count() if hasattr(queryset, "count") else len(queryset)
        items = list(queryset[offset : offset + pagination.page_size])

        def link(page: int) -> str:
            query = request.GET.copy()
            query["page"] = str(page)
            query["page_size"] = str(pagination.page_size)
            return request.build_absolute_uri(request.path + "?" + query.urlencode())

        return {
            "count": count,
            "next": link(pagination.page + 1) if offset + pagination.page_size < count else None,
            "previous": link(pagination.page - 1) if pagination.page > 1 else None,
            "results": items,
        }
