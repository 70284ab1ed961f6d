"""Background tasks of the open data portal (Django's tasks API: inline or RQ)."""

from __future__ import annotations

from django.tasks import task


@task()
def load_version(version_id: int) -> str:
    from territoire.opendata.services import version_load

    return str(version_load(version_id).status)


@task()
def publish_source(tenant_id: int, source_code: str) -> str:
    from territoire.core.models import LocalAuthority
    from territoire.opendata.services import source_publish

    tenant = LocalAuthority.objects.filter(pk=tenant_id, is_active=True).first()
    if tenant is None:
        return "missing"
    return str(source_publish(tenant=tenant, code=source_code).status)


@task()
def refresh_all() -> int:
    """Republishes every platform source of every tenant (schedule it, e.g. nightly)."""
    from territoire.opendata.services import refresh_sources

    return len(refresh_sources())
