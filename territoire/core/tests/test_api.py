"""The API shell: OpenAPI, docs without CDN, JSON errors, pagination, rate limits."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from territoire.core.tests.factories import DistrictFactory


@pytest.mark.django_db
def test_openapi_document_and_local_docs(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Territoire API"
    assert "/api/v1/districts" in spec["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in docs and "unpkg" not in docs


@pytest.mark.django_db
def test_pagination_with_count_and_links(client, tenant) -> None:  # type: ignore[no-untyped-def]
    DistrictFactory.create_batch(5, tenant=tenant)
    page = client.get(f"/api/v1/districts?tenant={tenant.slug}&page_size=2").json()
    assert page["count"] == 5 and len(page["results"]) == 2
    assert "page=2" in page["next"] and page["previous"] is None
    last = client.get(f"/api/v1/districts?tenant={tenant.slug}&page_size=2&page=3").json()
    assert len(last["results"]) == 1 and last["next"] is None


@pytest.mark.django_db
def test_tenant_scoping_of_public_reads(client, tenant, other_tenant) -> None:  # type: ignore[no-untyped-def]
    DistrictFactory(tenant=tenant, name="Chez nous")
    DistrictFactory(tenant=other_tenant, name="Chez eux")
    names = [
        d["name"] for d in client.get(f"/api/v1/districts?tenant={tenant.slug}").json()["results"]
    ]
    assert names == ["Chez nous"]


@pytest.mark.django_db
def test_errors_are_json_in_french_by_default_english_on_request(client) -> None:  # type: ignore[no-untyped-def]
    fr = client.get("/api/v1/districts?tenant=nowhere")
    assert fr.status_code == 404 and fr.json()["message"].startswith("Collectivité inconnue")
    missing = client.get("/api/v1/districts")
    assert missing.status_code == 400 and "tenant" in missing.json()["message"]
    bad = client.get("/api/v1/districts?tenant=x&page=zero")
    assert bad.status_code == 422 and bad.json()["errors"]
    assert client.get("/api/v1/nothing-here").status_code == 404


@pytest.mark.django_db
def test_english_messages_available(client) -> None:  # type: ignore[no-untyped-def]
    en = client.get("/api/v1/districts", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["message"] == "Specify the local authority with the “tenant” parameter."


@pytest.mark.django_db
def test_rate_limit_per_ip(client, settings, tenant) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    settings.API_RATE_ANON = "3/min"
    codes = [client.get(f"/api/v1/districts?tenant={tenant.slug}").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    response = client.get(f"/api/v1/districts?tenant={tenant.slug}")
    assert response.json()["message"] and response["Retry-After"]
    cache.clear()


@pytest.mark.django_db
def test_rate_limit_per_key_is_separate_from_ip(client, settings, tenant, admin_user) -> None:  # type: ignore[no-untyped-def]
    from territoire.core.services import apikey_create

    cache.clear()
    settings.API_RATE_ANON = "2/min"
    settings.API_RATE_KEY = "4/min"
    secret = apikey_create(actor=admin_user, tenant=tenant, name="k", scopes=["read"]).secret
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    codes = [client.get("/api/v1/me", **auth).status_code for _ in range(6)]
    assert codes == [200, 200, 200, 200, 429, 429]
    cache.clear()


@pytest.mark.django_db
def test_oversized_body_is_refused_cleanly(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/compte/login/", data="x=" + "a" * 5000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/districts?tenant=%00",
        "/api/v1/districts?tenant=valmont&page=1%00",
        "/api/v1/districts?na%00me=x",
    ],
)
def test_nul_character_in_api_parameters_is_a_clear_400(client, url) -> None:  # type: ignore[no-untyped-def]
    # PostgreSQL refuses NUL in text: without the check this was a server error.
    response = client.get(url)
    assert response.status_code == 400
    assert "caractère nul" in response.json()["message"]
    english = client.get(url, headers={"accept-language": "en"})
    assert "NUL character" in english.json()["message"]


@pytest.mark.django_db
def test_nul_character_in_page_parameters_is_a_clear_400(client, tenant) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/{tenant.slug}/?q=a%00b")
    assert response.status_code == 400
    assert "caractère nul" in response.content.decode()
    assert client.get(f"/{tenant.slug}/").status_code == 200
