"""Browser-test harness: a real demo server, Debian's Chromium, axe-core and EcoIndex.

Used by every module's browser tests through the fixtures in the root conftest.py.
"""

from __future__ import annotations

import asyncio
import email
import email.message
import email.policy
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


TOTP_STEP = 30
# One-time codes already spent in this test session, as (secret, time step): the server
# refuses a code used twice, and several tests log the same demo agent in.
_spent_codes: set[tuple[str, int]] = set()


def label(text: str) -> re.Pattern[str]:
    """A form label as rendered in French, with Django's " :" suffix."""
    return re.compile(rf"^{re.escape(text)}\W*$")


def totp_code(secret: str) -> str:
    """A TOTP code the server will accept: never one already spent, never about to expire.

    The server accepts each code once and only in its own 30-second step, so when this
    session already used the current step's code (or the step ends in under 3 seconds)
    this waits for the next step.
    """
    while True:
        now = time.time()
        step, into = divmod(now, TOTP_STEP)
        if (secret, int(step)) in _spent_codes or TOTP_STEP - into < 3:
            time.sleep(TOTP_STEP - into + 0.2)
            continue
        _spent_codes.add((secret, int(step)))
        return str(pyotp.TOTP(secret).at(now))


def log_in(page: Any, base: str, login: dict[str, str]) -> None:
    """Log in through the real form, with the second factor when the account has one."""
    page.goto(f"{base}/compte/login/")
    page.get_by_label(label("Courriel")).fill(login["email"])
    page.get_by_label(label("Mot de passe")).fill(login["password"])
    page.get_by_role("button", name="Connexion").click()
    if "totp" in login:
        page.get_by_label(label("Code")).fill(totp_code(login["totp"]))
        page.get_by_role("button", name="Connexion").click()
        page.wait_for_load_state()
        assert "/compte/2fa/" not in page.url, f"second factor refused for {login['email']}"


@dataclass
class DemoServer:
    url: str
    var_dir: Path
    mail_dir: Path
    logins: dict[str, dict[str, str]] = field(default_factory=dict)  # "slug:role" → data
    process: subprocess.Popen[bytes] | None = None

    def mails(self) -> list[str]:
        """Bodies of the e-mails sent so far (the file backend writes one file per batch)."""
        bodies = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for raw in path.read_text(encoding="utf-8", errors="replace").split("-" * 79):
                if raw.strip():
                    msg = email.message_from_bytes(
                        raw.strip().encode("utf-8"), policy=email.policy.default
                    )
                    assert isinstance(msg, email.message.EmailMessage)
                    body = msg.get_body(preferencelist=("plain", "html"))
                    bodies.append(body.get_content() if body is not None else raw)
        return bodies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _parse_logins(output: str) -> dict[str, dict[str, str]]:
    logins: dict[str, dict[str, str]] = {}
    tenant = ""
    last = ""
    for line in output.splitlines():
        m = re.match(r"^\S.*\(/([a-z0-9-]+)/\)$", line)
        if m:
            tenant = m.group(1)
            continue
        m = re.match(r"^\s+(\w+)\s+(\S+@\S+)\s+mot de passe : (\S+)", line)
        if m:
            last = f"{tenant}:{m.group(1)}"
            logins[last] = {"email": m.group(2), "password": m.group(3)}
            continue
        m = re.match(r"^\s+TOTP .*: ([A-Z2-7]+)$", line)
        if m and last:
            logins[last]["totp"] = m.group(1)
    return logins


def start_demo_server(base: Path) -> DemoServer:
    var_dir = base / "var"
    mail_dir = base / "mails"
    mail_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "TERRITOIRE_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir}/browser.sqlite3",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        # Tiles cannot load here (no network): pages must stay usable without them.
        "MAP_TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png",
        "WEB_CONCURRENCY": "2",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    demo = subprocess.run(
        [sys.executable, "-m", "territoire", "demo", "--reset"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if demo.returncode != 0:
        raise RuntimeError("territoire demo failed:\n" + demo.stderr[-5000:])
    port = free_port()
    server = DemoServer(
        url=f"http://127.0.0.1:{port}",
        var_dir=var_dir,
        mail_dir=mail_dir,
        logins=_parse_logins(demo.stdout),
    )
    log = open(base / "server.log", "wb")  # noqa: SIM115 - closed with the process
    server.process = subprocess.Popen(
        [sys.executable, "-m", "territoire", "serve", "--port", str(port), "--no-migrate"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.process.terminate()
    raise RuntimeError("demo server did not start: " + (base / "server.log").read_text()[-3000:])


def stop_demo_server(server: DemoServer) -> None:
    if server.process is not None:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()


@dataclass
class PageAudit:
    url: str
    violations: list[dict[str, Any]]
    dom_nodes: int
    requests: int
    size_kb: float
    ecoindex: float
    grade: str

    def violation_summary(self) -> str:
        return "; ".join(
            f"{v['id']} ({v['impact']}): "
            + ", ".join(n["target"][0] if n.get("target") else "?" for n in v["nodes"][:3])
            for v in self.violations
        )


def audit_page(page: Any, url: str) -> PageAudit:
    """Load ``url`` cold, run axe-core (WCAG 2.1 A/AA), compute its EcoIndex."""
    from axe_playwright_python.sync_playwright import Axe
    from ecoindex.compute import compute_ecoindex

    sizes: list[int] = []

    def on_response(response: Any) -> None:
        try:
            length = response.headers.get("content-length")
            sizes.append(int(length) if length else len(response.body()))
        except Exception:
            sizes.append(0)

    page.on("response", on_response)
    response = page.goto(url, wait_until="networkidle")
    if url.startswith("http"):
        assert response is not None and response.status == 200, (
            f"{url}: HTTP {response and response.status}"
        )
    page.remove_listener("response", on_response)
    dom = page.evaluate(
        "() => { let n = document.getElementsByTagName('*').length;"
        " for (const s of document.getElementsByTagName('svg')) n -= s.getElementsByTagName('*').length;"
        " return n; }"
    )
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response.get("violations", [])
    size_kb = sum(sizes) / 1024
    # Playwright's sync API owns this thread's event loop: compute in another thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        eco = pool.submit(
            asyncio.run, compute_ecoindex(nodes=dom, size=size_kb, requests=len(sizes))
        ).result()
    grade = getattr(eco.grade, "value", eco.grade)
    return PageAudit(url, violations, dom, len(sizes), round(size_kb, 1), eco.score, str(grade))
