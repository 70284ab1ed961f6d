"""The state machine, photos, merging, followers, sensor alerts, open-data source."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image

from territoire.core import events
from territoire.core.datasources import get_source
from territoire.core.models import AuditEntry, Notification
from territoire.core.tests.factories import ServiceFactory, UserFactory
from territoire.reports import routing, services
from territoire.reports.models import Follower, Report, ReportUpdate, Source, Status
from territoire.reports.tests.conftest import OUTSIDE, image_bytes, submit

pytestmark = pytest.mark.django_db


def test_photo_is_reencoded_without_metadata(tenant: Any, pothole: Any) -> None:
    raw = image_bytes("JPEG", size=(3000, 2000), exif=True)
    with Image.open(io.BytesIO(raw)) as original:
        assert original.getexif()  # the upload carries EXIF (with a GPS block)
    report = submit(tenant, pothole, photos=[raw, image_bytes("PNG"), image_bytes("WEBP")])
    photos = list(report.photos.all())
    assert len(photos) == 3
    with Image.open(io.BytesIO(bytes(photos[0].data))) as img:
        assert img.format == "JPEG"
        assert max(img.size) == services.PHOTO_MAX_SIDE
        assert not img.getexif()
        assert "exif" not in img.info


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4 not an image", b"GIF89a" + b"\x00" * 40, b""],
)
def test_non_image_upload_is_refused_and_nothing_saved(
    tenant: Any, pothole: Any, data: bytes
) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(tenant, pothole, photos=[image_bytes(), data])
    assert "photos" in exc.value.message_dict
    assert Report.objects.count() == 0


def test_gif_is_refused(tenant: Any, pothole: Any) -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(ValidationError):
        submit(tenant, pothole, photos=[out.getvalue()])


def test_four_photos_refused(tenant: Any, pothole: Any) -> None:
    with pytest.raises(ValidationError):
        submit(tenant, pothole, photos=[image_bytes()] * 4)
    assert Report.objects.count() == 0


def test_point_outside_territory(tenant: Any, pothole: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(tenant, pothole, lon=OUTSIDE[0], lat=OUTSIDE[1])
    assert "territoire" in " ".join(exc.value.messages)


def test_anonymous_web_report_needs_email_confirmation(tenant: Any, pothole: Any) -> None:
    report = submit(tenant, pothole, source="web", email="anon@example.org")
    assert report.status == Status.UNCONFIRMED
    assert not Report.objects.for_tenant(tenant).public().exists()
    assert len(mail.outbox) == 0  # sent on commit
    with pytest.raises(ValidationError):
        services.report_confirm(tenant=tenant, token="wrong")
    confirmed = services.report_confirm(tenant=tenant, token=report.confirmation_token)
    assert confirmed.status == Status.NEW
    assert Report.objects.for_tenant(tenant).public().count() == 1
    with pytest.raises(ValidationError):  # a link works once
        services.report_confirm(tenant=tenant, token=report.confirmation_token)


def test_confirmation_mail_is_sent(
    tenant: Any, pothole: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(tenant, pothole, source="web", email="anon@example.org")
    assert mail.outbox[-1].to == ["anon@example.org"]
    assert report.confirmation_token in mail.outbox[-1].body


def test_state_machine_refuses_invalid_transitions(tenant: Any, pothole: Any) -> None:
    report = submit(tenant, pothole)
    services.report_close(actor="t", report=report, resolution="fixed")
    with pytest.raises(ValidationError):
        services.report_start(actor="t", report=report)
    dup = submit(tenant, pothole)
    target = submit(tenant, pothole)
    services.report_merge(actor="t", report=dup, into=target)
    with pytest.raises(ValidationError):  # a duplicate stays closed
        services.report_transition(actor="t", report=dup, to=Status.NEW)


def test_full_cycle_notifies_followers_and_audits(
    tenant: Any, pothole: Any, agent: Any, resident: Any, team: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    published: list[events.ReportStatusChanged] = []
    handler = events.subscribe(events.ReportStatusChanged)(published.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = submit(tenant, pothole, reporter=resident, source="web")
            services.report_acknowledge(actor=agent, report=report)
            services.report_assign(actor=agent, report=report, service=team)
            services.report_plan(actor=agent, report=report, day=timezone.localdate())
            services.report_comment(actor=agent, report=report, text="Note", internal=True)
            services.report_comment(actor=agent, report=report, text="Bientôt", internal=False)
            services.report_close(actor=agent, report=report, resolution="fixed", reason="Rebouché")
    finally:
        events._subscribers[events.ReportStatusChanged].remove(handler)
    report.refresh_from_db()
    assert report.status == Status.FIXED and report.closed_at is not None
    assert report.status_notes == "Rebouché"
    assert [e.status for e in published] == ["new", "acknowledged", "assigned", "planned", "fixed"]
    assert published[-1].closed is True
    subjects = list(
        Notification.objects.filter(user=resident).order_by("pk").values_list("subject", flat=True)
    )
    assert len(subjects) == 5  # 4 status changes + 1 public message, not the internal note
    assert (
        AuditEntry.objects.filter(action="reports.transition", object_id=str(report.pk)).count()
        == 4
    )
    assert AuditEntry.objects.filter(action="reports.note").count() == 1
    kinds = list(report.updates.values_list("kind", flat=True))
    assert kinds.count("internal") == 1


def test_close_not_ours_needs_a_reason_and_reject_needs_one(tenant: Any, pothole: Any) -> None:
    report = submit(tenant, pothole)
    with pytest.raises(ValidationError):
        services.report_close(actor="t", report=report, resolution="not_our_responsibility")
    with pytest.raises(ValidationError):
        services.report_reject(actor="t", report=report, reason="  ")
    services.report_reject(actor="t", report=report, reason="Propriété privée")
    report.refresh_from_db()
    assert report.status == Status.REJECTED and report.status_notes == "Propriété privée"


def test_merge_moves_followers(tenant: Any, pothole: Any, resident: Any) -> None:
    other = UserFactory()
    keep = submit(tenant, pothole, reporter=other, source="web")
    dup = submit(tenant, pothole, reporter=resident, source="web")
    services.report_merge(actor="t", report=dup, into=keep)
    dup.refresh_from_db()
    assert dup.status == Status.DUPLICATE and dup.duplicate_of_id == keep.pk
    assert set(Follower.objects.filter(report=keep).values_list("user_id", flat=True)) == {
        other.pk,
        resident.pk,
    }
    with pytest.raises(ValidationError):
        services.report_merge(actor="t", report=keep, into=keep)


def test_cross_tenant_actions_refused(tenant: Any, other_tenant: Any, pothole: Any) -> None:
    report = submit(tenant, pothole)
    foreign_team = ServiceFactory(tenant=other_tenant)
    with pytest.raises(ValidationError):
        services.report_assign(actor="t", report=report, service=foreign_team)


def test_reopen_within_delay(tenant: Any, pothole: Any, resident: Any, settings: Any) -> None:
    settings.REPORTS_REOPEN_DAYS = 10
    report = submit(tenant, pothole, reporter=resident, source="web")
    services.report_close(actor="t", report=report, resolution="fixed")
    report.refresh_from_db()
    stranger = UserFactory()
    with pytest.raises(ValidationError):
        services.report_reopen(user=stranger, report=report, text="Toujours là")
    services.report_reopen(user=resident, report=report, text="Toujours là")
    report.refresh_from_db()
    assert report.status == Status.NEW and report.reopened_count == 1 and report.closed_at is None
    services.report_close(actor="t", report=report, resolution="fixed")
    Report.objects.filter(pk=report.pk).update(closed_at=timezone.now() - timedelta(days=11))
    report.refresh_from_db()
    with pytest.raises(ValidationError):
        services.report_reopen(user=resident, report=report, text="Encore")


def test_attributes_checked(tenant: Any, bins: Any) -> None:
    with pytest.raises(ValidationError):
        submit(tenant, bins, attributes={})
    with pytest.raises(ValidationError):
        submit(tenant, bins, attributes={"volume": "autre"})
    report = submit(tenant, bins, attributes={"volume": "petit", "inconnu": "x"})
    assert report.attributes == {"volume": "petit"}


def test_sensor_alert_opens_internal_intervention_and_closing_publishes(
    tenant: Any, district: Any, django_capture_on_commit_callbacks: Any
) -> None:
    water = ServiceFactory(tenant=tenant, slug="eau-et-assainissement", name="Eau")
    services.category_save(actor="t", tenant=tenant, service_code="eau", name="Eau", service=water)
    closed: list[events.InterventionClosed] = []
    handler = events.subscribe(events.InterventionClosed)(closed.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(
                events.SensorAlertRaised(
                    tenant_id=tenant.pk,
                    alert_id=7,
                    kind="leak",
                    title="Fuite probable",
                    description="Débit de nuit",
                    lon=2.05,
                    lat=48.05,
                    service_slug="eau",
                    source="twin",
                )
            )
        report = Report.objects.get(source=Source.SENSOR)
        assert report.internal and report.assigned_service == water
        assert report.status == Status.ASSIGNED and report.source_ref == "twin:7"
        assert report.district == district
        assert not Report.objects.for_tenant(tenant).public().exists()
        # The same alert twice opens one intervention.
        services.intervention_from_alert(
            event=events.SensorAlertRaised(
                tenant_id=tenant.pk, alert_id=7, kind="leak", title="x", source="twin"
            )
        )
        assert Report.objects.filter(source=Source.SENSOR).count() == 1
        with django_capture_on_commit_callbacks(execute=True):
            services.report_close(actor="t", report=report, resolution="fixed")
    finally:
        events._subscribers[events.InterventionClosed].remove(handler)
    assert len(closed) == 1
    assert (closed[0].source, closed[0].source_ref) == ("twin", "7")
    assert closed[0].intervention_id == report.pk


def test_datasource_rows_are_public_only_and_flags_are_honest(
    tenant: Any, other_tenant: Any, pothole: Any
) -> None:
    source = get_source("reports.requests")
    assert source is not None
    assert source.column("description").personal  # type: ignore[union-attr]
    assert source.column("quartier").quasi_identifier  # type: ignore[union-attr]
    assert source.column("latitude").quasi_identifier  # type: ignore[union-attr]
    public = submit(tenant, pothole)
    submit(tenant, pothole, internal=True)
    submit(tenant, pothole, source="web", email="a@example.org")
    rows = list(source.rows(tenant))
    assert [r["id"] for r in rows] == [public.pk]
    assert list(source.rows(other_tenant)) == []
    assert not any("email" in key or "reporter" in key for key in rows[0])


def test_route_heuristic_and_ortools_agree_on_a_line() -> None:
    depot = (0.0, 0.0)
    stops = [(0.003, 0.0), (0.001, 0.0), (0.004, 0.0), (0.002, 0.0)]
    for use in (True, False):
        order, length, method = routing.plan_route(depot, stops, use_ortools=use)
        assert sorted(order) == [0, 1, 2, 3]
        assert method == ("ortools" if use else "heuristic")
        assert 885 < length < 895  # optimal: out and back, 2 × 0.004° of longitude ≈ 890 m


def test_two_opt_removes_a_crossing() -> None:
    dist = routing.matrix([(0, 0), (0, 1), (1, 1), (1, 0), (0.5, 1.2)])
    order = routing.nearest_neighbour_2opt(dist)
    assert sorted(order) == [1, 2, 3, 4]
    best = min(
        routing.tour_length(p, dist) for p in __import__("itertools").permutations([1, 2, 3, 4])
    )
    assert routing.tour_length(order, dist) == best


def test_history_written_for_each_change(tenant: Any, pothole: Any) -> None:
    report = submit(tenant, pothole)
    services.report_acknowledge(actor="t", report=report)
    assert ReportUpdate.objects.filter(report=report, kind="status").count() == 1


def test_external_operator_gets_email_and_webhook(
    tenant: Any, district: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import json as _json

    from territoire.reports import tasks

    category = services.category_save(
        actor="t", tenant=tenant, service_code="abribus", name="Abribus",
        operator_name="Mobilia", operator_email="ops@mobilia.example",
        operator_webhook="https://hooks.mobilia.example/open311",
    )  # fmt: skip
    sent: list[dict[str, Any]] = []

    class Answer:
        status = 202

        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *a: Any) -> None:
            return None

    def fake_urlopen(req: Any, timeout: int) -> Answer:
        sent.append({"url": req.full_url, "body": _json.loads(req.data)})
        return Answer()

    monkeypatch.setattr(tasks.urllib.request, "urlopen", fake_urlopen)
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(tenant, category, email="someone@example.org")
    assert mail.outbox[-1].to == ["ops@mobilia.example"]
    assert "someone@example.org" not in mail.outbox[-1].body
    assert sent and sent[0]["url"] == "https://hooks.mobilia.example/open311"
    assert sent[0]["body"]["service_request_id"] == str(report.pk)
    assert sent[0]["body"]["agency_responsible"] == "Mobilia"
    assert "someone@example.org" not in _json.dumps(sent[0]["body"])


def test_purge_unconfirmed(tenant: Any, pothole: Any) -> None:
    from django.core.management import call_command

    old = submit(tenant, pothole, source="web", email="a@example.org",
                 now=timezone.now() - timedelta(days=8), photos=[image_bytes()])  # fmt: skip
    fresh = submit(tenant, pothole, source="web", email="b@example.org")
    kept = submit(tenant, pothole)
    call_command("reports", "purge", "--days", "7")
    assert set(Report.objects.values_list("pk", flat=True)) == {fresh.pk, kept.pk}
    assert not Report.objects.filter(pk=old.pk).exists()
