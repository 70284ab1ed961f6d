"""The open-data source ``sensors.daily``: registered, honest flags, completed days only."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from territoire.core.datasources import get_source
from territoire.sensors.datasources import daily_rows
from territoire.sensors.ingestion import Candidate, day_start, store
from territoire.sensors.tests.factories import SensorFactory


def test_source_is_registered_with_people_counts_flagged() -> None:
    source = get_source("sensors.daily")
    assert source is not None and source.module == "sensors"
    flagged = {c.name for c in source.columns if c.counts_people}
    assert flagged == {"personnes_total", "personnes_moyenne", "personnes_max"}
    assert not any(c.personal or c.quasi_identifier for c in source.columns)
    assert (source.lon_column, source.lat_column) == ("longitude", "latitude")


def test_pool_counts_go_to_people_columns_air_to_measures(tenant: Any) -> None:
    pool = SensorFactory(tenant=tenant, ref="PISC-01", kind="people_counter")
    air = SensorFactory(tenant=tenant, ref="AIR-01", kind="air_quality")
    yesterday = day_start(timezone.now()) - timedelta(hours=12)
    store(
        [Candidate.of(pool, "count", yesterday + timedelta(hours=h), 5.0 + h) for h in range(3)]
        + [
            Candidate.of(air, "pm25", yesterday, 4.0),
            Candidate.of(air, "pm25", timezone.now(), 9.0),
        ]
    )
    rows = {(r["capteur"], r["grandeur"]): r for r in daily_rows(tenant)}
    assert set(rows) == {("PISC-01", "count"), ("AIR-01", "pm25")}  # today's day is left out
    people = rows[("PISC-01", "count")]
    assert (people["personnes_total"], people["personnes_max"]) == (18, 7)
    assert people["minimum"] is people["moyenne"] is people["maximum"] is None
    air_row = rows[("AIR-01", "pm25")]
    assert (air_row["minimum"], air_row["moyenne"], air_row["maximum"]) == (4.0, 4.0, 4.0)
    assert air_row["personnes_total"] is None and air_row["unite"] == "µg/m³"
