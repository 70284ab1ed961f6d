"""API keys: shown once, stored hashed, scoped, tenant-bound, revocable; both transports."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from territoire.core.models import ApiKey
from territoire.core.services import apikey_create, apikey_revoke, hash_api_key


@pytest.mark.django_db
def test_key_is_stored_hashed(tenant, admin_user) -> None:  # type: ignore[no-untyped-def]
    new = apikey_create(actor=admin_user, tenant=tenant, name="Délégataire eau", scopes=["read"])
    row = ApiKey.objects.get(pk=new.key.pk)
    assert new.secret.startswith(f"trt_{row.prefix}_")
    assert row.key_hash == hash_api_key(new.secret)
    assert new.secret not in str(ApiKey.objects.filter(pk=row.pk).values().get())


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["bearer", "query"])
def test_key_accepted_by_header_or_parameter(client, tenant, admin_user, how) -> None:  # type: ignore[no-untyped-def]
    secret = apikey_create(
        actor=admin_user, tenant=tenant, name="k", scopes=["sensors:write"]
    ).secret
    if how == "bearer":
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    else:
        response = client.get(f"/api/v1/me?api_key={secret}")
    assert response.status_code == 200
    assert response.json() == {"name": "k", "tenant": tenant.slug, "scopes": ["sensors:write"]}


@pytest.mark.django_db
def test_revoked_and_forged_keys_refused_with_json_message(client, tenant, admin_user) -> None:  # type: ignore[no-untyped-def]
    new = apikey_create(actor=admin_user, tenant=tenant, name="k", scopes=["read"])
    apikey_revoke(actor=admin_user, key=new.key)
    for raw in (new.secret, "trt_deadbeef_forged", "not-a-key", "x" * 5000):
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 401
        assert "message" in response.json()


@pytest.mark.django_db
def test_unknown_scope_refused(tenant, admin_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        apikey_create(actor=admin_user, tenant=tenant, name="k", scopes=["everything"])


@pytest.mark.django_db
def test_key_of_one_tenant_cannot_read_another(client, tenant, other_tenant, admin_user) -> None:  # type: ignore[no-untyped-def]
    secret = apikey_create(actor=admin_user, tenant=tenant, name="k", scopes=["read"]).secret
    response = client.get(
        f"/api/v1/districts?tenant={other_tenant.slug}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_cli_create_prints_key_once_then_revoke(tenant, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command(
        "apikey", "create", "Capteurs", "--tenant", tenant.slug, "--scopes", "sensors:write,read"
    )
    secret = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(key_hash=hash_api_key(secret))
    assert key.tenant == tenant and key.scopes == ["read", "sensors:write"]
    call_command("apikey", "list", "--tenant", tenant.slug)
    listing = capsys.readouterr().out
    assert secret not in listing and f"trt_{key.prefix}_" in listing
    call_command("apikey", "revoke", secret, "--tenant", tenant.slug)
    key.refresh_from_db()
    assert key.revoked is not None


@pytest.mark.django_db
def test_cli_unknown_tenant_is_a_clear_error(db) -> None:  # type: ignore[no-untyped-def]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown collectivité"):
        call_command("apikey", "create", "x", "--tenant", "nowhere", "--scopes", "read")
