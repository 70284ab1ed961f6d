"""Open311 GeoReport v2: every endpoint in both formats, and every error case."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from territoire.core.services import apikey_create
from territoire.core.tests.factories import DistrictFactory
from territoire.reports import services
from territoire.reports.models import Report, Status
from territoire.reports.tests.conftest import INSIDE, OUTSIDE, submit

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


def parse(response: Any, fmt: str) -> Any:
    assert response["Content-Type"].endswith("charset=utf-8")
    if fmt == "json":
        return json.loads(response.content)
    return ET.fromstring(response.content)  # noqa: S314 - our own server's output


def errors(response: Any, fmt: str) -> list[tuple[str, str]]:
    data = parse(response, fmt)
    if fmt == "json":
        return [(str(e["code"]), e["description"]) for e in data]
    assert data.tag == "errors"
    return [(e.findtext("code") or "", e.findtext("description") or "") for e in data]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery(client: Client, tenant: Any, fmt: str) -> None:
    r = client.get(f"{BASE}/discovery.{fmt}")
    assert r.status_code == 200
    data = parse(r, fmt)
    if fmt == "json":
        endpoint = data["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"].endswith("/open311/v2/")
        assert set(endpoint["formats"]) == {"text/xml", "application/json"}
        assert {"changeset", "contact", "key_service"} <= set(data)
    else:
        assert data.tag == "discovery"
        assert (
            data.findtext("endpoints/endpoint/specification")
            == "http://wiki.open311.org/GeoReport_v2"
        )
        assert [f.text for f in data.findall("endpoints/endpoint/formats/format")] == [
            "text/xml",
            "application/json",
        ]


def test_unknown_format_is_404(client: Client, tenant: Any) -> None:
    assert client.get(f"{BASE}/services.html").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services(client: Client, tenant: Any, pothole: Any, bins: Any, fmt: str) -> None:
    r = client.get(f"{BASE}/services.{fmt}")
    assert r.status_code == 200
    data = parse(r, fmt)
    if fmt == "json":
        by_code = {s["service_code"]: s for s in data}
        assert by_code["voirie"] == {
            "service_code": "voirie",
            "service_name": "Voirie",
            "description": "Nids-de-poule, chaussée abîmée",
            "metadata": False,
            "type": "realtime",
            "keywords": "trou, chaussée",
            "group": "Espace public",
        }
        assert by_code["depots-sauvages"]["metadata"] is True
    else:
        codes = [s.findtext("service_code") for s in data.findall("service")]
        assert sorted(codes) == ["depots-sauvages", "voirie"]
        voirie = next(s for s in data if s.findtext("service_code") == "voirie")
        assert voirie.findtext("metadata") == "false"
        assert voirie.findtext("type") == "realtime"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition(client: Client, tenant: Any, bins: Any, fmt: str) -> None:
    r = client.get(f"{BASE}/services/depots-sauvages.{fmt}")
    assert r.status_code == 200
    data = parse(r, fmt)
    if fmt == "json":
        assert data["service_code"] == "depots-sauvages"
        first = data["attributes"][0]
        assert first["code"] == "volume"
        assert first["datatype"] == "singlevaluelist"
        assert first["required"] is True
        assert first["values"] == [
            {"key": "petit", "name": "Un sac"},
            {"key": "grand", "name": "Plus"},
        ]
        assert {"variable", "datatype_description", "order", "description"} <= set(first)
    else:
        assert data.tag == "service_definition"
        attr = data.find("attributes/attribute")
        assert attr is not None and attr.findtext("code") == "volume"
        assert attr.findtext("required") == "true"
        assert [v.findtext("key") for v in attr.findall("values/value")] == ["petit", "grand"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404(client: Client, tenant: Any, fmt: str) -> None:
    r = client.get(f"{BASE}/services/nope.{fmt}")
    assert r.status_code == 404
    assert errors(r, fmt)[0][0] == "404"


def post(client: Client, fmt: str = "json", **data: Any) -> Any:
    return client.post(f"{BASE}/requests.{fmt}", data)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_request(client: Client, tenant: Any, pothole: Any, api_key: str, fmt: str) -> None:
    r = post(
        client,
        fmt,
        api_key=api_key,
        service_code="voirie",
        lat=str(INSIDE[1]),
        long=str(INSIDE[0]),
        description="Nid-de-poule devant le 3",
        email="Alice@Example.org",
        first_name="Alice",
        last_name="Durand",
        phone="0600000000",
        device_id="abc",
        account_id="42",
    )
    assert r.status_code == 200, r.content
    data = parse(r, fmt)
    if fmt == "json":
        pk, token = data[0]["service_request_id"], data[0]["token"]
        assert "service_notice" in data[0] and "account_id" in data[0]
    else:
        pk = data.findtext("request/service_request_id")
        token = data.findtext("request/token")
    report = Report.objects.get(pk=int(pk))
    assert report.token == token
    assert report.status == Status.NEW
    assert report.tenant == tenant
    assert report.district is not None and report.district.slug == "centre"
    assert report.assigned_service is not None and report.assigned_service.slug == "voirie"
    assert report.reporter_email == "alice@example.org"
    stored = json.dumps({f.name: str(getattr(report, f.name)) for f in report._meta.fields})
    assert "Durand" not in stored and "0600000000" not in stored


def test_post_with_address_only_and_attributes(
    client: Client, tenant: Any, bins: Any, api_key: str
) -> None:
    r = post(
        client,
        api_key=api_key,
        service_code="depots-sauvages",
        address_string="Parking de la plage",
        **{"attribute[volume]": "grand", "attribute[remarque]": "des gravats"},
    )
    assert r.status_code == 200, r.content
    report = Report.objects.get(pk=int(r.json()[0]["service_request_id"]))
    assert report.attributes == {"volume": "grand", "remarque": "des gravats"}
    assert report.lat is None and report.address == "Parking de la plage"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("no_key", 403),
        ("bad_key", 403),
        ("no_scope", 403),
        ("foreign_jurisdiction", 403),
        ("unknown_code", 400),
        ("missing_code", 400),
        ("outside", 400),
        ("missing_attribute", 400),
        ("bad_attribute_value", 400),
        ("too_long", 400),
        ("no_location", 400),
        ("bad_lat", 400),
        ("half_point", 400),
        ("bad_email", 400),
        ("bad_media_url", 400),
        ("unknown_jurisdiction", 404),
    ],
)
def test_post_errors(
    client: Client,
    tenant: Any,
    other_tenant: Any,
    bins: Any,
    api_key: str,
    fmt: str,
    case: str,
    status: int,
) -> None:
    data: dict[str, Any] = {
        "api_key": api_key,
        "jurisdiction_id": tenant.slug,
        "service_code": "depots-sauvages",
        "lat": str(INSIDE[1]),
        "long": str(INSIDE[0]),
        "attribute[volume]": "petit",
        "description": "Des sacs",
    }
    if case == "no_key":
        del data["api_key"]
    elif case == "bad_key":
        data["api_key"] = "trt_00000000_nope"
    elif case == "no_scope":
        data["api_key"] = apikey_create(actor="t", tenant=tenant, name="r", scopes=["read"]).secret
    elif case == "foreign_jurisdiction":
        data["jurisdiction_id"] = other_tenant.slug
    elif case == "unknown_code":
        data["service_code"] = "inconnu"
    elif case == "missing_code":
        del data["service_code"]
    elif case == "outside":
        data["long"], data["lat"] = str(OUTSIDE[0]), str(OUTSIDE[1])
    elif case == "missing_attribute":
        del data["attribute[volume]"]
    elif case == "bad_attribute_value":
        data["attribute[volume]"] = "énorme"
    elif case == "too_long":
        data["description"] = "x" * 4001
    elif case == "no_location":
        del data["lat"], data["long"]
    elif case == "bad_lat":
        data["lat"] = "quarante-huit"
    elif case == "half_point":
        del data["long"]
    elif case == "bad_email":
        data["email"] = "pas-une-adresse"
    elif case == "bad_media_url":
        data["media_url"] = "javascript:alert(1)"
    elif case == "unknown_jurisdiction":
        data["jurisdiction_id"] = "nulle-part"
    r = post(client, fmt, **data)
    assert r.status_code == status, r.content
    found = errors(r, fmt)
    assert found and all(code == str(status) for code, _ in found)
    assert all(description for _, description in found)
    assert Report.objects.count() == 0  # nothing half-saved


def test_exactly_4000_characters_is_accepted(
    client: Client, tenant: Any, pothole: Any, api_key: str
) -> None:
    r = post(
        client, api_key=api_key, service_code="voirie", address_string="ici", description="é" * 4000
    )
    assert r.status_code == 200


def test_post_flood_is_rate_limited(
    client: Client, tenant: Any, pothole: Any, api_key: str, settings: Any
) -> None:
    settings.OPEN311_POST_RATE_KEY = "3/min"
    settings.OPEN311_POST_RATE_IP = "100/min"
    codes = [
        post(client, api_key=api_key, service_code="voirie", address_string="ici").status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    assert Report.objects.count() == 3
    settings.OPEN311_POST_RATE_IP = "1/min"
    other = apikey_create(actor="t", tenant=tenant, name="b", scopes=["open311"]).secret
    r = post(client, api_key=other, service_code="voirie", address_string="ici")
    assert r.status_code == 429  # same address: the per-IP budget is spent
    assert errors(r, "json")[0][0] == "429"


def test_get_flood_per_ip(client: Client, tenant: Any, settings: Any) -> None:
    settings.OPEN311_GET_RATE_IP = "2/min"
    codes = [client.get(f"{BASE}/requests.json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_token(client: Client, tenant: Any, pothole: Any, fmt: str) -> None:
    report = submit(tenant, pothole)
    r = client.get(f"{BASE}/tokens/{report.token}.{fmt}")
    assert r.status_code == 200
    data = parse(r, fmt)
    if fmt == "json":
        assert data == [{"service_request_id": str(report.pk), "token": report.token}]
    else:
        assert data.findtext("request/service_request_id") == str(report.pk)
        assert data.findtext("request/token") == report.token
    missing = client.get(f"{BASE}/tokens/nope.{fmt}")
    assert missing.status_code == 404
    assert errors(missing, fmt)[0][0] == "404"


def test_token_of_unconfirmed_report_has_no_id_yet(
    client: Client, tenant: Any, pothole: Any
) -> None:
    report = submit(tenant, pothole, source="web", email="a@example.org")
    assert report.status == Status.UNCONFIRMED
    data = client.get(f"{BASE}/tokens/{report.token}.json").json()
    assert data == [{"service_request_id": None, "token": report.token}]


REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
    "long", "media_url",
}  # fmt: skip


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_requests_fields_and_privacy(
    client: Client, tenant: Any, pothole: Any, fmt: str
) -> None:
    report = submit(tenant, pothole, email="secret.person@example.org", address="3 rue Haute")
    r = client.get(f"{BASE}/requests.{fmt}")
    assert r.status_code == 200
    assert b"secret.person" not in r.content
    data = parse(r, fmt)
    if fmt == "json":
        assert len(data) == 1
        row = data[0]
        assert set(row) == REQUEST_FIELDS
        assert row["service_request_id"] == str(report.pk)
        assert row["status"] == "open"
        assert row["agency_responsible"] == "Voirie"
        assert row["lat"] == INSIDE[1] and row["long"] == INSIDE[0]
        requested = row["requested_datetime"]
        assert requested[-6] in "+-" and "T" in requested  # ISO 8601 with an offset
    else:
        req = data.find("request")
        assert req is not None
        assert {child.tag for child in req} == REQUEST_FIELDS
        assert req.findtext("address") == "3 rue Haute"


def test_get_requests_default_window_and_filters(
    client: Client, tenant: Any, pothole: Any, bins: Any
) -> None:
    now = timezone.now()
    recent = submit(tenant, pothole)
    old = submit(tenant, pothole, now=now - timedelta(days=120))
    trash = submit(tenant, bins, attributes={"volume": "petit"})
    services.report_close(actor="t", report=trash, resolution="fixed")
    internal = submit(tenant, pothole, internal=True)
    unconfirmed = submit(tenant, pothole, source="web", email="x@example.org")

    def ids(query: str = "") -> set[int]:
        r = client.get(f"{BASE}/requests.json{query}")
        assert r.status_code == 200, r.content
        return {int(x["service_request_id"]) for x in r.json()}

    assert ids() == {recent.pk, trash.pk}  # 90-day window, never internal/unconfirmed
    assert ids("?service_code=depots-sauvages") == {trash.pk}
    assert ids("?status=open") == {recent.pk}
    assert ids("?status=closed") == {trash.pk}
    assert ids("?status=open,closed") == {recent.pk, trash.pk}
    start = (now - timedelta(days=150)).isoformat()
    end = (now - timedelta(days=100)).isoformat()
    assert ids(f"?start_date={start}&end_date={end}".replace("+", "%2B")) == {old.pk}
    assert ids(f"?start_date={start}".replace("+", "%2B")) == {recent.pk, trash.pk, old.pk}
    # service_request_id overrides every other filter
    q = f"?service_request_id={old.pk},{recent.pk},{internal.pk},{unconfirmed.pk}&status=closed"
    assert ids(q) == {old.pk, recent.pk}
    # page / page_size extension, newest first
    first = client.get(f"{BASE}/requests.json?page_size=1&page=1").json()
    second = client.get(f"{BASE}/requests.json?page_size=1&page=2").json()
    assert len(first) == len(second) == 1
    assert first[0]["service_request_id"] != second[0]["service_request_id"]


def test_get_requests_caps_at_1000(client: Client, tenant: Any, pothole: Any) -> None:
    now = timezone.now()
    Report.objects.bulk_create(
        Report(
            tenant=tenant,
            category=pothole,
            status="new",
            address="ici",
            token=f"t{i}",
            requested_at=now - timedelta(minutes=i),
            updated_at=now,
        )
        for i in range(1005)
    )
    services.touch(tenant.pk)
    assert len(client.get(f"{BASE}/requests.json").json()) == 1000
    assert len(client.get(f"{BASE}/requests.json?page=2").json()) == 5


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "query",
    [
        "start_date=hier",
        "end_date=2026-13-45",
        "status=pending",
        "page=0",
        "page_size=5000",
        "page=abc",
        "service_request_id=1,abc",
        "start_date=2026-05-02&end_date=2026-05-01",
    ],
)
def test_get_requests_bad_parameters(client: Client, tenant: Any, fmt: str, query: str) -> None:
    r = client.get(f"{BASE}/requests.{fmt}?{query}")
    assert r.status_code == 400
    assert errors(r, fmt)[0][0] == "400"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_request_detail(client: Client, tenant: Any, pothole: Any, fmt: str) -> None:
    report = submit(tenant, pothole)
    r = client.get(f"{BASE}/requests/{report.pk}.{fmt}")
    assert r.status_code == 200
    data = parse(r, fmt)
    if fmt == "json":
        assert [x["service_request_id"] for x in data] == [str(report.pk)]
    else:
        assert [x.findtext("service_request_id") for x in data.findall("request")] == [
            str(report.pk)
        ]
    internal = submit(tenant, pothole, internal=True)
    for pk in (internal.pk, 999999, "abc"):
        missing = client.get(f"{BASE}/requests/{pk}.{fmt}")
        assert missing.status_code == 404
        assert errors(missing, fmt)[0][0] == "404"


def test_new_report_visible_at_once_despite_cache(
    client: Client, tenant: Any, pothole: Any, api_key: str
) -> None:
    assert client.get(f"{BASE}/requests.json").json() == []
    post(client, api_key=api_key, service_code="voirie", address_string="ici")
    assert len(client.get(f"{BASE}/requests.json").json()) == 1


def test_photo_is_the_media_url(client: Client, tenant: Any, pothole: Any) -> None:
    from territoire.reports.tests.conftest import image_bytes

    report = submit(tenant, pothole, photos=[image_bytes()])
    row = client.get(f"{BASE}/requests/{report.pk}.json").json()[0]
    photo = report.photos.get()
    assert row["media_url"] == f"http://testserver/{tenant.slug}/signalements/photos/{photo.pk}.jpg"
    assert client.get(row["media_url"]).status_code == 200


# --- Several tenants: jurisdiction_id ---------------------------------------------------


def test_jurisdiction_required_when_several_tenants(
    client: Client, tenant: Any, other_tenant: Any
) -> None:
    for path in ("services.json", "requests.json", "services/voirie.json"):
        r = client.get(f"{BASE}/{path}")
        assert r.status_code == 400
        assert "jurisdiction_id" in r.json()[0]["description"]
    r = client.get(f"{BASE}/requests.xml?jurisdiction_id=inconnue")
    assert r.status_code == 404


def test_tenants_never_see_each_other(
    client: Client, tenant: Any, other_tenant: Any, pothole: Any, api_key: str
) -> None:
    DistrictFactory(tenant=other_tenant, slug="x")
    theirs = services.category_save(
        actor="t", tenant=other_tenant, service_code="voirie", name="Voirie (autre)"
    )
    mine = submit(tenant, pothole)
    other = submit(other_tenant, theirs)
    a = client.get(f"{BASE}/requests.json?jurisdiction_id={tenant.slug}").json()
    b = client.get(f"{BASE}/requests.json?jurisdiction_id={other_tenant.slug}").json()
    assert [x["service_request_id"] for x in a] == [str(mine.pk)]
    assert [x["service_request_id"] for x in b] == [str(other.pk)]
    r = client.get(f"{BASE}/requests/{other.pk}.json?jurisdiction_id={tenant.slug}")
    assert r.status_code == 404
    r = client.get(f"{BASE}/tokens/{other.token}.json?jurisdiction_id={tenant.slug}")
    assert r.status_code == 404
    names = client.get(f"{BASE}/services.json?jurisdiction_id={other_tenant.slug}").json()
    assert [s["service_name"] for s in names] == ["Voirie (autre)"]
    # The key finds its tenant without jurisdiction_id; another tenant's is refused.
    r = client.get(f"{BASE}/requests.json?api_key={api_key}")
    assert [x["service_request_id"] for x in r.json()] == [str(mine.pk)]
    r = client.get(f"{BASE}/requests.json?api_key={api_key}&jurisdiction_id={other_tenant.slug}")
    assert r.status_code == 403


def test_post_with_key_in_query_string(
    client: Client, tenant: Any, pothole: Any, api_key: str
) -> None:
    r = client.post(
        f"{BASE}/requests.xml?api_key={api_key}&jurisdiction_id={tenant.slug}",
        {"service_code": "voirie", "address_string": "Place du Marché"},
    )
    assert r.status_code == 200, r.content
    assert Report.objects.get().address == "Place du Marché"
