"""A dataset's life after publication: withdrawn, deleted, or stuck in a killed load."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from territoire.core.models import AuditEntry
from territoire.opendata import services
from territoire.opendata.models import Dataset, Resource, ResourceVersion, VersionStatus
from territoire.opendata.tests.conftest import publish_csv, table_exists, upload

CSV = "nom;places\nDunes;412\nJean-Bart;268\n"


def _staff(tenant: Any) -> str:
    return f"/{tenant.slug}/gestion/donnees/"


def _public_urls(tenant: Any, dataset: Dataset, resource: Resource) -> dict[str, str]:
    api = f"/api/v1/datasets/{dataset.slug}"
    q = f"?tenant={tenant.slug}"
    return {
        "page": f"/{tenant.slug}/donnees/{dataset.slug}/",
        "preview": f"/{tenant.slug}/donnees/{dataset.slug}/ressources/{resource.pk}/",
        "api": api + q,
        "rows": f"{api}/resources/{resource.pk}/rows{q}",
        "download": f"{api}/resources/{resource.pk}/download{q}",
        "dcat": f"{api}/dcat.ttl{q}",
    }


def test_unpublished_dataset_disappears_everywhere_and_comes_back(
    agent_client: Any, tenant: Any, client: Any
) -> None:
    dataset, resource, version = publish_csv(tenant, CSV, title="Piscines municipales")
    urls = _public_urls(tenant, dataset, resource)
    assert all(client.get(u).status_code == 200 for u in urls.values())
    response = agent_client.post(
        _staff(tenant) + f"{dataset.slug}/publication/", {"published": "0"}
    )
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert not dataset.published
    for name, url in urls.items():
        assert client.get(url).status_code == 404, name
    assert "Piscines" not in client.get(f"/{tenant.slug}/donnees/").content.decode()
    assert client.get(f"/api/v1/datasets?tenant={tenant.slug}").json()["count"] == 0
    for catalog in ("catalog.ttl", "catalog.jsonld"):
        body = client.get(f"/api/v1/{catalog}?tenant={tenant.slug}").content.decode()
        assert dataset.slug not in body and "Piscines" not in body
    assert "Piscines" not in client.get("/api/v1/catalog.ttl").content.decode()
    # The agent still sees it, and its table is kept for an immediate republication.
    page = agent_client.get(_staff(tenant) + f"{dataset.slug}/").content.decode()
    assert "Non publié" in page and table_exists(version)
    agent_client.post(_staff(tenant) + f"{dataset.slug}/publication/", {"published": "1"})
    rows = client.get(urls["rows"]).json()["data"]
    assert [r["nom"] for r in rows] == ["Dunes", "Jean-Bart"]
    actions = list(
        AuditEntry.objects.filter(tenant=tenant, action__startswith="opendata.dataset_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["opendata.dataset_unpublish", "opendata.dataset_publish"]


def _files(version: ResourceVersion) -> Path:
    return services.opendata_dir() / version.file_path


def test_delete_resource_drops_every_version_table_and_file(
    agent_client: Any, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dataset, resource, first = publish_csv(tenant, CSV, title="Piscines")
    second = upload(resource, b"nom;places\nDunes;500\n")
    keep = services.resource_create(dataset=dataset, actor="t", title="Autre")
    kept = upload(keep, b"a;b\n1;2\n")
    assert second.status == VersionStatus.READY and table_exists(second)
    assert _files(first).exists() and _files(second).exists()
    url = _staff(tenant) + f"{dataset.slug}/ressources/{resource.pk}/supprimer/"
    confirm = agent_client.get(url)
    assert confirm.status_code == 200 and "définitive" in confirm.content.decode()
    assert Resource.objects.filter(pk=resource.pk).exists()  # GET deletes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(url)
    assert response.status_code == 302
    assert not Resource.objects.filter(pk=resource.pk).exists()
    assert not ResourceVersion.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert not table_exists(second) and not table_exists(first)
    assert not _files(first).exists() and not _files(second).exists()
    # The other resource of the dataset is untouched.
    assert table_exists(kept) and _files(kept).exists()
    entry = AuditEntry.objects.get(tenant=tenant, action="opendata.resource_delete")
    assert entry.object_id == str(resource.pk) and entry.details["versions"] == 2


def test_delete_dataset_drops_everything_and_is_audited(
    agent: Any, agent_client: Any, tenant: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dataset, resource, version = publish_csv(tenant, CSV, title="Piscines")
    # A partial table left by a killed load is removed as well.
    stuck = services.version_upload(
        resource=resource, actor="t", chunks=[b"a\n1\n"], filename="a.csv", fmt="csv", run=False
    )
    ResourceVersion.objects.filter(pk=stuck.pk).update(status=VersionStatus.LOADING)
    from territoire.opendata import storage

    storage.store().create(services._table_name(stuck), ["string"])
    assert table_exists(stuck)
    url = _staff(tenant) + f"{dataset.slug}/supprimer/"
    assert "Supprimer définitivement" in agent_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert agent_client.post(url).status_code == 302
    assert not Dataset.objects.filter(pk=dataset.pk).exists()
    assert not ResourceVersion.objects.filter(resource__dataset_id=dataset.pk).exists()
    assert not table_exists(version) and not table_exists(stuck)
    assert not _files(version).exists() and not _files(stuck).exists()
    entry = AuditEntry.objects.get(tenant=tenant, action="opendata.dataset_delete")
    assert entry.actor_label == agent.email and entry.details["versions"] == 2
    assert client.get(f"/{tenant.slug}/donnees/{dataset.slug}/").status_code == 404


def test_agent_of_another_tenant_cannot_delete_or_unpublish(
    agent_client: Any, tenant: Any, other_tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dataset, resource, version = publish_csv(other_tenant, CSV, title="Voisin")
    mine, _mine_resource, _v = publish_csv(tenant, CSV, title="Mien")
    base = _staff(tenant)
    with django_capture_on_commit_callbacks(execute=True):
        assert agent_client.get(base + f"{dataset.slug}/supprimer/").status_code == 404
        assert agent_client.post(base + f"{dataset.slug}/supprimer/").status_code == 404
        assert agent_client.post(base + f"{dataset.slug}/publication/").status_code == 404
        # The other tenant's resource id under one of my own datasets.
        other = base + f"{mine.slug}/ressources/{resource.pk}/supprimer/"
        assert agent_client.post(other).status_code == 404
        # The other tenant's back office itself is closed to this agent.
        foreign = _staff(other_tenant) + f"{dataset.slug}/supprimer/"
        assert agent_client.post(foreign).status_code in (302, 403)
    dataset.refresh_from_db()
    assert dataset.published and Resource.objects.filter(pk=resource.pk).exists()
    assert table_exists(version) and _files(version).exists()
    assert not AuditEntry.objects.filter(action__endswith="_delete").exists()


def _stuck_version(resource: Resource, minutes: int) -> ResourceVersion:
    version = services.version_upload(
        resource=resource,
        actor="t",
        chunks=[b"nom;places\nDunes;1\n"],
        filename="b.csv",
        fmt="csv",
        run=False,
    )
    ResourceVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.LOADING,
        progress=37,
        updated_at=timezone.now() - timedelta(minutes=minutes),
    )
    return version


def test_stale_load_is_failed_on_the_staff_page_and_the_previous_version_serves(
    agent_client: Any, tenant: Any, client: Any, settings: Any
) -> None:
    settings.OPENDATA_STALE_LOAD_MINUTES = 30
    dataset, resource, previous = publish_csv(tenant, CSV, title="Piscines")
    recent = _stuck_version(resource, minutes=5)
    page = agent_client.get(_staff(tenant) + f"{dataset.slug}/versions/{recent.pk}/")
    assert 'http-equiv="refresh"' in page.content.decode()  # still progressing: left alone
    recent.refresh_from_db()
    assert recent.status == VersionStatus.LOADING
    ResourceVersion.objects.filter(pk=recent.pk).update(
        updated_at=timezone.now() - timedelta(minutes=31)
    )
    page = agent_client.get(_staff(tenant) + f"{dataset.slug}/versions/{recent.pk}/")
    body = page.content.decode()
    assert "Chargement interrompu" in body and 'http-equiv="refresh"' not in body
    recent.refresh_from_db()
    assert recent.status == VersionStatus.FAILED
    resource.refresh_from_db()
    assert resource.current_id == previous.pk
    rows_url = f"/api/v1/datasets/{dataset.slug}/resources/{resource.pk}/rows?tenant={tenant.slug}"
    assert [r["nom"] for r in client.get(rows_url).json()["data"]] == ["Dunes", "Jean-Bart"]
    assert AuditEntry.objects.filter(action="opendata.version_stale", object_id=recent.pk).exists()
    # The dataset page does the same for every resource.
    other = _stuck_version(resource, minutes=45)
    agent_client.get(_staff(tenant) + f"{dataset.slug}/")
    other.refresh_from_db()
    assert other.status == VersionStatus.FAILED


def test_refresh_command_fails_stale_loads_of_every_tenant(
    tenant: Any, other_tenant: Any, settings: Any
) -> None:
    settings.OPENDATA_STALE_LOAD_MINUTES = 10
    _dataset, resource, previous = publish_csv(other_tenant, CSV, title="Piscines")
    stuck = _stuck_version(resource, minutes=11)
    fresh = _stuck_version(resource, minutes=2)
    call_command("opendata", "refresh", "--source", "procedures.statistics")
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == VersionStatus.FAILED and fresh.status == VersionStatus.LOADING
    assert "Chargement interrompu" in stuck.errors[0]["message"]
    resource.refresh_from_db()
    assert resource.current_id == previous.pk and table_exists(previous)


@pytest.mark.parametrize("publish", [True, False])
def test_a_load_declared_stale_does_not_publish_afterwards(
    tenant: Any, monkeypatch: Any, publish: bool
) -> None:
    _dataset, resource, previous = publish_csv(tenant, CSV, title="Piscines")
    version = services.version_upload(
        resource=resource,
        actor="t",
        chunks=[b"nom\nX\n"],
        filename="b.csv",
        fmt="csv",
        run=False,
        publish=publish,  # False: a "check only" run would end "checked"
    )
    real_set = services._set

    # The process was only slow: a refresh declares it stale while it is still running.
    def declared_stale_meanwhile(v: ResourceVersion, **fields: Any) -> None:
        real_set(v, **fields)
        if fields.get("status") == VersionStatus.LOADING:
            ResourceVersion.objects.filter(pk=v.pk).update(
                updated_at=timezone.now() - timedelta(hours=1)
            )
            assert services.versions_fail_stale(tenant=tenant)

    monkeypatch.setattr(services, "_set", declared_stale_meanwhile)
    services.version_load(version.pk)
    resource.refresh_from_db()
    version.refresh_from_db()
    assert resource.current_id == previous.pk and version.status == VersionStatus.FAILED
    assert not table_exists(version) and table_exists(previous)
