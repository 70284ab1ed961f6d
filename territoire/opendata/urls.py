from django.urls import path

from territoire.opendata import views

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<slug:slug>/", views.dataset, name="dataset"),
    path("<slug:slug>/ressources/<int:pk>/", views.resource, name="resource"),
]
