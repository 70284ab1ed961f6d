"""GeoJSON helpers: district outlines are checked with Shapely before they are saved."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

POLYGON_TYPES = {"Polygon", "MultiPolygon"}


def parse_polygon(raw: str | dict[str, Any]) -> dict[str, Any]:
    """Return a GeoJSON Polygon/MultiPolygon geometry from text or a parsed object.

    Accepts a bare geometry, a Feature, or a FeatureCollection holding one feature.
    Raises ValidationError with a message a person can act on.
    """
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("Ce texte n'est pas du GeoJSON valide (ligne %(line)s) : %(msg)s")
                % {"line": exc.lineno, "msg": exc.msg}
            ) from exc
    else:
        data = raw
    if not isinstance(data, dict):
        raise ValidationError(_("Le GeoJSON doit être un objet."))
    if data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise ValidationError(
                _("La collection doit contenir exactement un contour (elle en a %(n)s).")
                % {"n": len(features)}
            )
        data = features[0]
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
    if data.get("type") not in POLYGON_TYPES:
        raise ValidationError(
            _("Un quartier se dessine avec un Polygon ou un MultiPolygon, pas « %(t)s ».")
            % {"t": data.get("type")}
        )
    try:
        geom = shape(data)
    except (ValueError, TypeError, IndexError, AttributeError) as exc:
        raise ValidationError(_("Les coordonnées du contour sont incorrectes.")) from exc
    if geom.is_empty or not geom.is_valid:
        raise ValidationError(
            _("Le contour n'est pas valide : %(why)s") % {"why": explain_validity(geom)}
        )
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError(_("Les coordonnées doivent être en longitude, latitude (WGS 84)."))
    return {"type": data["type"], "coordinates": data["coordinates"]}


@lru_cache(maxsize=256)
def _shape_of(geojson_text: str) -> BaseGeometry:
    return shape(json.loads(geojson_text))


def contains(geometry: dict[str, Any], lon: float, lat: float) -> bool:
    """Whether the point (lon, lat) lies in the GeoJSON polygon ``geometry``."""
    return bool(_shape_of(json.dumps(geometry, sort_keys=True)).covers(Point(lon, lat)))


def centroid(geometry: dict[str, Any]) -> tuple[float, float]:
    c = _shape_of(json.dumps(geometry, sort_keys=True)).centroid
    return (c.x, c.y)
