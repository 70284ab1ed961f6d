from django.urls import path

from territoire.twin import views

app_name = "twin"
urlpatterns = [
    path("", views.gains, name="gains"),
]
