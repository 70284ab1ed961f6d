from django.urls import path

from territoire.sensors import staff_views as v

# Mounted under /<tenant>/gestion/capteurs/ (namespace "sensors_staff").
urlpatterns = [
    path("", v.sensor_list, name="list"),
    path("nouveau/", v.sensor_create, name="create"),
    path("alertes/", v.alert_list, name="alerts"),
    path("alertes/<int:pk>/", v.alert_detail, name="alert"),
    path("alertes/<int:pk>/<str:action>/", v.alert_transition, name="alert_transition"),
    path("regles/", v.rule_list, name="rules"),
    path("regles/nouvelle/", v.rule_create, name="rule_create"),
    path("quarantaine/", v.quarantine_list, name="quarantine"),
    path("quarantaine/<int:pk>/rattacher/", v.quarantine_assign, name="quarantine_assign"),
    path("rejets/", v.dead_letter_list, name="dead_letters"),
    path("capteur/<str:ref>/", v.sensor_detail, name="detail"),
]
