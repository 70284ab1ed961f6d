"""Template helpers: tenant-aware URLs and French number formatting."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.formats import number_format

register = template.Library()


@register.simple_tag(takes_context=True)
def turl(context: dict[str, Any], name: str, *args: Any, **kwargs: Any) -> str:
    """``{% turl "reports:list" %}``: reverse a tenant URL for the current tenant."""
    tenant = context.get("tenant")
    if tenant is None:
        request = context.get("request")
        tenant = getattr(request, "tenant", None)
    kwargs = {"tenant": tenant.slug, **kwargs} if tenant is not None else kwargs
    return reverse(name, args=args or None, kwargs=kwargs or None)


@register.filter
def fr_number(value: Any, decimals: int = 0) -> str:
    """1234567.8 → « 1 234 567,8 » whatever the active language (figures stay French)."""
    if value is None or value == "":
        return ""
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
