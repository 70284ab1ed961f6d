from django.urls import path

from territoire.reports import views

urlpatterns = [
    path("", views.report_list, name="list"),
    path("nouveau/", views.report_new, name="new"),
    path("statistiques/", views.stats, name="stats"),
    path("confirmer/<str:token>/", views.report_confirm, name="confirm"),
    path("photos/<int:pk>.jpg", views.photo, name="photo"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/suivre/", views.report_follow, name="follow"),
    path("<int:pk>/rouvrir/", views.report_reopen, name="reopen"),
]
