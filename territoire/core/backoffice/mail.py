"""The invitation e-mail of a new staff member: a link to choose their password.

The link is allauth's own "password reset from key" link, so the person lands on the
usual, tested page; it is valid as long as allauth's reset links are (then the
"forgotten password" page gives a new one). The token is built when the mail is
sent, inside the task, so no secret travels through the task queue.
"""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from territoire.core.models import LocalAuthority, User
from territoire.core.models.people import Role


def password_set_path(user: User) -> str:
    return reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )


@task()
def send_staff_invitation(user_id: int, tenant_id: int, role: str, base_url: str) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    tenant = LocalAuthority.objects.filter(pk=tenant_id).first()
    if user is None or tenant is None:
        return False
    with translation.override(user.language):
        link = base_url.rstrip("/") + password_set_path(user)
        role_label = str(Role(role).label) if role in Role.values else role
        subject = _("[%(tenant)s] Invitation à la gestion en ligne") % {"tenant": tenant.name}
        body = _(
            "Bonjour,\n\n"
            "Vous avez reçu le rôle « %(role)s » dans l'espace de gestion de %(tenant)s.\n\n"
            "Pour activer votre compte, choisissez votre mot de passe en suivant ce lien :\n"
            "%(link)s\n\n"
            "Lors de votre première connexion, vous configurerez une application "
            "d'authentification (double authentification obligatoire pour les agents).\n\n"
            "Si ce lien a expiré, utilisez « Mot de passe oublié » sur la page de connexion "
            "avec cette adresse.\n"
            "Si vous n'attendiez pas ce message, ignorez-le."
        ) % {"role": role_label, "tenant": tenant.name, "link": link}
        send_mail(subject, body, None, [user.email])
    return True
