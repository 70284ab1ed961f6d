from __future__ import annotations

import pytest

from territoire.twin import hydraulics
from territoire.twin.demo.water import net3_text


def test_net3_parses_with_coordinates_and_supply() -> None:
    parsed = hydraulics.parse_network(net3_text())
    kinds = {n.kind for n in parsed.nodes}
    assert kinds == {"junction", "tank", "reservoir"}
    assert sum(n.kind == "junction" for n in parsed.nodes) == 92
    assert len(parsed.links) == 119
    assert parsed.units == "GPM"


def test_placement_keeps_layout_and_centres_on_the_town() -> None:
    parsed = hydraulics.parse_network(net3_text())
    placed = hydraulics.place_on_map(
        parsed.nodes, centre_lon=-1.15, centre_lat=46.155, extent_m=3000
    )
    lons = [p[0] for p in placed.values()]
    lats = [p[1] for p in placed.values()]
    assert (max(lons) + min(lons)) / 2 == pytest.approx(-1.15, abs=1e-5)
    assert (max(lats) + min(lats)) / 2 == pytest.approx(46.155, abs=1e-5)
    # The longest side (x for Net3) spans 3 km: 3000 m / (111320 m * cos 46.155°) ≈ 0.0389°
    assert max(lons) - min(lons) == pytest.approx(0.03888, abs=2e-4)
    # Orientation kept: a node east of another in the drawing stays east on the map.
    by_name = {n.name: n for n in parsed.nodes}
    a, b = by_name["10"], by_name["15"]
    assert (a.x < b.x) == (placed["10"][0] < placed["15"][0])


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "vide"),
        ("hello world", "[JUNCTIONS]"),
        ("[JUNCTIONS]\n J1 abc 10\n[END]\n", "n'a pas pu être lu"),
    ],
)
def test_malformed_files_are_explained(text: str, fragment: str) -> None:
    with pytest.raises(hydraulics.NetworkFormatError) as exc:
        hydraulics.parse_network(text)
    assert fragment in str(exc.value)


def test_missing_coordinates_are_explained() -> None:
    text = net3_text()
    start = text.index("[COORDINATES]")
    end = text.index("[", start + 1)
    with pytest.raises(hydraulics.NetworkFormatError, match="COORDINATES"):
        hydraulics.parse_network(text[:start] + text[end:])


def test_leak_lowers_pressure_most_near_the_leak() -> None:
    base = hydraulics.simulate(net3_text(), hours=4)
    area = hydraulics.leak_area_for_flow(40, base.pressure["113"][2])
    leaky = hydraulics.simulate(net3_text(), hours=4, leak_node="113", leak_area_m2=area)
    assert leaky.leak_m3h[2] == pytest.approx(40, rel=0.1)
    drops = {n: leaky.pressure[n][2] - base.pressure[n][2] for n in base.pressure}
    assert drops["113"] < -0.05
    assert min(drops, key=lambda n: drops[n]) in {"113", "111", "115", "197"}
    assert all(len(v) == 5 for v in leaky.pressure.values())  # hourly steps only


def test_leak_area_follows_torricelli() -> None:
    # Q = Cd A sqrt(2 g h): 36 m³/h = 0.01 m³/s at 20 m head
    area = hydraulics.leak_area_for_flow(36, 20)
    assert area == pytest.approx(0.01 / (0.75 * (2 * 9.81 * 20) ** 0.5))
