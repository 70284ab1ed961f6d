"""Theme and identity, and API keys, from the back-office."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from territoire.core.models import ApiKey, AuditEntry, LocalAuthority
from territoire.core.services import apikey_create

pytestmark = pytest.mark.django_db


def url(tenant: Any, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant": tenant.slug, **kwargs})


def png(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def theme_data(**overrides: Any) -> dict[str, Any]:
    return {
        "colour_primary": "#123456",
        "colour_accent": "#7a2e0e",
        "contact_email": "mairie@example.org",
        "address": "1 place de la Mairie",
        "legal_notice": "Éditeur : la commune.",
        **overrides,
    }


def test_theme_update_with_logo(admin_client_tenant: Client, tenant: Any, admin_user: Any) -> None:
    data = theme_data(logo=SimpleUploadedFile("logo.png", png(), content_type="image/png"))
    response = admin_client_tenant.post(url(tenant, "core:admin_theme"), data)
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.colour_primary, tenant.colour_accent) == ("#123456", "#7a2e0e")
    assert tenant.contact_email == "mairie@example.org"
    assert tenant.legal_notice == "Éditeur : la commune."
    assert bytes(tenant.logo).startswith(b"\x89PNG")
    assert set(
        AuditEntry.objects.filter(
            tenant=tenant, actor=admin_user, action__startswith="tenant."
        ).values_list("action", flat=True)
    ) == {"tenant.theme", "tenant.identity"}
    # The public pages now use the new colours.
    home = Client().get(url(tenant, "core:home")).content.decode()
    assert "--brand:#123456" in home


def test_theme_page_shows_contrast_ratio(admin_client_tenant: Client, tenant: Any) -> None:
    page = admin_client_tenant.get(url(tenant, "core:admin_theme")).content.decode()
    assert re.search(r"contraste \d+,\d:1", page)


def test_low_contrast_colour_refused_with_ratio_and_nothing_saved(
    admin_client_tenant: Client, tenant: Any
) -> None:
    before = LocalAuthority.objects.get(pk=tenant.pk)
    response = admin_client_tenant.post(
        url(tenant, "core:admin_theme"),
        theme_data(colour_primary="#ffff00", legal_notice="Nouveau texte à garder"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert "pas assez contrastée" in page and "4,5:1" in page
    assert "insuffisant" in page  # the preview shows the failing ratio
    assert "Nouveau texte à garder" in page  # input kept
    after = LocalAuthority.objects.get(pk=tenant.pk)
    assert (after.colour_primary, after.legal_notice) == (
        before.colour_primary,
        before.legal_notice,
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"GIF89a" + b"\x00" * 40, "pas une image lisible"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "pas une image lisible"),
        (b"\x89PNG" + b"\x00" * (600 * 1024), "dépasse 512 Ko"),
    ],
)
def test_bad_logo_refused(
    admin_client_tenant: Client, tenant: Any, content: bytes, expected: str
) -> None:
    upload = SimpleUploadedFile("logo.png", content, content_type="image/png")
    response = admin_client_tenant.post(
        url(tenant, "core:admin_theme"), theme_data(colour_primary="#224466", logo=upload)
    )
    assert response.status_code == 200
    assert expected in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.colour_primary != "#224466"
    assert not tenant.logo


def test_bad_colour_format(admin_client_tenant: Client, tenant: Any) -> None:
    response = admin_client_tenant.post(
        url(tenant, "core:admin_theme"), theme_data(colour_accent="rouge")
    )
    assert "#RRVVBB" in response.content.decode()


def test_theme_of_other_tenant_untouched(
    admin_client_tenant: Client, tenant: Any, other_tenant: Any
) -> None:
    response = admin_client_tenant.post(url(other_tenant, "core:admin_theme"), theme_data())
    assert response.status_code == 403
    other_tenant.refresh_from_db()
    assert other_tenant.colour_primary != "#123456"


def test_key_created_shown_once_works_then_revoked(
    admin_client_tenant: Client, tenant: Any, admin_user: Any
) -> None:
    response = admin_client_tenant.post(
        url(tenant, "core:admin_apikey_create"), {"name": "Passerelle", "scopes": ["read"]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    secret = re.search(r'value="(trt_[^"]+)"', response.content.decode()).group(1)  # type: ignore[union-attr]
    key = ApiKey.objects.get(tenant=tenant, name="Passerelle")
    assert key.scopes == ["read"] and secret not in key.key_hash
    assert secret not in str(dict(admin_client_tenant.session))
    # Shown once: the list never shows it again.
    listing = admin_client_tenant.get(url(tenant, "core:admin_apikeys")).content.decode()
    assert "Passerelle" in listing and secret not in listing

    me = Client().get("/api/v1/me", headers={"authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json() == {"name": "Passerelle", "tenant": tenant.slug, "scopes": ["read"]}

    revoke = url(tenant, "core:admin_apikey_revoke", key_id=key.pk)
    assert "Révoquer définitivement" in admin_client_tenant.get(revoke).content.decode()
    assert admin_client_tenant.post(revoke).status_code == 302
    key.refresh_from_db()
    assert key.revoked is not None
    assert (
        Client().get("/api/v1/me", headers={"authorization": f"Bearer {secret}"}).status_code == 401
    )
    assert list(
        AuditEntry.objects.filter(actor=admin_user, object_id=str(key.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["apikey.create", "apikey.revoke"]


def test_key_form_errors(admin_client_tenant: Client, tenant: Any) -> None:
    response = admin_client_tenant.post(
        url(tenant, "core:admin_apikey_create"), {"name": "Sans droits"}
    )
    page = response.content.decode()
    assert "Choisissez au moins un droit" in page and 'value="Sans droits"' in page
    response = admin_client_tenant.post(
        url(tenant, "core:admin_apikey_create"), {"name": "X", "scopes": ["admin:all"]}
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_keys_list_filters_and_csv(
    admin_client_tenant: Client, tenant: Any, other_tenant: Any
) -> None:
    apikey_create(actor=None, tenant=tenant, name="Active", scopes=["read"])
    old = apikey_create(actor=None, tenant=tenant, name="Ancienne", scopes=["read"])
    apikey_create(actor=None, tenant=other_tenant, name="Étrangère", scopes=["read"])
    admin_client_tenant.post(url(tenant, "core:admin_apikey_revoke", key_id=old.key.pk))
    page = admin_client_tenant.get(
        url(tenant, "core:admin_apikeys"), {"state": "0"}
    ).content.decode()
    assert "<td>Active</td>" in page
    assert "<td>Ancienne</td>" not in page and "Étrangère" not in page
    response = admin_client_tenant.get(
        url(tenant, "core:admin_apikeys"), {"state": "1", "format": "csv"}
    )
    text = b"".join(response.streaming_content).decode()
    assert "Ancienne" in text and "Active" not in text and "trt_" in text


def test_foreign_key_cannot_be_revoked(
    admin_client_tenant: Client, tenant: Any, other_tenant: Any
) -> None:
    foreign = apikey_create(actor=None, tenant=other_tenant, name="Leur clé", scopes=["read"])
    response = admin_client_tenant.post(
        url(tenant, "core:admin_apikey_revoke", key_id=foreign.key.pk)
    )
    assert response.status_code == 404
    foreign.key.refresh_from_db()
    assert foreign.key.revoked is None
    me = Client().get("/api/v1/me", {"api_key": foreign.secret})
    assert me.status_code == 200
