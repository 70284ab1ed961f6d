"""Reactions of the twin to other modules' events (core/events.py)."""

from __future__ import annotations

from territoire.core import events
from territoire.twin.models import Leak, LeakStatus


@events.subscribe(events.InterventionClosed)
def on_intervention_closed(event: events.InterventionClosed) -> None:
    """The water team closed the intervention opened for one of our leaks: it is repaired."""
    if event.source != "twin":
        return
    ref = event.source_ref.rsplit(":", 1)[-1]
    if not ref.isdigit():
        return
    from territoire.twin.services.water import leak_transition

    leak = Leak.objects.filter(tenant_id=event.tenant_id, pk=int(ref)).open().first()
    if leak is not None:
        leak_transition(
            actor="signalements", leak=leak, to=LeakStatus.REPAIRED, reason="intervention terminée"
        )
