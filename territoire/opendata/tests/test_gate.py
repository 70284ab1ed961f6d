"""The privacy gate: personal data never published, k-anonymity, small counts."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from territoire.core.datasources import Column, DataSource, register_source
from territoire.opendata import services
from territoire.opendata.models import VersionStatus
from territoire.opendata.tests.conftest import make_dataset, publish_csv, table_exists, upload

QUARTIERS = ["Port", "Plage", "Centre", "Les Hauts"]


def _api(client: Any, tenant: Any, dataset: Any, resource: Any, query: str = "") -> Any:
    return client.get(
        f"/api/v1/datasets/{dataset.slug}/resources/{resource.pk}/rows?tenant={tenant.slug}{query}"
    )


def test_file_with_email_addresses_is_blocked_and_nothing_published(
    tenant: Any, client: Any
) -> None:
    rows = "".join(f"{i};{QUARTIERS[i % 4]};Merci pour le banc\n" for i in range(30))
    rows += "31;Port;écrire à jeanne.martin@example.org\n"
    rows += "32;Centre;contact : paul@exemple.fr\n"
    dataset, resource, version = publish_csv(tenant, "id;quartier;commentaire\n" + rows)
    assert version.status == VersionStatus.BLOCKED
    problem = version.gate_report["problems"][0]
    assert problem["code"] == "personal_data"
    assert problem["column"] == "commentaire"
    assert problem["rows"] == [32, 33]
    assert "adresses électroniques" in problem["message"]
    assert resource.current is None
    assert _api(client, tenant, dataset, resource).status_code == 404
    assert version.storage == ""
    assert not table_exists(version)


def test_declared_personal_columns_are_dropped_or_pseudonymised(tenant: Any, client: Any) -> None:
    header = "email;nom;quartier;montant\n"
    rows = "".join(f"user{i % 7}@example.org;Nom {i};{QUARTIERS[i % 4]};{i}\n" for i in range(40))
    dataset, resource, version = publish_csv(
        tenant,
        header + rows,
        personal_columns=["nom"],
        pseudonymise_columns=["email"],
    )
    assert version.status == VersionStatus.READY, version.gate_report
    assert version.gate_report["dropped_columns"] == ["nom"]
    data = _api(client, tenant, dataset, resource, "&page_size=100").json()
    assert [c["name"] for c in data["columns"]] == ["email", "quartier", "montant"]
    expected = hmac.new(b"test-key", b"user0@example.org", hashlib.sha256).hexdigest()[:20]
    assert data["data"][0]["email"] == expected
    assert data["data"][7]["email"] == expected  # same person, same code
    body = _api(client, tenant, dataset, resource, "&format=csv&page_size=100").content.decode()
    assert "@" not in body and "Nom 1" not in body


def test_quasi_identifiers_that_single_people_out_block_the_file(tenant: Any) -> None:
    header = "annee_naissance;quartier;sexe;aide\n"
    rows = "".join(f"1980;{QUARTIERS[i % 2]};F;oui\n" for i in range(20))
    rows += "1931;Les Hauts;M;oui\n"  # the only man born in 1931 in Les Hauts
    _dataset, resource, version = publish_csv(
        tenant, header + rows, quasi_identifiers=["annee_naissance", "quartier", "sexe"]
    )
    assert version.status == VersionStatus.BLOCKED
    problem = next(p for p in version.gate_report["problems"] if p["code"] == "k_anonymity")
    assert problem["rows"] == [22]
    assert "1931 / Les Hauts / M (1)" in problem["message"]
    assert resource.current is None


def test_k_anonymous_file_passes_and_small_counts_are_suppressed(tenant: Any, client: Any) -> None:
    header = "quartier;tranche_age;participants\n"
    rows = "".join(f"{q};{a};{n}\n" for q in QUARTIERS for a, n in (("18-30", 42), ("31-60", 7)))
    dataset, resource, version = publish_csv(tenant, header + rows, count_columns=["participants"])
    assert version.status == VersionStatus.READY
    assert version.gate_report["suppressed_cells"] == 4
    data = _api(client, tenant, dataset, resource, "&tranche_age=31-60").json()["data"]
    assert {r["participants"] for r in data} == {None}


def test_agent_can_run_the_gate_without_publishing(tenant: Any, client: Any) -> None:
    dataset = make_dataset(tenant, "Essai")
    resource = services.resource_create(dataset=dataset, actor="test", title="Essai")
    content = "id;tel\n" + "".join(f"{i};06 12 34 56 {i:02d}\n" for i in range(12))
    checked = upload(resource, content.encode(), publish=False)
    assert checked.status == VersionStatus.BLOCKED
    assert "téléphone" in checked.gate_report["problems"][0]["message"]
    clean = upload(resource, b"id;valeur\n1;2\n3;4\n", publish=False)
    assert clean.status == VersionStatus.CHECKED
    resource.refresh_from_db()
    assert resource.current is None
    assert _api(client, tenant, dataset, resource).status_code == 404


def _source_rows(tenant: Any) -> Any:
    for i in range(60):
        yield {
            "id": i,
            "quartier": QUARTIERS[i % 4],
            "date": f"2025-0{1 + i % 3}-{1 + i % 27:02d}T10:{i % 60:02d}:00",
            "adresse": f"{i} rue des Lilas",
            "auteur": f"personne{i}@example.org",
        }


def test_platform_source_goes_through_the_gate(tenant: Any, client: Any) -> None:
    register_source(
        DataSource(
            code="test.requests",
            module="test",
            title="Demandes de test",
            description="Demandes",
            columns=(
                Column(name="id", title="Id", type="integer"),
                Column(name="quartier", title="Quartier", quasi_identifier=True),
                Column(name="date", title="Date", type="datetime", quasi_identifier=True),
                Column(name="adresse", title="Adresse", quasi_identifier=True),
                Column(name="auteur", title="Auteur", personal=True),
            ),
            rows=_source_rows,
        )
    )
    version = services.source_publish(tenant=tenant, code="test.requests")
    assert version.status == VersionStatus.READY, version.gate_report
    names = [c["name"] for c in version.columns]
    assert "auteur" not in names  # personal: dropped
    assert "adresse" not in names  # too precise to be k-anonymous: dropped
    notes = " ".join(version.gate_report["notes"])
    assert "mois" in notes and "adresse" in notes
    dataset = version.resource.dataset
    data = _api(client, tenant, dataset, version.resource, "&page_size=100").json()["data"]
    assert {r["date"] for r in data} == {"2025-01", "2025-02", "2025-03"}
    # Republishing makes a new version and supersedes the previous one.
    again = services.source_publish(tenant=tenant, code="test.requests")
    assert again.number == version.number + 1
    version.refresh_from_db()
    assert version.status == VersionStatus.SUPERSEDED
