from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from territoire.core import timeseries
from territoire.twin.tests.fakes import MemoryProvider


@pytest.fixture
def ts() -> Iterator[MemoryProvider]:
    """A fresh in-memory provider, registered for the test, the previous one restored after."""
    previous = timeseries._provider
    fake = MemoryProvider()
    timeseries.register_provider(fake)
    try:
        yield fake
    finally:
        timeseries._provider = previous


@pytest.fixture
def valmont_districts(tenant: Any) -> list[Any]:
    """The demo's four quartiers of Valmont-sur-Mer, on the test tenant."""
    from territoire.core.demo import VALMONT_DISTRICTS
    from territoire.core.services import district_save

    return [
        district_save(actor="test", tenant=tenant, name=name, geometry=geom, population=pop)
        for name, (geom, pop) in VALMONT_DISTRICTS.items()
    ]
