from django.urls import path

from territoire.twin import views_staff as views

app_name = "twin_staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("eau/", views.water, name="water"),
    path("eau/import/", views.network_import, name="network_import"),
    path("eau/fuites/<int:pk>/", views.leak_detail, name="leak"),
    path("dechets/", views.waste, name="waste"),
    path("eclairage/", views.lighting, name="lighting"),
    path("chauffage/", views.heating, name="heating"),
    path("piscines/", views.pools, name="pools"),
    path("calculs/", views.run_list, name="runs"),
    path("calculs/<int:pk>/", views.run_detail, name="run"),
    path("calculs/lancer/<slug:kind>/", views.run_start, name="run_start"),
]
