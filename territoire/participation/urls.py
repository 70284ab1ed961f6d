from django.urls import path

from territoire.participation import consultation_views, views

urlpatterns = [
    path("", views.process_list, name="processes"),
    path("consultations/", consultation_views.consultation_list, name="consultations"),
    path(
        "consultations/<slug:slug>/",
        consultation_views.consultation_detail,
        name="consultation",
    ),
    path("<slug:slug>/", views.process_detail, name="process"),
    path("<slug:slug>/idees/", views.idea_list, name="ideas"),
    path("<slug:slug>/idees/nouvelle/", views.idea_new, name="idea_new"),
    path("<slug:slug>/idees/<int:pk>/", views.idea_detail, name="idea"),
    path("<slug:slug>/idees/<int:pk>/soutenir/", views.idea_support, name="idea_support"),
    path("<slug:slug>/idees/<int:pk>/commenter/", views.idea_comment, name="idea_comment"),
    path("<slug:slug>/signaler/<str:kind>/<int:pk>/", views.flag, name="flag"),
    path("<slug:slug>/voter/", views.vote, name="vote"),
    path("<slug:slug>/voter/<int:budget_pk>/", views.ballot, name="ballot"),
    path("<slug:slug>/recepisse/<str:code>/", views.receipt, name="receipt"),
    path("<slug:slug>/resultats/", views.results, name="results"),
    path("<slug:slug>/projets/", views.project_list, name="projects"),
    path("<slug:slug>/projets/<int:pk>/", views.project_detail, name="project"),
    path("<slug:slug>/projets/<int:pk>/suivre/", views.project_follow, name="project_follow"),
    path("<slug:slug>/statistiques/", views.stats, name="stats"),
]
