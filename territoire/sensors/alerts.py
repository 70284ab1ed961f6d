"""Alert rules at work: thresholds and rates on new readings, silence on a schedule.

``evaluate_readings`` runs inside the ingestion transaction on the rows that were
actually new (a redelivered message re-raises nothing). ``check_silence`` runs
periodically (``territoire sensors check-alerts``, or the worker's schedule).
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from territoire.sensors import services
from territoire.sensors.catalog import QUANTITIES
from territoire.sensors.models import Alert, AlertRule, AlertStatus, Condition, Reading, Sensor

if TYPE_CHECKING:
    from territoire.sensors.ingestion import Candidate

VALUE_RULES = (Condition.ABOVE, Condition.BELOW, Condition.RATE)


def _label(quantity: str) -> str:
    spec = QUANTITIES.get(quantity)
    return str(spec.label) if spec else quantity


@dataclass(frozen=True)
class RuleSet:
    """The active rules, as ingestion needs them (loaded in one query)."""

    value_rules: tuple[AlertRule, ...]
    silence_tenants: frozenset[int]

    @property
    def watches_anything(self) -> bool:
        """False on an instance without rules: ingestion then skips them entirely."""
        return bool(self.value_rules or self.silence_tenants)

    @classmethod
    def load(cls) -> RuleSet:
        rules = list(AlertRule.objects.filter(is_active=True).select_related("service"))
        return cls(
            value_rules=tuple(r for r in rules if r.condition in VALUE_RULES),
            silence_tenants=frozenset(
                r.tenant_id for r in rules if r.condition == Condition.SILENCE
            ),
        )


class RuleCache:
    """Rules reloaded at most every ``ttl`` seconds, for long-running consumers.

    The MQTT consumer stores a batch every few milliseconds while rules change a few
    times a year: a new rule applies there within ``ttl`` seconds.
    """

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._rules: RuleSet | None = None
        self._loaded = 0.0

    def current(self) -> RuleSet:
        if self._rules is None or time.monotonic() - self._loaded > self.ttl:
            self._rules, self._loaded = RuleSet.load(), time.monotonic()
        return self._rules


def evaluate_readings(inserted: list[Candidate], rules: RuleSet | None = None) -> None:
    """Apply threshold and rate rules to newly stored readings; close silences."""
    rules = rules or RuleSet.load()
    if not rules.value_rules and not rules.silence_tenants:
        return  # the common case on an instance without rules: no query at all
    series: dict[tuple[int, str], list[Candidate]] = defaultdict(list)
    for c in inserted:
        series[(c.sensor_id, c.quantity)].append(c)
    scope_of = {
        pk: (tenant_id, kind)
        for pk, tenant_id, kind in Sensor.objects.filter(
            pk__in={sid for sid, _q in series}
        ).values_list("pk", "tenant_id", "kind")
    }
    silent_capable = {pk for pk, (t, _k) in scope_of.items() if t in rules.silence_tenants}
    if silent_capable:
        _close_silences(silent_capable)
    scopes = set(scope_of.values())
    matching = [
        r
        for r in rules.value_rules
        if r.sensor_id in scope_of or (r.sensor_id is None and (r.tenant_id, r.kind) in scopes)
    ]
    if not matching:
        return
    targets_of = {
        rule.pk: [rule.sensor_id]
        if rule.sensor_id
        else [pk for pk, scope in scope_of.items() if scope == (rule.tenant_id, rule.kind)]
        for rule in matching
    }
    wanted = {pk for pks in targets_of.values() for pk in pks}
    sensors = {s.pk: s for s in Sensor.objects.filter(pk__in=wanted)}
    for rule in matching:
        for pk in targets_of[rule.pk]:
            points = sorted(series.get((pk, rule.quantity), ()), key=lambda c: c.time)
            if points:
                _apply(rule, sensors[pk], points)


def _apply(rule: AlertRule, sensor: Sensor, points: list[Candidate]) -> None:
    threshold = rule.threshold if rule.threshold is not None else 0.0
    label = _label(rule.quantity)
    if rule.condition in (Condition.ABOVE, Condition.BELOW):
        above = rule.condition == Condition.ABOVE
        hits = [p for p in points if (p.value > threshold if above else p.value < threshold)]
        if hits:
            hit = hits[-1]
            title = (
                _("%(q)s au-dessus du seuil (%(v)s > %(t)s) : %(name)s")
                if above
                else _("%(q)s sous le seuil (%(v)s < %(t)s) : %(name)s")
            ) % {"q": label, "v": f"{hit.value:g}", "t": f"{threshold:g}", "name": sensor.name}
            services.alert_raise(
                rule=rule, sensor=sensor, value=hit.value, observed=hit.time, title=title
            )
        return
    # Rate of change per hour between consecutive readings, the first one compared
    # with the last reading stored before this batch.
    previous = (
        Reading.objects.filter(
            tenant_id=sensor.tenant_id,
            sensor_id=sensor.pk,
            quantity=rule.quantity,
            time__lt=points[0].time,
        )
        .order_by("-time")
        .values_list("time", "value")
        .first()
    )
    pairs = [(p.time, p.value) for p in points]
    if previous is not None:
        pairs.insert(0, previous)
    worst = None
    for (t0, v0), (t1, v1) in itertools.pairwise(pairs):
        hours = (t1 - t0).total_seconds() / 3600
        if hours <= 0:
            continue
        rate = abs(v1 - v0) / hours
        if rate > threshold and (worst is None or rate > worst[0]):
            worst = (rate, t1, v1)
    if worst is not None:
        title = _("%(q)s varie trop vite (%(r)s par heure) : %(name)s") % {
            "q": label,
            "r": f"{worst[0]:.3g}",
            "name": sensor.name,
        }
        services.alert_raise(
            rule=rule, sensor=sensor, value=worst[2], observed=worst[1], title=title
        )


def _close_silences(sensor_ids: set[int]) -> None:
    """Data is back: the system closes the sensors' live "no data" alerts."""
    live = Alert.objects.filter(sensor_id__in=sensor_ids, condition=Condition.SILENCE).exclude(
        status=AlertStatus.CLOSED
    )
    for alert in live.select_related("tenant"):
        services._transition(alert, AlertStatus.CLOSED, "système", _("Les données sont revenues."))


def check_silence(*, now: datetime | None = None) -> int:
    """Raise "no data" alerts for sensors silent longer than allowed; returns how many."""
    now = now or timezone.now()
    raised = 0
    rules = AlertRule.objects.filter(is_active=True, condition=Condition.SILENCE).select_related(
        "service"
    )
    for rule in rules:
        sensors = Sensor.objects.for_tenant(rule.tenant).active()
        sensors = (
            sensors.filter(pk=rule.sensor_id) if rule.sensor_id else sensors.filter(kind=rule.kind)
        )
        for sensor in sensors.annotate(seen=Max("latest_values__time")):
            minutes = rule.minutes or 3 * sensor.expected_interval
            last = getattr(sensor, "seen", None) or sensor.created
            if now - last <= timedelta(minutes=minutes):
                continue
            title = _("Pas de données depuis %(m)s min : %(name)s") % {
                "m": int((now - last).total_seconds() // 60),
                "name": sensor.name,
            }
            if services.alert_raise(
                rule=rule, sensor=sensor, value=None, observed=last, title=title
            ):
                raised += 1
    return raised
