"""Every public page of every module, for each demo tenant: axe-core clean, EcoIndex A.

Pages come from core and from each module's registered ``public_pages`` (core/modules.py),
so a new module's pages are checked without editing this file.
"""

from __future__ import annotations

from typing import Any

import pytest

from territoire.core.tests.browser import audit_page

pytestmark = pytest.mark.browser

TENANTS = ["rives-et-vallons", "valmont-sur-mer", "saint-aubin-des-vallons"]
CORE_PAGES = ["/", "/compte/login/", "/compte/signup/", "/compte/password/reset/"]
TENANT_PAGES = ["", "mentions-legales/", "accessibilite/", "confidentialite/"]


def public_paths() -> list[str]:
    """All public paths, resolved from the module registry against the demo tenants."""
    import django

    django.setup()
    from territoire.core import modules
    from territoire.core.models import LocalAuthority

    paths = list(CORE_PAGES)
    for slug in TENANTS:
        paths += [f"/{slug}/{p}" for p in TENANT_PAGES]
    tenants = list(LocalAuthority.objects.filter(slug__in=TENANTS))
    assert len(tenants) == len(TENANTS), "the demo tenants are missing"
    for module in modules.modules():
        if module.public_pages is None:
            continue
        for tenant in tenants:
            paths += module.public_pages(tenant)
    return list(dict.fromkeys(paths))


def test_public_pages_are_accessible_and_light(demo_server: Any, page: Any) -> None:
    from territoire.core.tests.browser import PageAudit

    audits: list[PageAudit] = []
    failures = []
    for path in _resolved_paths(demo_server):
        audit = audit_page(page, demo_server.url + path)
        audits.append(audit)
        if audit.violations:
            failures.append(f"{path}: axe: {audit.violation_summary()}")
        if audit.grade != "A":
            failures.append(
                f"{path}: EcoIndex {audit.grade} ({audit.ecoindex:.0f}; {audit.dom_nodes} nodes, "
                f"{audit.requests} requests, {audit.size_kb} KB)"
            )
    for a in audits:
        print(
            f"{a.url}  ecoindex={a.ecoindex:.0f} {a.grade}  dom={a.dom_nodes} "
            f"req={a.requests} size={a.size_kb}KB axe={len(a.violations)}"
        )
    assert len(audits) >= 16
    assert failures == [], "\n".join(failures)


def _resolved_paths(demo_server: Any) -> list[str]:
    """Module pages need real ids from the demo database: ask the server's own registry."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json;from territoire.core.tests.test_browser_public_pages import public_paths;"
        "print(json.dumps(public_paths()))"
    )
    env = {
        **os.environ,
        "TERRITOIRE_VAR_DIR": str(demo_server.var_dir),
        "DATABASE_URL": f"sqlite:///{demo_server.var_dir}/browser.sqlite3",
        "DJANGO_SETTINGS_MODULE": "territoire.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_harness_detects_violations_and_heavy_pages(
    demo_server: Any, page: Any, tmp_path: Any
) -> None:
    """The checks above can fail: a page with known defects is reported."""
    heavy = "".join(f"<div><span>{i}</span></div>" for i in range(1500))
    (tmp_path / "bad.html").write_text(
        f"<html><body><img src='x.png'><input type='text'>{heavy}</body></html>", encoding="utf-8"
    )
    audit = audit_page(page, (tmp_path / "bad.html").as_uri())
    ids = {v["id"] for v in audit.violations}
    assert {"image-alt", "html-has-lang", "label"} <= ids
    assert audit.grade != "A" and audit.dom_nodes > 3000
