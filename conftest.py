"""Fixtures shared by every app's tests: two tenants, people in roles, clients."""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

import pytest
from django.test import Client

from territoire.core.tests.factories import LocalAuthorityFactory, member

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    """Tests talk to local services only (PostgreSQL, Redis, Mosquitto, the test server)."""
    host = address[0] if isinstance(address, tuple) else None
    if host is not None:
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = host in ("localhost",)
        if not local:
            raise OSError(f"Outbound network is blocked in tests (tried {host}).")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _block_outbound_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Every test starts and ends with an empty cache (the process's LocMem cache).

    The API's rate limits and the Open311 lists count and cache there, keyed by client IP
    and tenant id; both repeat from test to test, so a test must not see what an earlier
    one left behind.
    """
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 is the production hasher (tested in core/tests/test_people.py); elsewhere a
    # fast hasher keeps the suite quick.
    if os.environ.get("TERRITOIRE_TEST_REAL_HASHER") != "1":
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tenant(db: Any) -> Any:
    return LocalAuthorityFactory(name="Valmont-Test", slug="valmont-test")


@pytest.fixture
def other_tenant(db: Any) -> Any:
    return LocalAuthorityFactory(name="Autre-Commune", slug="autre-commune")


@pytest.fixture
def resident(tenant: Any) -> Any:
    return member(tenant, "resident")


@pytest.fixture
def agent(tenant: Any) -> Any:
    return member(tenant, "agent")


@pytest.fixture
def admin_user(tenant: Any) -> Any:
    return member(tenant, "admin")


@pytest.fixture
def elected(tenant: Any) -> Any:
    return member(tenant, "elected")


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def resident_client(resident: Any) -> Client:
    return logged_in(resident)


@pytest.fixture
def agent_client(agent: Any) -> Client:
    return logged_in(agent)


@pytest.fixture
def admin_client_tenant(admin_user: Any) -> Client:
    return logged_in(admin_user)


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a local service is down, except under CI where it must be up."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError:
        message = f"{name} is not reachable at {host}:{port}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: services must run).")
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    # Production serves hashed files from `collectstatic`'s manifest; tests render
    # templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# --- Browser tests (marker "browser"): one demo server and one Chromium per session ------


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from territoire.core.tests.browser import CHROMIUM, start_demo_server, stop_demo_server

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing (CI=true: apt-get install -y chromium).")
        pytest.skip(f"{CHROMIUM} is missing")
    server = start_demo_server(tmp_path_factory.mktemp("demo"))
    yield server
    stop_demo_server(server)


@pytest.fixture(scope="session")
def browser(demo_server: Any) -> Any:
    from playwright.sync_api import sync_playwright

    from territoire.core.tests.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(locale="fr-FR")
    pg = context.new_page()
    pg.set_default_timeout(20000)
    yield pg
    context.close()
