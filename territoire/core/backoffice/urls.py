"""Mounted inside core's tenant URLs at ``/<tenant>/gestion/administration/``.

No ``app_name``: the names live in core's namespace (``core:admin_people``), with an
``admin_`` prefix so they cannot clash with core's other pages.
"""

from django.urls import path

from territoire.core.backoffice import apikeys, audit, districts, home, people, theme

urlpatterns = [
    path("", home.index, name="admin_index"),
    path("personnes/", people.people, name="admin_people"),
    path("personnes/inviter/", people.person_invite, name="admin_person_invite"),
    path("personnes/<int:user_id>/", people.person, name="admin_person"),
    path(
        "personnes/<int:user_id>/reinviter/", people.person_reinvite, name="admin_person_reinvite"
    ),
    path(
        "roles/<int:membership_id>/retirer/",
        people.membership_withdraw,
        name="admin_membership_withdraw",
    ),
    path("services/", people.services, name="admin_services"),
    path("services/<int:service_id>/", people.service_edit, name="admin_service_edit"),
    path("quartiers/", districts.districts, name="admin_districts"),
    path("quartiers/nouveau/", districts.district_edit, name="admin_district_create"),
    path("quartiers/<int:district_id>/", districts.district_edit, name="admin_district_edit"),
    path(
        "quartiers/<int:district_id>/supprimer/",
        districts.district_remove,
        name="admin_district_delete",
    ),
    path("quartiers.geojson", districts.districts_geojson, name="admin_districts_geojson"),
    path("theme/", theme.theme, name="admin_theme"),
    path("cles-api/", apikeys.apikeys, name="admin_apikeys"),
    path("cles-api/nouvelle/", apikeys.apikey_new, name="admin_apikey_create"),
    path("cles-api/<int:key_id>/revoquer/", apikeys.apikey_remove, name="admin_apikey_revoke"),
    path("journal/", audit.audit, name="admin_audit"),
]
