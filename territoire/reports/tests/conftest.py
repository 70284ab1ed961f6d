"""Fixtures of the reports tests: a territory, categories, an Open311 key."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from territoire.core.services import apikey_create
from territoire.core.tests.factories import DistrictFactory, ServiceFactory
from territoire.reports import services
from territoire.reports.models import Category

INSIDE = (2.05, 48.05)  # (lon, lat) inside the test district
OUTSIDE = (3.5, 49.5)


@pytest.fixture
def district(tenant: Any) -> Any:
    return DistrictFactory(tenant=tenant, name="Centre", slug="centre")


@pytest.fixture
def team(tenant: Any) -> Any:
    return ServiceFactory(tenant=tenant, name="Voirie", slug="voirie")


@pytest.fixture
def pothole(tenant: Any, team: Any, district: Any) -> Category:
    return services.category_save(
        actor="test",
        tenant=tenant,
        service_code="voirie",
        name="Voirie",
        description="Nids-de-poule, chaussée abîmée",
        group="Espace public",
        keywords="trou, chaussée",
        service=team,
    )


@pytest.fixture
def bins(tenant: Any, district: Any) -> Category:
    return services.category_save(
        actor="test",
        tenant=tenant,
        service_code="depots-sauvages",
        name="Dépôts sauvages",
        attributes=[
            {
                "code": "volume",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "Volume approximatif",
                "values": [{"key": "petit", "name": "Un sac"}, {"key": "grand", "name": "Plus"}],
            },
            {"code": "remarque", "datatype": "string", "description": "Remarque"},
        ],
    )


@pytest.fixture
def api_key(tenant: Any) -> str:
    return apikey_create(actor="test", tenant=tenant, name="Appli", scopes=["open311"]).secret


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), exif: bool = False) -> bytes:
    img = Image.new("RGB", size, (200, 80, 40))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "CameraMaker"  # Make
        data[0x8825] = {2: (48.0, 3.0, 1.0), 1: "N"}  # GPS IFD
        img.save(out, format=fmt, exif=data)
    else:
        img.save(out, format=fmt)
    return out.getvalue()


def submit(tenant: Any, category: Category, **kw: Any) -> Any:
    sub = services.Submission(
        category=category,
        description=kw.pop("description", "Un trou profond"),
        lon=kw.pop("lon", INSIDE[0]),
        lat=kw.pop("lat", INSIDE[1]),
        address=kw.pop("address", ""),
        attributes=kw.pop("attributes", None),
    )
    kw.setdefault("source", "open311")
    return services.report_submit(tenant=tenant, submission=sub, **kw)
