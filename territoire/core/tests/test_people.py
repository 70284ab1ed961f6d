"""People, passwords and roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from territoire.core.models import User
from territoire.core.passwords import CnilPasswordValidator
from territoire.core.services import membership_grant, membership_revoke, staff_invite
from territoire.core.tests.factories import member


@pytest.mark.parametrize(
    "password",
    [
        "Abcdefgh12!x",  # 12 characters, 4 classes
        "Abcdefghij1234",  # 14 characters, 3 classes
        "le chat dort sous la table verte",  # passphrase of 7 words
    ],
)
def test_cnil_accepts(password: str) -> None:
    CnilPasswordValidator().validate(password)


@pytest.mark.parametrize(
    "password",
    [
        "Abcdefg12!x",  # 11 characters
        "abcdefgh12!x",  # 12 characters, 3 classes only
        "abcdefghij1234",  # 14 characters, 2 classes
        "chat chat chat chat chat chat chat",  # repeated words are not a passphrase
    ],
)
def test_cnil_refuses(password: str) -> None:
    with pytest.raises(ValidationError) as exc:
        CnilPasswordValidator().validate(password)
    assert "12 caractères" in exc.value.messages[0]


@pytest.mark.django_db
def test_common_password_refused_even_if_long_enough() -> None:
    # 14 characters from 3 classes satisfies the CNIL rule, but it is a keyboard walk
    # from Django's list of the most common passwords.
    CnilPasswordValidator().validate("1Q2w3e4r5t6y7u")
    with pytest.raises(ValidationError) as exc:
        validate_password("1Q2w3e4r5t6y7u")
    assert any("courant" in m or "common" in m for m in exc.value.messages)


@pytest.mark.django_db
def test_passwords_hashed_with_argon2(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = User.objects.create_user("argon@example.org", "Abcdefgh12!x")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("Abcdefgh12!x")


@pytest.mark.django_db
def test_email_is_case_insensitive_login_identifier() -> None:
    user = User.objects.create_user("  Camille.Martin@Example.ORG ", "Abcdefgh12!x")
    assert user.email == "camille.martin@example.org"


@pytest.mark.django_db
def test_roles_are_per_tenant(tenant, other_tenant) -> None:  # type: ignore[no-untyped-def]
    from territoire.core.models.people import roles_of

    user = member(tenant, "agent")
    assert roles_of(user, tenant) == {"agent"}
    assert roles_of(user, other_tenant) == set()


@pytest.mark.django_db
def test_staff_invite_creates_account_without_usable_password(tenant, admin_user) -> None:  # type: ignore[no-untyped-def]
    user, membership, created = staff_invite(
        actor=admin_user, tenant=tenant, email="New.Agent@Example.org", role="agent"
    )
    assert created and user.email == "new.agent@example.org"
    assert not user.has_usable_password()
    assert membership.role == "agent"


@pytest.mark.django_db
def test_admin_cannot_remove_own_admin_role(tenant, admin_user) -> None:  # type: ignore[no-untyped-def]
    membership = admin_user.memberships.get(role="admin")
    with pytest.raises(ValidationError):
        membership_revoke(actor=admin_user, membership=membership)
    membership.refresh_from_db()
    assert membership.is_active


@pytest.mark.django_db
def test_service_of_another_tenant_refused(tenant, other_tenant, admin_user) -> None:  # type: ignore[no-untyped-def]
    from territoire.core.tests.factories import ServiceFactory, UserFactory

    foreign = ServiceFactory(tenant=other_tenant)
    with pytest.raises(ValidationError):
        membership_grant(
            actor=admin_user, tenant=tenant, user=UserFactory(), role="agent", services=[foreign]
        )
