"""Back office: datasets, uploads with progress and gate report, sources, access, audit."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from territoire.core.events import DatasetSourceChanged, publish
from territoire.core.models import AuditEntry
from territoire.opendata.models import Dataset, ResourceVersion, VersionStatus
from territoire.opendata.tests.conftest import make_dataset


def _base(tenant: Any) -> str:
    return f"/{tenant.slug}/gestion/donnees/"


def test_agent_creates_dataset_uploads_and_publishes(
    agent_client: Any, tenant: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = agent_client.post(
        _base(tenant) + "nouveau/",
        {
            "title": "Fréquentation des piscines",
            "description": "Entrées",
            "licence": "etalab-2.0",
            "themes": ["EDUC"],
            "keywords_text": "piscines, sport",
            "frequency": "MONTHLY",
            "published": "on",
        },
    )
    dataset = Dataset.objects.for_tenant(tenant).get()
    assert response.status_code == 302 and dataset.keywords == ["piscines", "sport"]
    content = b"piscine;entrees\nDunes;412\nJean-Bart;268\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            _base(tenant) + f"{dataset.slug}/depot/",
            {
                "title": "Entrées 2025",
                "file": SimpleUploadedFile("entrees.csv", content),
                "mode": "publish",
            },
        )
    version = ResourceVersion.objects.for_tenant(tenant).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/versions/{version.pk}/")
    assert version.status == VersionStatus.READY  # inline task backend
    page = agent_client.get(response["Location"]).content.decode()
    assert "Publiée" in page and version.checksum in page
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing
    public = client.get(f"/{tenant.slug}/donnees/{dataset.slug}/").content.decode()
    assert "Entrées 2025" in public
    actions = set(AuditEntry.objects.filter(tenant=tenant).values_list("action", flat=True))
    assert {
        "opendata.dataset_create",
        "opendata.version_upload",
        "opendata.version_publish",
    } <= actions


def test_progress_page_refreshes_while_loading(agent_client: Any, tenant: Any) -> None:
    dataset = make_dataset(tenant, "Gros fichier")
    from territoire.opendata import services

    resource = services.resource_create(dataset=dataset, actor="t", title="r")
    version = services.version_upload(
        resource=resource, actor="t", chunks=[b"a\n1\n"], filename="a.csv", fmt="csv", run=False
    )
    ResourceVersion.objects.filter(pk=version.pk).update(
        status="loading", progress=42, row_count=420000
    )
    page = agent_client.get(
        _base(tenant) + f"{dataset.slug}/versions/{version.pk}/"
    ).content.decode()
    assert 'http-equiv="refresh"' in page
    assert '<progress id="od-progress" class="progress" max="100" value="42">' in page


def test_check_only_upload_shows_the_gate_report(
    agent_client: Any, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dataset = make_dataset(tenant, "Inscriptions")
    content = "nom;email\n" + "".join(f"P{i};p{i}@example.org\n" for i in range(8))
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            _base(tenant) + f"{dataset.slug}/depot/",
            {
                "title": "Inscrits",
                "file": SimpleUploadedFile("i.csv", content.encode()),
                "mode": "check",
            },
        )
    response = agent_client.get(response["Location"])
    body = response.content.decode()
    assert "Bloquée par le contrôle de confidentialité" in body
    assert "« email » contient des adresses électroniques" in body
    assert "lignes 2, 3, 4" in body
    resource = dataset.resources.get()
    assert resource.current is None
    # The agent declares the column and checks again: it passes, still unpublished.
    agent_client.post(
        _base(tenant) + f"{dataset.slug}/ressources/{resource.pk}/declarer/",
        {
            f"r{resource.pk}-pseudonymise_columns": "email",
            f"r{resource.pk}-personal_columns": "nom",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            _base(tenant) + f"{dataset.slug}/depot/",
            {
                "resource": resource.pk,
                "file": SimpleUploadedFile("i.csv", content.encode()),
                "mode": "check",
            },
        )
    response = agent_client.get(response["Location"])
    assert "Vérifiée (non publiée)" in response.content.decode()
    resource.refresh_from_db()
    assert resource.current is None


def test_upload_errors_are_messages_not_500(agent_client: Any, tenant: Any) -> None:
    dataset = make_dataset(tenant, "Erreurs")
    response = agent_client.post(
        _base(tenant) + f"{dataset.slug}/depot/",
        {"title": "x", "file": SimpleUploadedFile("x.exe", b"MZ"), "mode": "publish"},
        follow=True,
    )
    assert response.status_code == 200
    assert "non prise en charge" in response.content.decode()
    assert not ResourceVersion.objects.exists()


def test_publish_a_platform_source_from_the_back_office(agent_client: Any, tenant: Any) -> None:
    response = agent_client.post(
        _base(tenant) + "sources/publier/", {"source": "procedures.statistics"}
    )
    assert response.status_code == 302
    dataset = Dataset.objects.for_tenant(tenant).get(source_code="procedures.statistics")
    assert dataset.published
    bad = agent_client.post(_base(tenant) + "sources/publier/", {"source": "nope"}, follow=True)
    assert "Source inconnue" in bad.content.decode()


def test_access_is_limited_to_staff_of_the_tenant(
    resident_client: Any, agent_client: Any, tenant: Any, other_tenant: Any, client: Any
) -> None:
    dataset = make_dataset(other_tenant, "Voisin", published=False)
    assert resident_client.get(_base(tenant)).status_code in (302, 403)
    assert client.get(_base(tenant)).status_code == 302
    assert agent_client.get(_base(tenant)).status_code == 200
    assert "Voisin" not in agent_client.get(_base(tenant)).content.decode()
    assert agent_client.get(_base(tenant) + f"{dataset.slug}/").status_code == 404
    assert agent_client.get(_base(other_tenant)).status_code in (302, 403)


def test_refresh_command_and_source_event(
    tenant: Any, other_tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    call_command(
        "opendata", "refresh", "--tenant", tenant.slug, "--source", "procedures.statistics"
    )
    dataset = Dataset.objects.for_tenant(tenant).get(source_code="procedures.statistics")
    assert dataset.resources.get().versions.count() == 1
    assert not Dataset.objects.for_tenant(other_tenant).exists()
    with django_capture_on_commit_callbacks(execute=True):
        publish(DatasetSourceChanged(tenant_id=tenant.pk, source_code="procedures.statistics"))
    assert dataset.resources.get().versions.count() == 2


def test_catalogue_and_staff_list_queries_do_not_grow_with_datasets(
    client: Any, agent_client: Any, tenant: Any, django_assert_max_num_queries: Any
) -> None:
    from territoire.opendata.tests.conftest import publish_csv

    for i in range(3):
        publish_csv(tenant, "a;b\n1;2\n", title=f"Jeu {i}")
    with django_assert_max_num_queries(12):
        assert client.get(f"/{tenant.slug}/donnees/").status_code == 200
    with django_assert_max_num_queries(20):
        assert agent_client.get(_base(tenant)).status_code == 200
    for i in range(3, 9):
        publish_csv(tenant, "a;b\n1;2\n", title=f"Jeu {i}")
    with django_assert_max_num_queries(12):
        body = client.get(f"/{tenant.slug}/donnees/").content.decode()
    assert "9 jeux de données" in body
    with django_assert_max_num_queries(20):
        assert agent_client.get(_base(tenant)).status_code == 200


def test_refresh_command_refuses_unknown_tenant_or_source(tenant: Any) -> None:
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Collectivité inconnue"):
        call_command("opendata", "refresh", "--tenant", "nulle-part")
    with pytest.raises(CommandError, match="Source inconnue"):
        call_command("opendata", "refresh", "--source", "nope.nope")
    assert not Dataset.objects.exists()


def test_publication_is_audited_with_the_agent(agent: Any, agent_client: Any, tenant: Any) -> None:
    agent_client.post(_base(tenant) + "sources/publier/", {"source": "procedures.statistics"})
    entry = AuditEntry.objects.filter(tenant=tenant, action="opendata.version_publish").get()
    assert entry.actor_label == agent.email
