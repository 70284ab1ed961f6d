from django.urls import path

from territoire.opendata import staff_views

urlpatterns = [
    path("", staff_views.home, name="home"),
    path("nouveau/", staff_views.dataset_new, name="dataset_new"),
    path("sources/publier/", staff_views.source_publish, name="source_publish"),
    path("<slug:slug>/", staff_views.dataset_detail, name="dataset"),
    path("<slug:slug>/modifier/", staff_views.dataset_edit, name="dataset_edit"),
    path("<slug:slug>/publication/", staff_views.dataset_publish, name="dataset_publish"),
    path("<slug:slug>/supprimer/", staff_views.dataset_delete, name="dataset_delete"),
    path(
        "<slug:slug>/ressources/<int:pk>/supprimer/",
        staff_views.resource_delete,
        name="resource_delete",
    ),
    path("<slug:slug>/depot/", staff_views.upload, name="upload"),
    path("<slug:slug>/ressources/<int:pk>/declarer/", staff_views.declare, name="declare"),
    path("<slug:slug>/versions/<int:pk>/", staff_views.version_detail, name="version"),
]
