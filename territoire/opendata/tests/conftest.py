"""Fixtures of the open data tests: publish a file in one call."""

from __future__ import annotations

from typing import Any

import pytest

from territoire.opendata import services
from territoire.opendata.models import Dataset, Resource, ResourceVersion


@pytest.fixture(autouse=True)
def _opendata_dir(settings: Any, tmp_path: Any) -> Any:
    settings.OPENDATA_DIR = tmp_path / "opendata"
    settings.OPENDATA_PSEUDONYM_KEY = "test-key"
    yield


def make_dataset(tenant: Any, title: str = "Équipements", **kw: Any) -> Dataset:
    kw.setdefault("published", True)
    return services.dataset_create(tenant=tenant, actor="test", title=title, **kw)


def upload(
    resource: Resource, content: bytes, fmt: str = "csv", *, publish: bool = True
) -> ResourceVersion:
    version = services.version_upload(
        resource=resource,
        actor="test",
        chunks=[content],
        filename=f"fichier.{fmt}",
        fmt=fmt,
        publish=publish,
        run=False,
    )
    return services.version_load(version.pk)


def publish_csv(
    tenant: Any, content: bytes | str, *, title: str = "Jeu", fmt: str = "csv", **declare: Any
) -> tuple[Dataset, Resource, ResourceVersion]:
    dataset = make_dataset(tenant, title)
    resource = services.resource_create(dataset=dataset, actor="test", title=title, **declare)
    data = content.encode() if isinstance(content, str) else content
    version = upload(resource, data, fmt)
    resource.refresh_from_db()
    return dataset, resource, version


def table_exists(version: ResourceVersion) -> bool:
    """Whether the rows table of this version exists (in either backend)."""
    from django.db import connection

    from territoire.opendata import services as s
    from territoire.opendata import storage

    name = s._table_name(version)
    if isinstance(storage.store(), storage.SqliteStore):
        return (storage.tables_dir() / f"{name}.sqlite3").exists()
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [f"{storage.PG_SCHEMA}.{name}"])
        return cur.fetchone()[0] is not None
