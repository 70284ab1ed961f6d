"""The fast ``GET requests`` path returns, byte for byte, what the first serialiser did.

``reference_*`` below is a frozen copy of the serialiser as it was before the fast path
(one ORM instance per report, recursive XML, ``json.dumps``), and ``expected_reports``
re-implements the filters of GeoReport v2 in plain Python over every report: the
endpoint must answer exactly ``reference_body(expected_reports(...))`` for a varied set
of reports, in both formats, with every filter, cached or not.
"""

from __future__ import annotations

import json
import math
import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode
from xml.sax.saxutils import escape

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from territoire.core.tests.factories import ServiceFactory
from territoire.reports import open311, services
from territoire.reports.models import (
    CLOSED_STATUSES,
    PUBLIC_STATUSES,
    Category,
    Report,
    ReportPhoto,
    Status,
)
from territoire.reports.open311_format import LocalIso, dumps_json, to_xml
from territoire.reports.tests.conftest import submit

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"

# --- The frozen reference serialiser --------------------------------------------------

REFERENCE_LIST_TAGS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def reference_xml_value(tag: str, value: Any) -> str:
    if value is None or value == "":
        return f"<{tag}/>" if value == "" else f"<{tag}></{tag}>"
    if isinstance(value, dict):
        return (
            f"<{tag}>" + "".join(reference_xml_value(k, v) for k, v in value.items()) + f"</{tag}>"
        )
    if isinstance(value, list):
        child = REFERENCE_LIST_TAGS.get(tag, "item")
        return f"<{tag}>" + "".join(reference_xml_value(child, v) for v in value) + f"</{tag}>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def reference_to_xml(root: str, item: str | None, data: Any) -> str:
    head = '<?xml version="1.0" encoding="utf-8"?>'
    if item is None:
        return head + reference_xml_value(root, data)
    return head + f"<{root}>" + "".join(reference_xml_value(item, d) for d in data) + f"</{root}>"


def reference_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def reference_iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds")


def reference_row(report: Report, base: str) -> dict[str, Any]:
    category = report.category
    photo = report.photos.order_by("pk").values_list("pk", flat=True).first()
    media = (
        base + reverse("reports:photo", kwargs={"tenant": report.tenant.slug, "pk": photo})
        if photo
        else report.media_url
    )
    service = report.assigned_service or (category.service if category else None)
    agency = (category.operator_name if category else "") or (service.name if service else "")
    return {
        "service_request_id": str(report.pk),
        "status": "closed" if report.status in CLOSED_STATUSES else "open",
        "status_notes": report.status_notes,
        "service_name": category.name if category else "",
        "service_code": category.service_code if category else "",
        "description": report.description,
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": reference_iso(report.requested_at),
        "updated_datetime": reference_iso(report.updated_at),
        "expected_datetime": reference_iso(report.expected_at),
        "address": report.address,
        "address_id": report.address_id,
        "zipcode": report.zipcode,
        "lat": report.lat,
        "long": report.lon,
        "media_url": media,
    }


def reference_body(reports: list[Report], fmt: str, base: str = "http://testserver") -> bytes:
    rows = [reference_row(r, base) for r in reports]
    if fmt == "xml":
        return reference_to_xml("service_requests", "request", rows).encode("utf-8")
    return reference_json(rows)


def expected_reports(tenant: Any, query: str) -> list[Report]:
    """GeoReport v2's filters, in Python, over every report of the tenant."""
    params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    reports = [
        r
        for r in Report.objects.filter(tenant=tenant).select_related(
            "category__service", "assigned_service", "tenant"
        )
        if r.status in PUBLIC_STATUSES and not r.internal
    ]
    if params.get("service_request_id"):
        ids = {int(x) for x in params["service_request_id"].split(",")}
        reports = [r for r in reports if r.pk in ids]
    else:
        codes = [c for c in params.get("service_code", "").split(",") if c]
        if codes:
            reports = [r for r in reports if r.category and r.category.service_code in codes]
        start = datetime.fromisoformat(params["start_date"]) if "start_date" in params else None
        end = datetime.fromisoformat(params["end_date"]) if "end_date" in params else None
        if start is None and end is None:
            end = timezone.now()
            start = end - timedelta(days=90)
        reports = [
            r
            for r in reports
            if (start is None or r.requested_at >= start) and (end is None or r.requested_at <= end)
        ]
        statuses = [s for s in params.get("status", "").split(",") if s]
        if statuses == ["open"]:
            reports = [r for r in reports if r.status not in CLOSED_STATUSES]
        elif statuses == ["closed"]:
            reports = [r for r in reports if r.status in CLOSED_STATUSES]
    reports.sort(key=lambda r: (r.requested_at, r.pk), reverse=True)
    page, size = int(params.get("page", 1)), int(params.get("page_size", 1000))
    return reports[(page - 1) * size : page * size]


# --- A varied territory ---------------------------------------------------------------


@pytest.fixture
def varied(tenant: Any, pothole: Category, bins: Category, team: Any) -> dict[str, Any]:
    """Reports covering every field's corner: escapes, empties, None, photos, both offsets."""
    now = timezone.now()
    lighting = services.category_save(
        actor="test",
        tenant=tenant,
        service_code="eclairage",
        name='Éclairage "public" <nuit> & jour',
        operator_name="Lumière & Cie <SA>",
    )
    other_team = ServiceFactory(tenant=tenant, name="Propreté & tri", slug="proprete")
    made: dict[str, Any] = {}

    def report(name: str, days: float, **fields: Any) -> Report:
        at = now - timedelta(days=days)
        fields.setdefault("category", pothole)
        fields.setdefault("status", Status.NEW)
        made[name] = Report.objects.create(
            tenant=tenant,
            token=f"tok-{name}",
            requested_at=at,
            updated_at=fields.pop("updated_at", at + timedelta(hours=5, microseconds=7)),
            **fields,
        )
        return made[name]

    report(
        "escapes",
        1,
        description="Trou <profond> & \"dangereux\" 'ici'\nligne 2\ttab \x01 é ü 🚲",
        status_notes="<b>vu</b> &amp; noté",
        address="3 rue <Haute> & Basse",
        address_id="A&B-12",
        zipcode="99001",
        lat=48.05123456789,
        lon=-2.0500000001,
        expected_at=now + timedelta(days=3),
    )
    report("empty", 2, description="", address="", lat=None, lon=None, expected_at=None)
    report("tiny-float", 3, lat=1e-05, lon=-0.00002, address="Golfe de Guinée")
    report("operator", 4, category=lighting, assigned_service=other_team)
    report("assigned", 5, assigned_service=other_team, status=Status.ASSIGNED)
    report("no-category", 6, category=None, status=Status.ACKNOWLEDGED)
    report("media-url", 7, media_url="https://photos.example.org/a?b=1&c=<2>")
    photo = report("photo", 8, media_url="https://ignored.example.org/x.jpg")
    for _ in range(2):
        ReportPhoto.objects.create(tenant=tenant, report=photo, data=b"x", width=1, height=1)
    report("fixed", 9, status=Status.FIXED, status_notes="Rebouché.", category=bins)
    report("rejected", 10, status=Status.REJECTED, status_notes="Hors sujet", category=bins)
    report("duplicate", 11, status=Status.DUPLICATE)
    report("not-ours", 12, status=Status.NOT_OURS)
    report("planned", 13, status=Status.PLANNED, expected_at=now + timedelta(days=1))
    report("in-progress", 14, status=Status.IN_PROGRESS)
    report("summer", 80, description="heure d'été (+02:00)")
    report("same-time-a", 20)
    made["same-time-b"] = Report.objects.create(
        tenant=tenant,
        category=pothole,
        status=Status.NEW,
        token="tok-same-b",
        requested_at=made["same-time-a"].requested_at,
        updated_at=made["same-time-a"].requested_at,
    )
    report("old", 120, status=Status.FIXED, category=bins)
    report("older", 200)
    report("future", -2)
    report("internal", 1.5, internal=True)
    report("unconfirmed", 2.5, status=Status.UNCONFIRMED)
    services.touch(tenant.pk)
    return made


def queries(made: dict[str, Any]) -> list[str]:
    now = timezone.now()
    ids = ",".join(str(made[n].pk) for n in ("old", "internal", "escapes", "unconfirmed"))
    return [
        "",
        "status=open",
        "status=closed",
        "status=open,closed",
        "service_code=voirie",
        "service_code=voirie,eclairage",
        "service_code=inconnu",
        urlencode({"start_date": (now - timedelta(days=150)).isoformat()}),
        urlencode({"end_date": (now - timedelta(days=100)).isoformat()}),
        urlencode(
            {
                "start_date": (now - timedelta(days=300)).isoformat(),
                "end_date": (now + timedelta(days=5)).isoformat(),
                "status": "open",
                "service_code": "voirie",
            }
        ),
        f"service_request_id={ids}&status=closed&service_code=eclairage",
        "page_size=3",
        "page_size=3&page=2",
        "page_size=3&page=9",
        "page=2",
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_list_is_byte_identical_to_the_reference(
    client: Client, tenant: Any, varied: dict[str, Any], fmt: str
) -> None:
    qs = queries(varied)
    for attempt in ("computed", "cached"):
        for query in qs:
            response = client.get(f"{BASE}/requests.{fmt}?{query}")
            assert response.status_code == 200, (query, response.content)
            expected = expected_reports(tenant, query)
            assert response.content == reference_body(expected, fmt), (attempt, query)
    # The corners are really in the default answer.
    default = {r.pk for r in expected_reports(tenant, "")}
    for name in ("escapes", "empty", "tiny-float", "operator", "no-category", "photo", "summer"):
        assert varied[name].pk in default, name
    for name in ("old", "future", "internal", "unconfirmed"):
        assert varied[name].pk not in default, name


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_request_detail_is_byte_identical(
    client: Client, tenant: Any, varied: dict[str, Any], fmt: str
) -> None:
    for name in ("escapes", "empty", "tiny-float", "operator", "photo", "no-category", "old"):
        report = varied[name]
        response = client.get(f"{BASE}/requests/{report.pk}.{fmt}")
        assert response.content == reference_body([report], fmt), name


def test_photo_urls_follow_the_host_and_scheme(
    client: Client, tenant: Any, varied: dict[str, Any]
) -> None:
    plain = client.get(f"{BASE}/requests.json").content
    secure = client.get(f"{BASE}/requests.json", secure=True).content
    other = client.get(f"{BASE}/requests.json", HTTP_HOST="localhost").content
    expected = expected_reports(tenant, "")
    assert plain == reference_body(expected, "json", "http://testserver")
    assert secure == reference_body(expected, "json", "https://testserver")
    assert other == reference_body(expected, "json", "http://localhost")


def test_language_is_part_of_the_cache_key(client: Client, tenant: Any, pothole: Any) -> None:
    submit(tenant, pothole)
    fr = client.get(f"{BASE}/requests.json", HTTP_ACCEPT_LANGUAGE="fr")
    en = client.get(f"{BASE}/requests.json", HTTP_ACCEPT_LANGUAGE="en")
    assert fr.content == en.content  # the rows hold data only, in no language
    assert en["Content-Language"] == "en"
    request = RequestFactory().get(f"{BASE}/requests.json")
    keys = set()
    for lang in ("fr", "en"):
        with translation.override(lang):
            keys.add(open311._list_cache_key(request, tenant, "json"))
    assert len(keys) == 2


def test_repeated_parameters_are_cached_apart(client: Client, tenant: Any, pothole: Any) -> None:
    report = submit(tenant, pothole)
    services.report_close(actor="t", report=report, resolution="fixed")
    other = submit(tenant, pothole)
    ids = [x["service_request_id"] for x in client.get(f"{BASE}/requests.json").json()]
    assert ids == [str(other.pk), str(report.pk)]
    # Django keeps the last value of a repeated parameter; the cache must not mix them.
    last_closed = client.get(f"{BASE}/requests.json?status=open&status=closed").json()
    last_open = client.get(f"{BASE}/requests.json?status=closed&status=open").json()
    assert [x["service_request_id"] for x in last_closed] == [str(report.pk)]
    assert [x["service_request_id"] for x in last_open] == [str(other.pk)]


# --- The writers on their own -----------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        1e-05,
        -2.5e-07,
        0.0,
        -0.0,
        1e16,
        46.154503966365944,
        math.nan,
        math.inf,
        '\x00\x1f\x7f\u2028 é "q" \\ /',
        [1, True, None, {"a": [1.5, "x"]}],
    ],
)
def test_dumps_json_matches_json_dumps(value: Any) -> None:
    data = [{"v": value}, value]
    assert dumps_json(data) == reference_json(data)


def test_dumps_json_fails_like_json_dumps() -> None:
    # A lone surrogate cannot be encoded in UTF-8 by either writer.
    for writer in (dumps_json, reference_json):
        with pytest.raises(UnicodeEncodeError):
            writer(["lone \ud800 surrogate"])


@pytest.mark.parametrize(
    "zone", ["Europe/Paris", "America/Cayenne", "Indian/Reunion", "Australia/Lord_Howe", "UTC"]
)
def test_local_iso_matches_astimezone_around_dst_changes(zone: str) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    iso = LocalIso(tz)
    days = [
        datetime(2026, 3, 29),
        datetime(2026, 10, 25),
        datetime(2026, 4, 5),
        datetime(2026, 7, 1),
    ]
    for day in days:
        for minute in range(0, 24 * 60 + 60, 7):
            naive = day + timedelta(minutes=minute, seconds=59, microseconds=999_999)
            aware = naive.replace(tzinfo=UTC)
            expected = aware.astimezone(tz).isoformat(timespec="seconds")
            assert iso(naive) == expected
            assert iso(aware) == expected
            assert iso(aware.astimezone(tz)) == expected
            assert iso(naive.isoformat(" ")) == expected
    assert iso(None) is None


def test_to_xml_matches_the_reference_for_every_shape() -> None:
    nested = {
        "service_code": "a&b",
        "attributes": [
            {
                "variable": True,
                "required": False,
                "order": 1,
                "description": "<x>",
                "datatype_description": "",
                "values": [{"key": "k", "name": "N & M"}],
            }
        ],
        "endpoints": [{"formats": ["text/xml", "application/json"], "url": None}],
        "ratio": 1e-05,
    }
    assert to_xml("service_definition", None, nested) == reference_to_xml(
        "service_definition", None, nested
    )
    items = [nested, {"a": "", "b": None, "c": 0, "d": 0.0, "e": False, "f": "<&>"}, "plain"]
    assert to_xml("services", "service", items) == reference_to_xml("services", "service", items)


# --- Cache invalidation: every write path ---------------------------------------------------


def _rows(client: Client, query: str = "") -> dict[str, dict[str, Any]]:
    response = client.get(f"{BASE}/requests.json{query}")
    assert response.status_code == 200
    return {row["service_request_id"]: row for row in response.json()}


@pytest.fixture
def open_report(tenant: Any, pothole: Any) -> Report:
    return submit(tenant, pothole)


def test_transition_invalidates(client: Client, open_report: Report) -> None:
    assert _rows(client)[str(open_report.pk)]["status"] == "open"
    services.report_close(actor="t", report=open_report, resolution="fixed")
    assert _rows(client)[str(open_report.pk)]["status"] == "closed"


def test_reject_invalidates(client: Client, open_report: Report) -> None:
    assert _rows(client)[str(open_report.pk)]["status_notes"] == ""
    services.report_reject(actor="t", report=open_report, reason="Pas chez nous")
    assert _rows(client)[str(open_report.pk)]["status_notes"] == "Pas chez nous"


def test_merge_invalidates(client: Client, tenant: Any, pothole: Any, open_report: Report) -> None:
    twin = submit(tenant, pothole)
    assert _rows(client)[str(twin.pk)]["status"] == "open"
    services.report_merge(actor="t", report=twin, into=open_report)
    assert _rows(client)[str(twin.pk)]["status"] == "closed"


def test_reopen_invalidates(
    client: Client, tenant: Any, pothole: Any, resident: Any, open_report: Report
) -> None:
    services.report_follow(user=resident, report=open_report)
    services.report_close(actor="t", report=open_report, resolution="fixed")
    assert _rows(client)[str(open_report.pk)]["status"] == "closed"
    closed = Report.objects.get(pk=open_report.pk)
    services.report_reopen(user=resident, report=closed, text="Toujours là")
    assert _rows(client)[str(open_report.pk)]["status"] == "open"


def test_assign_and_plan_invalidate(
    client: Client, tenant: Any, open_report: Report, team: Any
) -> None:
    other = ServiceFactory(tenant=tenant, name="Régie", slug="regie")
    assert _rows(client)[str(open_report.pk)]["agency_responsible"] == "Voirie"
    services.report_assign(actor="t", report=open_report, service=other)
    assert _rows(client)[str(open_report.pk)]["agency_responsible"] == "Régie"
    day = timezone.localdate() + timedelta(days=3)
    services.report_plan(actor="t", report=open_report, day=day)
    expected = _rows(client)[str(open_report.pk)]["expected_datetime"]
    assert expected.startswith(day.isoformat() + "T17:00:00")


def test_requalify_invalidates(client: Client, open_report: Report, bins: Category) -> None:
    assert _rows(client)[str(open_report.pk)]["service_code"] == "voirie"
    services.report_requalify(actor="t", report=open_report, category=bins)
    assert _rows(client)[str(open_report.pk)]["service_code"] == "depots-sauvages"


def test_comment_invalidates(client: Client, open_report: Report) -> None:
    before = _rows(client)[str(open_report.pk)]["updated_datetime"]
    Report.objects.filter(pk=open_report.pk).update(
        updated_at=open_report.updated_at - timedelta(days=1)
    )  # an older date, so that the comment's own date shows
    services.touch(open_report.tenant_id)
    older = _rows(client)[str(open_report.pk)]["updated_datetime"]
    assert older != before
    services.report_comment(actor="t", report=open_report, text="On regarde", internal=False)
    assert _rows(client)[str(open_report.pk)]["updated_datetime"] > older


def test_category_rename_invalidates(
    client: Client, tenant: Any, pothole: Category, open_report: Report
) -> None:
    assert _rows(client)[str(open_report.pk)]["service_name"] == "Voirie"
    services.category_save(
        actor="t", tenant=tenant, category=pothole, service_code="voirie", name="Chaussée"
    )
    assert _rows(client)[str(open_report.pk)]["service_name"] == "Chaussée"


def test_new_and_confirmed_reports_invalidate(client: Client, tenant: Any, pothole: Any) -> None:
    assert _rows(client) == {}
    pending = submit(tenant, pothole, source="web", email="x@example.org")
    assert _rows(client) == {}  # unconfirmed: not public yet
    services.report_confirm(tenant=tenant, token=pending.confirmation_token)
    assert list(_rows(client)) == [str(pending.pk)]
    direct = submit(tenant, pothole)
    assert set(_rows(client)) == {str(pending.pk), str(direct.pk)}


def test_purge_changes_the_version(tenant: Any, pothole: Any) -> None:
    pending = submit(tenant, pothole, source="web", email="x@example.org")
    Report.objects.filter(pk=pending.pk).update(requested_at=timezone.now() - timedelta(days=30))
    before = services.data_version(tenant.pk)
    assert services.purge_unconfirmed(days=7) == 1
    assert services.data_version(tenant.pk) != before


def test_version_changes_again_at_commit(
    tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.touch(tenant.pk)
        during = services.data_version(tenant.pk)
    assert len(callbacks) == 1
    assert services.data_version(tenant.pk) != during


def test_lost_version_is_never_reused(tenant: Any) -> None:
    first = services.data_version(tenant.pk)
    assert first > 0 and services.data_version(tenant.pk) == first
    cache.delete(f"reports:version:{tenant.pk}")  # evicted, or the cache restarted
    assert services.data_version(tenant.pk) > first


def test_other_tenants_writes_keep_our_cache(
    client: Client, tenant: Any, other_tenant: Any, open_report: Report
) -> None:
    query = f"?jurisdiction_id={tenant.slug}"
    version = services.data_version(tenant.pk)
    assert list(_rows(client, query)) == [str(open_report.pk)]
    services.touch(other_tenant.pk)
    assert services.data_version(tenant.pk) == version


# --- Conditional GET ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_etag_gives_304_until_a_write(
    client: Client, tenant: Any, pothole: Any, open_report: Report, fmt: str
) -> None:
    url = f"{BASE}/requests.{fmt}"
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    cache.clear()  # the uncached path answers 304 too
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.report_close(actor="t", report=open_report, resolution="fixed")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.content != first.content


def test_etag_depends_on_the_query(client: Client, tenant: Any, open_report: Report) -> None:
    etag = client.get(f"{BASE}/requests.json")["ETag"]
    other = client.get(f"{BASE}/requests.json?status=closed", HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200 and other.json() == []
