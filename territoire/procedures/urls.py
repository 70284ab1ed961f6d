from django.urls import path

from territoire.procedures import views

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mes-dossiers/", views.my_dossiers, name="mine"),
    path("dossiers/<str:reference>/", views.dossier_detail, name="dossier"),
    path("dossiers/<str:reference>/remplir/", views.dossier_fill, name="fill"),
    path("dossiers/<str:reference>/message/", views.dossier_message, name="message"),
    path("dossiers/<str:reference>/retirer/", views.dossier_withdraw, name="withdraw"),
    path("dossiers/<str:reference>/recepisse.pdf", views.dossier_receipt, name="receipt"),
    path("dossiers/<str:reference>/decision.pdf", views.dossier_attestation, name="attestation"),
    path(
        "dossiers/<str:reference>/pieces/<int:pk>/",
        views.dossier_attachment,
        name="attachment",
    ),
    path("<slug:slug>/", views.procedure_detail, name="procedure"),
    path("<slug:slug>/commencer/", views.procedure_start, name="start"),
    path("<slug:slug>/statistiques/", views.stats, name="stats"),
]
