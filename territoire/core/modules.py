"""Plug-in points: each business app describes itself here, core mounts it.

A module registers a :class:`Module` in its ``AppConfig.ready``. Core then mounts its
public pages under ``/<tenant>/<prefix>/``, its back-office under
``/<tenant>/gestion/<prefix>/``, its global URLs (e.g. ``/open311/``) at the root, its
API router under ``/api/v1/``, lists its navigation entries in the header and the
staff dashboard, seeds its demo data, and gives the browser tests its public pages.
Core never imports a business app: it only reads this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from territoire.core.models import LocalAuthority


@dataclass(frozen=True, kw_only=True)
class NavEntry:
    """A link in the header (public) or on the staff dashboard (staff)."""

    label: Any  # a lazy translation
    url_name: str  # reversed with the tenant slug as ``tenant`` kwarg
    staff: bool = False
    roles: frozenset[str] = frozenset()  # staff roles allowed; empty = any staff role
    description: Any = ""


@dataclass(frozen=True, kw_only=True)
class Module:
    label: str  # the Django app label, also the URL namespace
    name: Any  # French UI name (lazy)
    prefix: str = ""  # URL segment under /<tenant>/ (e.g. "signalements")
    public_urls: str | None = None  # dotted path of a urls module
    staff_urls: str | None = None  # mounted under /<tenant>/gestion/<prefix>/
    root_urls: str | None = None  # mounted at "/" (global, tenant from a parameter)
    api_router: str | None = None  # dotted path of a ninja Router
    api_prefix: str = ""  # mounted under /api/v1/<api_prefix>
    nav: tuple[NavEntry, ...] = ()
    # Paths of the public pages for one tenant, for accessibility/EcoIndex tests.
    public_pages: Callable[[LocalAuthority], list[str]] | None = None
    # Demo seeding: dotted path of ``seed(ctx: DemoContext) -> None``; lower runs first.
    demo_seed: str | None = None
    demo_order: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


_registry: dict[str, Module] = {}


def register(module: Module) -> None:
    _registry[module.label] = module


def modules() -> list[Module]:
    return list(_registry.values())


def get(label: str) -> Module | None:
    return _registry.get(label)


def nav_links(
    tenant: LocalAuthority, *, staff: bool, roles: Iterable[str] = ()
) -> list[tuple[Any, str]]:
    """(label, url) of the registered navigation entries visible to these roles."""
    held = set(roles)
    links = []
    for module in _registry.values():
        for entry in module.nav:
            if entry.staff != staff:
                continue
            if staff and entry.roles and not (entry.roles & held):
                continue
            try:
                links.append((entry.label, reverse(entry.url_name, kwargs={"tenant": tenant.slug})))
            except NoReverseMatch:
                continue
    return links


def demo_seeders() -> list[Callable[..., None]]:
    ordered = sorted(
        (m for m in _registry.values() if m.demo_seed), key=lambda m: (m.demo_order, m.label)
    )
    return [import_string(m.demo_seed) for m in ordered if m.demo_seed]
