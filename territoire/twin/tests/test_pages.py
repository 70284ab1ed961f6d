"""Pages, permissions, tenancy and background runs of the twin module."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from territoire.core.models import AuditEntry
from territoire.twin.demo.energy import seed_heating, seed_lighting, seed_pools
from territoire.twin.demo.waste import seed_waste
from territoire.twin.demo.water import net3_text, seed_water
from territoire.twin.models import (
    Dma,
    Gain,
    Leak,
    LeakStatus,
    RunKind,
    RunStatus,
    TwinRun,
    WaterNetwork,
)
from territoire.twin.services import run_request


def staff_url(tenant: Any, name: str, **kw: Any) -> str:
    return reverse(f"twin_staff:{name}", kwargs={"tenant": tenant.slug, **kw})


def make_leak(tenant: Any) -> Leak:
    network = WaterNetwork.objects.create(
        tenant=tenant,
        name="Réseau",
        slug="reseau",
        inp_text="x",
        centre_lon=-1.15,
        centre_lat=46.15,
    )
    dma = Dma.objects.create(
        tenant=tenant, network=network, code="dma-a", name="Secteur A", legitimate_night_m3h=10
    )
    return Leak.objects.create(
        tenant=tenant,
        dma=dma,
        first_night=date(2026, 11, 1),
        night_flow_m3h=20,
        excess_m3h=10,
        volume_m3_day=200,
        cost_eur_day=240,
    )


def test_every_twin_runs_and_its_page_shows_the_result(
    ts: Any,
    tenant: Any,
    valmont_districts: Any,
    agent: Any,
    agent_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    now = timezone.now()
    rng = random.Random(11)
    scenario = seed_water(tenant=tenant, now=now, rng=rng, days=14)
    seed_waste(tenant=tenant, now=now, rng=rng)
    seed_lighting(tenant=tenant, now=now, rng=rng)
    seed_heating(tenant=tenant, now=now, rng=rng)
    seed_pools(tenant=tenant, now=now, rng=rng)
    for kind in RunKind.values:
        with django_capture_on_commit_callbacks(execute=True):
            response = agent_client.post(staff_url(tenant, "run_start", kind=kind), {})
        run = TwinRun.objects.for_tenant(tenant).get(kind=kind)
        assert response.status_code == 302
        assert response["Location"] == staff_url(tenant, "run", pk=run.pk)
        assert run.status == RunStatus.DONE, run.error
        assert run.progress == 100
        assert run.requested_by == agent
    assert Gain.objects.for_tenant(tenant).count() == 5

    pages = {
        "index": "Jumeaux numériques",
        "water": "Secteur Plage",
        "waste": "Tournées fixes",
        "lighting": "Quai Jean-Bart",
        "heating": "École Jules-Ferry",
        "pools": "Piscine des Dunes",
        "runs": "Exporter en CSV",
    }
    for name, text in pages.items():
        response = agent_client.get(staff_url(tenant, name))
        assert response.status_code == 200, name
        assert text in response.content.decode(), name
    leak = Leak.objects.for_tenant(tenant).get()
    page = agent_client.get(staff_url(tenant, "leak", pk=leak.pk)).content.decode()
    assert f"<td>{scenario.leak_node}</td>" in page
    assert page.count('width="10" height="10"') == len(scenario.pressure_nodes)  # sensors drawn
    csv = agent_client.get(staff_url(tenant, "waste") + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert len(csv.content.decode().strip().splitlines()) == 61  # header + 60 containers

    public = Client().get(reverse("twin:gains", kwargs={"tenant": tenant.slug}))
    assert public.status_code == 200
    assert "Gazole économisé" in public.content.decode()
    api = Client().get(f"/api/v1/jumeaux/gains?tenant={tenant.slug}")
    assert api.status_code == 200
    assert api.json()["count"] == 5


def test_failed_run_explains_what_is_missing(
    ts: Any, tenant: Any, agent_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(staff_url(tenant, "run_start", kind="water"), {})
    run = TwinRun.objects.for_tenant(tenant).get()
    assert run.status == RunStatus.FAILED
    assert "Aucun réseau d'eau" in run.error
    page = agent_client.get(staff_url(tenant, "run", pk=run.pk))
    assert "Aucun réseau d" in page.content.decode()


def test_run_without_sensor_provider_fails_cleanly(
    tenant: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from territoire.core import timeseries

    previous = timeseries._provider
    timeseries._provider = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = run_request(actor=agent, tenant=tenant, kind="attendance")
    finally:
        timeseries._provider = previous
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "module Capteurs" in run.error


def test_bad_run_parameters_do_not_start_a_run(ts: Any, tenant: Any, agent_client: Client) -> None:
    response = agent_client.post(staff_url(tenant, "run_start", kind="waste"), {"threshold": "5"})
    assert response.status_code == 302
    assert not TwinRun.objects.exists()
    assert agent_client.post(staff_url(tenant, "run_start", kind="nope"), {}).status_code == 404
    assert agent_client.get(staff_url(tenant, "run_start", kind="waste")).status_code == 405


def test_leak_state_machine_over_the_page(tenant: Any, agent_client: Client) -> None:
    leak = make_leak(tenant)
    url = staff_url(tenant, "leak", pk=leak.pk)
    response = agent_client.post(url, {"to": "dismissed", "reason": ""})
    assert response.status_code == 400
    assert "Indiquez pourquoi" in response.content.decode()
    assert (
        agent_client.post(url, {"to": "confirmed", "reason": "bruit au corrélateur"}).status_code
        == 302
    )
    leak.refresh_from_db()
    assert leak.status == LeakStatus.CONFIRMED
    assert leak.status_reason == "bruit au corrélateur"
    assert agent_client.post(url, {"to": "repaired"}).status_code == 302
    leak.refresh_from_db()
    assert leak.status == LeakStatus.REPAIRED
    # A repaired leak cannot be re-opened; the form offers nothing and rejects a forged value.
    response = agent_client.post(url, {"to": "confirmed"})
    assert response.status_code == 400
    leak.refresh_from_db()
    assert leak.status == LeakStatus.REPAIRED
    assert AuditEntry.objects.filter(action="twin.leak_transition").count() == 2


def test_roles_and_tenancy(
    tenant: Any, other_tenant: Any, elected: Any, resident_client: Client, agent_client: Client
) -> None:
    ours = make_leak(tenant)
    theirs = make_leak(other_tenant)
    their_run = TwinRun.objects.create(tenant=other_tenant, kind="water")
    assert agent_client.get(staff_url(tenant, "leak", pk=theirs.pk)).status_code == 404
    assert (
        agent_client.post(staff_url(tenant, "leak", pk=theirs.pk), {"to": "confirmed"}).status_code
        == 404
    )
    assert agent_client.get(staff_url(tenant, "run", pk=their_run.pk)).status_code == 404
    water = agent_client.get(staff_url(tenant, "water")).content.decode()
    assert staff_url(tenant, "leak", pk=ours.pk) in water
    assert staff_url(tenant, "leak", pk=theirs.pk) not in water
    assert resident_client.get(staff_url(tenant, "water")).status_code == 403
    assert Client().get(staff_url(tenant, "water")).status_code == 302
    elected_client = Client()
    elected_client.force_login(elected)
    assert elected_client.get(staff_url(tenant, "leak", pk=ours.pk)).status_code == 200
    assert (
        elected_client.post(staff_url(tenant, "leak", pk=ours.pk), {"to": "confirmed"}).status_code
        == 403
    )
    assert elected_client.post(staff_url(tenant, "run_start", kind="water")).status_code == 403
    ours.refresh_from_db()
    assert ours.status == LeakStatus.DETECTED


def test_public_gains_and_api_are_per_tenant(tenant: Any, other_tenant: Any) -> None:
    now = timezone.now()
    Gain.objects.create(
        tenant=tenant,
        twin="lighting",
        label="Nos kWh",
        quantity=10,
        unit="kWh",
        eur_per_year=2,
        computed_at=now,
    )
    Gain.objects.create(
        tenant=other_tenant,
        twin="lighting",
        label="Leurs kWh",
        quantity=99,
        unit="kWh",
        eur_per_year=20,
        computed_at=now,
    )
    page = Client().get(reverse("twin:gains", kwargs={"tenant": tenant.slug})).content.decode()
    assert "Nos kWh" in page and "Leurs kWh" not in page
    data = Client().get(f"/api/v1/jumeaux/gains?tenant={other_tenant.slug}").json()
    assert [g["label"] for g in data["results"]] == ["Leurs kWh"]
    assert Client().get("/api/v1/jumeaux/gains").status_code == 400
    assert Client().get("/api/v1/jumeaux/gains?tenant=inconnue").status_code == 404


def test_network_import_page(tenant: Any, agent_client: Client) -> None:
    url = staff_url(tenant, "network_import")
    assert agent_client.get(url).status_code == 200
    fields = {"name": "Net3", "centre_lon": "-1.15", "centre_lat": "46.155", "extent_m": "3000"}
    bad = agent_client.post(
        url, {**fields, "inp_file": SimpleUploadedFile("a.inp", b"[JUNCTIONS]\n J1 abc\n")}
    )
    assert bad.status_code == 400
    assert "pas pu être lu" in bad.content.decode()
    binary = agent_client.post(
        url, {**fields, "inp_file": SimpleUploadedFile("a.inp", b"\x89PNG\x00\x00")}
    )
    assert binary.status_code == 400
    assert "binaire" in binary.content.decode()
    assert not WaterNetwork.objects.exists()
    good = agent_client.post(
        url, {**fields, "inp_file": SimpleUploadedFile("Net3.inp", net3_text().encode())}
    )
    assert good.status_code == 302
    network = WaterNetwork.objects.for_tenant(tenant).get()
    assert network.nodes.count() == 97
    assert network.source_name == "Net3.inp"
    assert AuditEntry.objects.filter(action="twin.network_import", tenant=tenant).exists()


def test_runs_list_filters_and_exports(
    tenant: Any, other_tenant: Any, agent_client: Client
) -> None:
    TwinRun.objects.create(tenant=tenant, kind="water", status="done")
    TwinRun.objects.create(tenant=tenant, kind="waste", status="failed", error="trop peu")
    TwinRun.objects.create(tenant=other_tenant, kind="heating", status="done")
    page = agent_client.get(staff_url(tenant, "runs") + "?status=failed").content.decode()
    assert "<td>échec</td>" in page and "<td>terminé</td>" not in page
    csv = b"".join(
        agent_client.get(staff_url(tenant, "runs") + "?format=csv").streaming_content
    ).decode()
    assert "Collecte des déchets" in csv and "Chauffage" not in csv


@pytest.mark.parametrize("name", ["index", "water", "waste", "lighting", "heating", "pools"])
def test_pages_render_with_no_data(tenant: Any, agent_client: Client, name: str) -> None:
    assert agent_client.get(staff_url(tenant, name)).status_code == 200


def test_leaks_api_needs_a_read_key_of_the_tenant(
    tenant: Any, other_tenant: Any, admin_user: Any
) -> None:
    from territoire.core.services import apikey_create

    ours = make_leak(tenant)
    ours.candidates = [{"node": "113", "rank": 1, "rmse_m": 0.01, "lon": -1.16, "lat": 46.15}]
    ours.save()
    make_leak(other_tenant)
    assert Client().get("/api/v1/jumeaux/fuites").status_code == 401
    narrow = apikey_create(
        actor=admin_user, tenant=tenant, name="capteurs", scopes=["sensors:write"]
    )
    denied = Client().get("/api/v1/jumeaux/fuites", HTTP_AUTHORIZATION=f"Bearer {narrow.secret}")
    assert denied.status_code == 403
    key = apikey_create(actor=admin_user, tenant=tenant, name="tableau", scopes=["read"])
    data = Client().get("/api/v1/jumeaux/fuites", HTTP_AUTHORIZATION=f"Bearer {key.secret}").json()
    assert data["count"] == 1
    assert data["results"][0]["id"] == ours.pk
    assert data["results"][0]["candidates"][0]["node"] == "113"
    filtered = Client().get(
        "/api/v1/jumeaux/fuites?status=repaired", HTTP_AUTHORIZATION=f"Bearer {key.secret}"
    )
    assert filtered.json()["count"] == 0


def test_progress_is_stored_on_the_run_row_while_it_works(
    tenant: Any, agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from territoire.twin import computations
    from territoire.twin.services import run_execute

    seen: list[tuple[str, int, str]] = []

    def fake(run: TwinRun, progress: Any) -> dict[str, Any]:
        progress(40, "à mi-chemin")
        row = TwinRun.objects.get(pk=run.pk)  # what the polling page reads meanwhile
        seen.append((row.status, row.progress, row.message))
        return {"ok": True}

    monkeypatch.setitem(computations.COMPUTATIONS, "heating", fake)
    run = run_request(actor=agent, tenant=tenant, kind="heating")
    run_execute(run.pk)
    assert seen == [(RunStatus.RUNNING, 40, "à mi-chemin")]
    run.refresh_from_db()
    assert (run.status, run.progress, run.result) == (RunStatus.DONE, 100, {"ok": True})
    run_execute(run.pk)  # a second delivery of the task does not run it again
    assert len(seen) == 1


def test_unexpected_error_is_not_shown_raw(
    tenant: Any, agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from territoire.twin import computations
    from territoire.twin.services import run_execute

    def broken(run: TwinRun, progress: Any) -> dict[str, Any]:
        raise ZeroDivisionError("secret internals")

    monkeypatch.setitem(computations.COMPUTATIONS, "heating", broken)
    run = run_request(actor=agent, tenant=tenant, kind="heating")
    run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "secret" not in run.error and "inattendue" in run.error
