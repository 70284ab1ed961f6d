from django.urls import path

from territoire.procedures import builder_views, staff_views

urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("lot/", staff_views.batch, name="batch"),
    path("dossiers/<str:reference>/", staff_views.dossier_detail, name="dossier"),
    path("dossiers/<str:reference>/etat/", staff_views.dossier_transition, name="transition"),
    path("dossiers/<str:reference>/attribution/", staff_views.dossier_assign, name="assign"),
    path("dossiers/<str:reference>/annotations/", staff_views.dossier_annotate, name="annotate"),
    path("dossiers/<str:reference>/message/", staff_views.dossier_message, name="message"),
    path("dossiers/<str:reference>/avis/", staff_views.dossier_opinion, name="opinion"),
    path(
        "dossiers/<str:reference>/decision.pdf", staff_views.dossier_attestation, name="attestation"
    ),
    path(
        "dossiers/<str:reference>/pieces/<int:pk>/",
        staff_views.dossier_attachment,
        name="attachment",
    ),
    path("formulaires/", builder_views.procedures, name="procedures"),
    path("formulaires/nouvelle/", builder_views.procedure_new, name="procedure_new"),
    path("formulaires/<slug:slug>/", builder_views.builder, name="builder"),
    path("formulaires/<slug:slug>/champ/", builder_views.field_edit, name="field"),
    path("formulaires/<slug:slug>/champ/action/", builder_views.field_action, name="field_action"),
    path("formulaires/<slug:slug>/etat/", builder_views.procedure_status, name="status"),
    path(
        "formulaires/<slug:slug>/modele/<str:kind>/", builder_views.template_save, name="template"
    ),
]
