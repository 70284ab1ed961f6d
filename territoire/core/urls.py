from django.urls import URLPattern, URLResolver, include, path

from territoire.core import views
from territoire.core.backoffice import notifications as backoffice_notifications

# Mounted at "/" (global pages).
global_urlpatterns = [
    path("", views.index, name="index"),
    path("compte/profil/", views.profile, name="profile"),
    path("compte/accueil/", views.after_login, name="after_login"),
    path("compte/notifications/", backoffice_notifications.notifications, name="notifications"),
    path(
        "compte/notifications/lues/",
        backoffice_notifications.notifications_read,
        name="notifications_read",
    ),
    path("i18n/langue/", views.set_language, name="set_language"),
]

# Mounted at "/<tenant>/".
tenant_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("logo.png", views.logo, name="logo"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("confidentialite/", views.privacy, name="privacy"),
    path("gestion/", views.staff_home, name="staff_home"),
    path("gestion/administration/", include("territoire.core.backoffice.urls")),
]

urlpatterns = global_urlpatterns
