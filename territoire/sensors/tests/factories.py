"""Test factories of the sensors module (test code only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import factory

from territoire.core.models import LocalAuthority
from territoire.core.services import apikey_create
from territoire.core.tests.factories import LocalAuthorityFactory
from territoire.sensors.catalog import KINDS
from territoire.sensors.models import DeviceProfile, Sensor

FIXTURES = Path(__file__).resolve().parent.parent / "integrations" / "chirpstack" / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


class SensorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sensor

    tenant = factory.SubFactory(LocalAuthorityFactory)
    ref = factory.Sequence(lambda n: f"CAP-{n:04d}")
    name = factory.Sequence(lambda n: f"Capteur {n}")
    kind = "air_quality"
    quantities = factory.LazyAttribute(lambda o: list(KINDS[o.kind].quantities))
    lon = -1.16
    lat = 46.15
    is_public = factory.LazyAttribute(lambda o: KINDS[o.kind].public)


class DeviceProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceProfile

    tenant = factory.SubFactory(LocalAuthorityFactory)
    name = factory.Sequence(lambda n: f"Profil {n}")
    decoder = "water_meter_v1"


def api_key(tenant: LocalAuthority, *scopes: str) -> str:
    return apikey_create(actor="test", tenant=tenant, name="test", scopes=list(scopes)).secret
