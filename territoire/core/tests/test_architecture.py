"""The modular-monolith rule: business apps never import each other; core imports none."""

from __future__ import annotations

from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parents[2]
BUSINESS = sorted(p.parent.name for p in PACKAGE.glob("*/apps.py") if p.parent.name != "core")


def test_business_apps_are_independent() -> None:
    graph = grimp.build_graph("territoire", cache_dir=None)
    offenders = []
    for a in BUSINESS:
        for b in BUSINESS:
            if a != b and graph.chain_exists(
                f"territoire.{a}", f"territoire.{b}", as_packages=True
            ):
                offenders.append(f"{a} → {b}")
    assert offenders == [], "business apps import each other: " + ", ".join(offenders)


def test_core_imports_no_business_app() -> None:
    graph = grimp.build_graph("territoire", cache_dir=None)
    for app in BUSINESS:
        assert not graph.chain_exists("territoire.core", f"territoire.{app}", as_packages=True), app


def test_rule_is_checked_on_a_real_graph() -> None:
    # Guard against a vacuous pass: the graph does see core's own internal imports.
    graph = grimp.build_graph("territoire", cache_dir=None)
    assert graph.chain_exists("territoire.core.views", "territoire.core.services")
