"""Property-based API test (schemathesis): no input makes any endpoint answer 5xx.

Runs against the OpenAPI document the API publishes, so every module's router is
covered as soon as it is mounted.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def fuzz_data(db):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    from territoire.core.tests.factories import DistrictFactory, LocalAuthorityFactory

    cache.clear()
    DistrictFactory(tenant=LocalAuthorityFactory(slug="fuzz"))
    # As Django's test client does: the raw WSGI handler would otherwise close the test's
    # database connection (and its transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_errors(case, fuzz_data) -> None:  # type: ignore[no-untyped-def]
    with override_settings(API_RATE_ANON="100000/min", API_RATE_KEY="100000/min"):
        response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"
    if response.status_code >= 400 and "json" in response.headers.get("Content-Type", [""])[0]:
        assert "message" in response.json()
