from django.urls import path

from territoire.participation import consultation_views
from territoire.participation import staff_views as views

urlpatterns = [
    path("", views.home, name="home"),
    path("nouveau/", views.process_edit, name="process_new"),
    path(
        "consultations/<slug:slug>/",
        consultation_views.consultation_manage,
        name="consultation",
    ),
    path("<slug:slug>/", views.process_manage, name="process"),
    path("<slug:slug>/modifier/", views.process_edit, name="process_edit"),
    path("<slug:slug>/phase/", views.process_phase, name="phase"),
    path("<slug:slug>/enveloppe/", views.budget_save, name="budget"),
    path("<slug:slug>/resultats/calculer/", views.results_compute, name="compute"),
    path("<slug:slug>/resultats/publier/", views.results_publish, name="publish"),
    path("<slug:slug>/idees/", views.ideas, name="ideas"),
    path("<slug:slug>/idees/<int:pk>/", views.idea_answer, name="idea"),
    path("<slug:slug>/projets/", views.projects, name="projects"),
    path("<slug:slug>/projets/<int:pk>/", views.project_manage, name="project"),
    path("<slug:slug>/recensement/", views.census, name="census"),
    path("<slug:slug>/guichet/", views.counter, name="counter"),
    path("<slug:slug>/moderation/", views.moderation, name="moderation"),
]
