from django.urls import path

from territoire.reports import staff_views

urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("tournee/", staff_views.round_view, name="round"),
    path("statistiques/", staff_views.stats, name="stats"),
    path("categories/", staff_views.category_list, name="categories"),
    path("categories/nouvelle/", staff_views.category_edit, name="category_new"),
    path("categories/<int:pk>/", staff_views.category_edit, name="category_edit"),
    path("<int:pk>/", staff_views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", staff_views.act, name="act"),
]
