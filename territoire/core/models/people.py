"""People: one account per person (e-mail log-in), roles per collectivité."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoire.core.models.tenancy import LocalAuthority, TenantOwned, TenantQuerySet


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Minimal data: an e-mail address, a display name, a language."""

    email = models.EmailField(_("adresse électronique"), unique=True)
    display_name = models.CharField(_("nom affiché"), max_length=120, blank=True)
    language = models.CharField(
        _("langue"), max_length=5, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )
    is_active = models.BooleanField(_("actif"), default=True)
    # Only for the instance operators' Django admin; collectivité staff use roles.
    is_staff = models.BooleanField(_("exploitant de l'instance"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")

    def __str__(self) -> str:
        return self.display_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    RESIDENT = "resident", _("Habitant")
    AGENT = "agent", _("Agent")
    ELECTED = "elected", _("Élu")
    DPO = "dpo", _("Délégué à la protection des données")
    ADMIN = "admin", _("Administrateur")


STAFF_ROLES = frozenset({Role.AGENT, Role.ELECTED, Role.DPO, Role.ADMIN})


class Service(TenantOwned):
    """A service of the collectivité (voirie, eau, état civil…): agents belong to some."""

    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=120)
    email = models.EmailField(_("adresse du service"), blank=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="service_slug_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(TenantQuerySet["Membership"]):
    def active(self) -> Self:
        return self.filter(is_active=True, user__is_active=True)

    def staff(self) -> Self:
        return self.filter(role__in=STAFF_ROLES)


class Membership(TenantOwned):
    """One role of one person in one collectivité (a person may hold several)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    services = models.ManyToManyField(Service, verbose_name=_("services"), blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.tenant_id}"


def roles_of(user: Any, tenant: LocalAuthority) -> set[str]:
    """The active roles ``user`` holds in ``tenant`` (empty for anonymous people)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache: dict[int, set[str]] = user.__dict__.setdefault("_roles_cache", {})
    if tenant.pk not in cache:
        cache[tenant.pk] = set(
            Membership.objects.for_tenant(tenant)
            .active()
            .filter(user=user)
            .values_list("role", flat=True)
        )
    return cache[tenant.pk]
