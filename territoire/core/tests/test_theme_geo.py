"""Theme colours and logos, district geometries: bad input is refused clearly."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from territoire.core.geo import contains, parse_polygon
from territoire.core.services import tenant_update_theme
from territoire.core.theme import contrast_ratio

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def test_contrast_ratio_known_values() -> None:
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54


@pytest.mark.django_db
def test_low_contrast_colour_refused_and_nothing_saved(tenant) -> None:  # type: ignore[no-untyped-def]
    before = tenant.colour_primary
    with pytest.raises(ValidationError) as exc:
        tenant_update_theme(
            actor=None, tenant=tenant, colour_primary="#ffff00", colour_accent="#a4372b"
        )
    assert "contrast" in str(exc.value.message_dict["colour_primary"])
    tenant.refresh_from_db()
    assert tenant.colour_primary == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload,why",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "image"),
        (b"GIF89a" + b"\0" * 100, "image"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (600 * 1024), "512"),
    ],
)
def test_bad_logos_refused(tenant, payload, why) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        tenant_update_theme(
            actor=None,
            tenant=tenant,
            colour_primary="#0b5a7a",
            colour_accent="#a4372b",
            logo=payload,
        )
    assert why in " ".join(exc.value.message_dict["logo"])


@pytest.mark.django_db
def test_logo_reencoded_without_metadata(tenant) -> None:  # type: ignore[no-untyped-def]
    img = Image.new("RGB", (1200, 600), "#0b5a7a")
    raw = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    img.save(raw, format="JPEG", exif=exif)
    tenant_update_theme(
        actor=None,
        tenant=tenant,
        colour_primary="#0b5a7a",
        colour_accent="#a4372b",
        logo=raw.getvalue(),
    )
    stored = Image.open(io.BytesIO(bytes(tenant.logo)))
    assert stored.format == "PNG" and stored.size == (400, 200)
    assert b"SecretCamera" not in bytes(tenant.logo)


def test_parse_polygon_accepts_feature_and_collection() -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": SQUARE}
    assert parse_polygon(json.dumps(feature))["type"] == "Polygon"
    assert parse_polygon({"type": "FeatureCollection", "features": [feature]})["type"] == "Polygon"


@pytest.mark.parametrize(
    "raw,message",
    [
        ("{not json", "GeoJSON valide"),
        ('{"type": "Point", "coordinates": [0, 0]}', "Polygon"),
        ('{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}', "pas valide"),
        ('{"type":"Polygon","coordinates":[[[0,0],[500,0],[500,1],[0,1],[0,0]]]}', "WGS 84"),
        ('{"type":"FeatureCollection","features":[]}', "exactement un"),
    ],
)
def test_parse_polygon_refuses_with_message(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_polygon(raw)
    assert message in exc.value.messages[0]


def test_point_in_polygon() -> None:
    assert contains(SQUARE, 0.5, 0.5)
    assert not contains(SQUARE, 1.5, 0.5)
