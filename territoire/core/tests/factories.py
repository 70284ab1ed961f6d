"""Test factories (test code only, never imported by runtime modules)."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from territoire.core.models import District, LocalAuthority, Membership, Service, User

PASSWORD = "Correct-Horse-42!"


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority

    name = factory.Sequence(lambda n: f"Commune {n}")
    slug = factory.Sequence(lambda n: f"commune-{n}")
    kind = "commune"
    insee_code = factory.Sequence(lambda n: f"99{n % 1000:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name", locale="fr_FR")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    tenant = factory.SubFactory(LocalAuthorityFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    tenant = factory.SubFactory(LocalAuthorityFactory)
    name = factory.Sequence(lambda n: f"Quartier {n}")
    slug = factory.Sequence(lambda n: f"quartier-{n}")
    geometry = {
        "type": "Polygon",
        "coordinates": [[[2.0, 48.0], [2.1, 48.0], [2.1, 48.1], [2.0, 48.1], [2.0, 48.0]]],
    }


def member(tenant: LocalAuthority, role: str, user: User | None = None, **kw: Any) -> User:
    """A person holding ``role`` in ``tenant``; staff get an enrolled TOTP factor."""
    user = user or UserFactory(**kw)
    Membership.objects.get_or_create(tenant=tenant, user=user, role=role)
    if role != "resident" and not hasattr(user, "totp_secret"):
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        user.totp_secret = secret  # type: ignore[attr-defined]
    return user
