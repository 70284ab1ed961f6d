"""Events between modules: core defines them, business apps publish and subscribe.

Business apps never import each other (ARCHITECTURE.md). When one must react to
another (a sensor alert opens an intervention, a closed report feeds a dataset), the
publisher sends one of the events below and the other side subscribes in its
``AppConfig.ready``. Handlers run after the publisher's transaction commits, so a
failing subscriber never undoes the publisher's work, and they receive plain data
(ids, codes), never model instances of another app.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Event:
    tenant_id: int


@dataclass(frozen=True, kw_only=True)
class SensorAlertRaised(Event):
    """A sensor or a digital twin detected an anomaly that needs a team on site."""

    alert_id: int
    kind: str  # e.g. "leak", "threshold", "silence"
    title: str
    description: str = ""
    lon: float | None = None
    lat: float | None = None
    service_slug: str = ""  # the team that should act, e.g. "eau"
    source: str = "sensors"


@dataclass(frozen=True, kw_only=True)
class ReportStatusChanged(Event):
    report_id: int
    status: str
    category_code: str
    closed: bool = False


@dataclass(frozen=True, kw_only=True)
class DossierDecided(Event):
    dossier_id: int
    procedure_slug: str
    decision: str


@dataclass(frozen=True, kw_only=True)
class InterventionClosed(Event):
    """An intervention opened on behalf of another module was completed."""

    intervention_id: int
    source: str
    source_ref: str
    closed_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class DatasetSourceChanged(Event):
    """A module's data published as open data changed and its dataset should refresh."""

    source_code: str
    details: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Any], None]
_subscribers: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[Event]) -> Callable[[Handler], Handler]:
    """Decorator: call the function with every published event of ``event_type``."""

    def register(handler: Handler) -> Handler:
        if handler not in _subscribers[event_type]:
            _subscribers[event_type].append(handler)
        return handler

    return register


def publish(event: Event) -> None:
    """Deliver ``event`` to its subscribers once the current transaction commits."""

    def deliver() -> None:
        for handler in list(_subscribers[type(event)]):
            try:
                handler(event)
            except Exception:
                # One broken subscriber must not stop the others nor the publisher.
                logger.exception("event handler failed", extra={"event": repr(event)})

    transaction.on_commit(deliver, robust=False)
