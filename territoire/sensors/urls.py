from django.urls import path

from territoire.sensors import views

# Mounted under /<tenant>/capteurs/ (namespace "sensors").
urlpatterns = [
    path("", views.sensor_list, name="list"),
    path("<str:ref>/", views.sensor_detail, name="detail"),
]
