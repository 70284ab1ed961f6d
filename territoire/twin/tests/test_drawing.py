from __future__ import annotations

from territoire.twin import drawing


def test_projector_keeps_north_up_and_fits_the_view() -> None:
    points = [(-1.17, 46.14), (-1.13, 46.17), (-1.15, 46.155)]
    p = drawing.Projector.around(points, width=600)
    xs, ys = zip(*(p.xy(lon, lat) for lon, lat in points), strict=True)
    assert min(xs) >= 0 and max(xs) <= 600
    assert min(ys) >= 0 and max(ys) <= p.height
    west, east = p.xy(-1.17, 46.15), p.xy(-1.13, 46.15)
    south, north = p.xy(-1.15, 46.14), p.xy(-1.15, 46.17)
    assert west[0] < east[0]
    assert north[1] < south[1]  # SVG y grows downwards


def test_bars_scale_between_floor_and_top() -> None:
    chart = drawing.bars([("a", 100.0), ("b", 110.0)], reference=100.0, floor=90.0, height=130)
    a, b = chart["bars"]
    assert b["h"] > a["h"] > 0
    assert chart["ref_y"] == a["y"]  # bar at the reference reaches the dashed line
    assert chart["base_y"] == a["y"] + a["h"]
