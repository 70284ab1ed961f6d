"""Public and staff pages, and tenant isolation of pages and exports."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from territoire.core.models import Notification
from territoire.core.tests.factories import DistrictFactory, ServiceFactory, member
from territoire.reports import services
from territoire.reports.models import Follower, Report, Status
from territoire.reports.tests.conftest import INSIDE, OUTSIDE, image_bytes, submit

pytestmark = pytest.mark.django_db


def url(tenant: Any, path: str = "") -> str:
    return f"/{tenant.slug}/signalements/{path}"


def staff_url(tenant: Any, path: str = "") -> str:
    return f"/{tenant.slug}/gestion/signalements/{path}"


def test_public_list_filters_and_map(client: Client, tenant: Any, pothole: Any, bins: Any) -> None:
    a = submit(tenant, pothole, description="Trou A")
    b = submit(tenant, bins, attributes={"volume": "petit"}, description="Sacs B")
    services.report_close(actor="t", report=b, resolution="fixed")
    hidden = submit(tenant, pothole, internal=True, description="Interne C")
    r = client.get(url(tenant))
    assert r.status_code == 200
    body = r.content.decode()
    assert f'href="/{tenant.slug}/signalements/{a.pk}/"' in body
    assert "reports-geojson" in body and str(INSIDE[0]) in body
    assert f"/{hidden.pk}/" not in body
    only_open = client.get(url(tenant) + "?statut=ouverts").content.decode()
    assert f"signalements/{a.pk}/" in only_open and f"signalements/{b.pk}/" not in only_open
    by_cat = client.get(url(tenant) + "?categorie=depots-sauvages").content.decode()
    assert f"signalements/{b.pk}/" in by_cat and f"signalements/{a.pk}/" not in by_cat
    today = timezone.localdate().isoformat()
    assert (
        f"signalements/{a.pk}/"
        in client.get(url(tenant) + f"?du={today}&au={today}").content.decode()
    )
    assert client.get(url(tenant) + "?du=pas-une-date&quartier=x").status_code == 200


def test_anonymous_report_with_photo_then_confirmation(
    client: Client, tenant: Any, pothole: Any, django_capture_on_commit_callbacks: Any
) -> None:
    step1 = client.get(url(tenant, "nouveau/"))
    assert step1.status_code == 200 and b"Continuer" in step1.content
    query = f"?categorie=voirie&adresse=Rue+Haute&lon={INSIDE[0]}&lat={INSIDE[1]}"
    step2 = client.get(url(tenant, "nouveau/") + query)
    assert b"Envoyer le signalement" in step2.content
    photo = SimpleUploadedFile("x.jpg", image_bytes(exif=True), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url(tenant, "nouveau/") + query,
            {
                "categorie": "voirie",
                "adresse": "Rue Haute",
                "lon": INSIDE[0],
                "lat": INSIDE[1],
                "description": "Un grand trou",
                "email": "anon@example.org",
                "photo1": photo,
            },
        )
    assert r.status_code == 200 and b"Confirmez" in r.content
    report = Report.objects.get()
    assert report.status == Status.UNCONFIRMED and report.photos.count() == 1
    assert client.get(url(tenant, f"{report.pk}/")).status_code == 404
    from django.core import mail

    link = next(line for line in mail.outbox[-1].body.splitlines() if "/confirmer/" in line)
    path = link[link.index(f"/{tenant.slug}/") :]
    assert client.get(path).status_code == 200
    r = client.post(path)
    assert r.status_code == 302
    assert client.get(url(tenant, f"{report.pk}/")).status_code == 200
    assert b"anon@example.org" not in client.get(url(tenant, f"{report.pk}/")).content


def test_bad_inputs_give_french_messages_and_save_nothing(
    client: Client, tenant: Any, pothole: Any
) -> None:
    base = {"categorie": "voirie", "adresse": "", "description": "Un trou", "email": "a@b.fr"}
    cases = [
        ({**base, "lon": OUTSIDE[0], "lat": OUTSIDE[1]}, "en dehors du territoire"),
        ({**base, "adresse": "ici", "description": "x" * 4001}, "4000"),
        (
            {**base, "adresse": "ici", "photo1": SimpleUploadedFile("a.jpg", b"%PDF-1.4 fake")},
            "image",
        ),
        ({**base}, "Indiquez"),
    ]
    for data, expected in cases:
        r = client.post(url(tenant, "nouveau/"), data)
        assert r.status_code == 200
        assert expected in r.content.decode(), expected
    assert Report.objects.count() == 0


def test_similar_reports_offered_and_follow_instead(
    client: Client, tenant: Any, pothole: Any, resident: Any, resident_client: Client
) -> None:
    existing = submit(tenant, pothole)
    query = f"?categorie=voirie&lon={INSIDE[0] + 0.0003}&lat={INSIDE[1]}"
    r = resident_client.get(url(tenant, "nouveau/") + query)
    assert f"Suivre le n° {existing.pk} plutôt" in r.content.decode()
    far = f"?categorie=voirie&lon={INSIDE[0] + 0.01}&lat={INSIDE[1]}"
    assert "plutôt" not in resident_client.get(url(tenant, "nouveau/") + far).content.decode()
    r = resident_client.post(url(tenant, f"{existing.pk}/suivre/"))
    assert r.status_code == 302
    assert Follower.objects.filter(report=existing, user=resident).exists()


def test_logged_in_report_follow_reopen(
    resident_client: Client, resident: Any, tenant: Any, pothole: Any
) -> None:
    query = "?categorie=voirie&adresse=Place+du+March%C3%A9"
    r = resident_client.post(
        url(tenant, "nouveau/") + query,
        {"categorie": "voirie", "adresse": "Place du Marché", "description": "Pavés descellés"},
    )
    report = Report.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/{report.pk}/")
    assert report.status == Status.NEW and report.reporter == resident
    services.report_close(actor="t", report=report, resolution="fixed")
    page = resident_client.get(url(tenant, f"{report.pk}/")).content.decode()
    assert "Rouvrir le signalement" in page
    resident_client.post(url(tenant, f"{report.pk}/rouvrir/"), {"text": "Toujours là"})
    report.refresh_from_db()
    assert report.status == Status.NEW
    assert Notification.objects.filter(user=resident).exists()


def test_stats_pages(client: Client, tenant: Any, pothole: Any, agent_client: Client) -> None:
    report = submit(tenant, pothole)
    submit(tenant, pothole)
    services.report_close(actor="t", report=report, resolution="fixed")
    r = client.get(url(tenant, "statistiques/"))
    assert r.status_code == 200 and "heat-geojson" in r.content.decode()
    assert agent_client.get(staff_url(tenant, "statistiques/")).status_code == 200


def test_staff_pages_require_staff(client: Client, resident_client: Client, tenant: Any) -> None:
    assert client.get(staff_url(tenant)).status_code == 302
    assert resident_client.get(staff_url(tenant)).status_code == 403


def test_inbox_actions_merge_assign_close(
    agent_client: Client, tenant: Any, pothole: Any, resident: Any, team: Any
) -> None:
    keep = submit(tenant, pothole)
    dup = submit(tenant, pothole, reporter=resident, source="web")
    inbox = agent_client.get(staff_url(tenant) + "?etat=open")
    assert inbox.status_code == 200 and f"/{dup.pk}/" in inbox.content.decode()
    assert agent_client.get(staff_url(tenant, f"{dup.pk}/")).status_code == 200
    agent_client.post(staff_url(tenant, f"{dup.pk}/merge/"), {"into": keep.pk})
    agent_client.post(staff_url(tenant, f"{keep.pk}/assign/"), {"service": team.pk})
    day = timezone.localdate().isoformat()
    agent_client.post(staff_url(tenant, f"{keep.pk}/plan/"), {"day": day})
    agent_client.post(staff_url(tenant, f"{keep.pk}/note/"), {"text": "Apporter du bitume"})
    round_page = agent_client.get(staff_url(tenant, "tournee/") + f"?equipe={team.pk}&jour={day}")
    assert f"/{keep.pk}/" in round_page.content.decode()
    csv = agent_client.get(
        staff_url(tenant, "tournee/") + f"?equipe={team.pk}&jour={day}&format=csv"
    )
    assert csv["Content-Type"].startswith("text/csv") and str(keep.pk) in csv.content.decode()
    agent_client.post(
        staff_url(tenant, f"{keep.pk}/close/"), {"resolution": "fixed", "text": "Fait"}
    )
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert dup.status == Status.DUPLICATE and keep.status == Status.FIXED
    assert Follower.objects.filter(report=keep, user=resident).exists()
    subjects = list(Notification.objects.filter(user=resident).values_list("subject", flat=True))
    assert any("Résolu" in s for s in subjects)
    # The internal note never reaches the public page.
    assert "bitume" not in agent_client.get(url(tenant, f"{keep.pk}/")).content.decode()
    closed = agent_client.get(staff_url(tenant) + "?etat=closed").content.decode()
    assert f"/{keep.pk}/" in closed


def test_invalid_action_shows_message(agent_client: Client, tenant: Any, pothole: Any) -> None:
    report = submit(tenant, pothole)
    r = agent_client.post(staff_url(tenant, f"{report.pk}/reject/"), {"text": ""}, follow=True)
    assert "Expliquez" in r.content.decode()
    report.refresh_from_db()
    assert report.status == Status.NEW
    assert agent_client.post(staff_url(tenant, f"{report.pk}/explode/")).status_code == 404


def test_categories_admin(admin_client_tenant: Client, tenant: Any, team: Any) -> None:
    r = admin_client_tenant.post(
        staff_url(tenant, "categories/nouvelle/"),
        {"service_code": "eclairage", "name": "Éclairage public", "service": team.pk,
         "is_active": "on", "order": 1,
         "attributes_json": '[{"code": "numero", "description": "Numéro du candélabre"}]'},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    bad = admin_client_tenant.post(
        staff_url(tenant, "categories/nouvelle/"),
        {"service_code": "x", "name": "X", "order": 1, "attributes_json": "[{"},
    )
    assert "JSON invalide" in bad.content.decode()
    listing = admin_client_tenant.get(staff_url(tenant, "categories/")).content.decode()
    assert "Éclairage public" in listing


def test_tenant_isolation_pages_exports_photos(
    client: Client, tenant: Any, other_tenant: Any, pothole: Any
) -> None:
    DistrictFactory(tenant=other_tenant, slug="ailleurs")
    theirs_cat = services.category_save(
        actor="t", tenant=other_tenant, service_code="voirie", name="Voirie B"
    )
    mine = submit(tenant, pothole, description="Chez nous")
    theirs = submit(other_tenant, theirs_cat, description="Chez eux", photos=[image_bytes()])
    theirs_photo = theirs.photos.get()
    agent = member(tenant, "agent")
    staff = Client()
    staff.force_login(agent)
    assert "Chez eux" not in client.get(url(tenant)).content.decode()
    assert client.get(url(tenant, f"{theirs.pk}/")).status_code == 404
    assert client.get(url(tenant, f"photos/{theirs_photo.pk}.jpg")).status_code == 404
    assert client.get(url(other_tenant, f"photos/{theirs_photo.pk}.jpg")).status_code == 200
    assert staff.get(staff_url(tenant, f"{theirs.pk}/")).status_code == 404
    r = staff.post(staff_url(tenant, f"{theirs.pk}/close/"), {"resolution": "fixed"})
    assert r.status_code == 404
    export = b"".join(staff.get(staff_url(tenant) + "?format=csv").streaming_content).decode()
    assert str(mine.pk) in export and "Chez eux" not in export
    inbox = staff.get(staff_url(tenant)).content.decode()
    assert "Chez eux" not in inbox
    # Merging into another tenant's report is impossible.
    staff.post(staff_url(tenant, f"{mine.pk}/merge/"), {"into": theirs.pk})
    mine.refresh_from_db()
    assert mine.status == Status.NEW
    assert "Voirie B" not in client.get(url(tenant, "statistiques/")).content.decode()
    ServiceFactory(tenant=other_tenant, name="Équipe B")
    assert "Équipe B" not in staff.get(staff_url(tenant, "tournee/")).content.decode()


def test_category_questions_on_the_web_form(
    resident_client: Client, tenant: Any, bins: Any
) -> None:
    query = "?categorie=depots-sauvages&adresse=Parking"
    page = resident_client.get(url(tenant, "nouveau/") + query).content.decode()
    assert "Volume approximatif" in page and 'name="attr_volume"' in page
    data = {"categorie": "depots-sauvages", "adresse": "Parking", "description": "Sacs"}
    r = resident_client.post(url(tenant, "nouveau/") + query, data)
    assert r.status_code == 200 and Report.objects.count() == 0  # required question missing
    r = resident_client.post(url(tenant, "nouveau/") + query, {**data, "attr_volume": "grand"})
    assert r.status_code == 302
    assert Report.objects.get().attributes == {"volume": "grand"}


def test_web_form_flood_is_limited(client: Client, tenant: Any, pothole: Any) -> None:
    data = {"categorie": "voirie", "adresse": "ici", "description": "Trou", "email": "a@b.fr"}
    codes = [client.post(url(tenant, "nouveau/"), data).status_code for _ in range(11)]
    assert codes == [200] * 11
    assert Report.objects.count() == 10
    last = client.post(url(tenant, "nouveau/"), data).content.decode()
    assert "Trop de signalements" in last
