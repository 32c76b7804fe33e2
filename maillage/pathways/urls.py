from django.urls import path

from .views import documents, editor, enrolments, indicators, meetings  # noqa: F401

app_name = "pathways"

P = "c/<slug:cpts_slug>/parcours/"

urlpatterns = [
    path(P, enrolments.enrolments_view, name="enrolments"),
    path(P + "a-faire/", enrolments.due_view, name="due"),
    path(P + "inclure/", enrolments.enrol_view, name="enrol"),
    path(P + "inclusion/<str:public_id>/", enrolments.enrolment_view, name="enrolment"),
    path(P + "tache/<str:public_id>/faite/", enrolments.complete_view, name="complete"),
    path(P + "tache/<str:public_id>/attribuer/", enrolments.reassign_view, name="reassign"),
    path(P + "inclusion/<str:public_id>/note/", enrolments.note_view, name="note"),
    path(P + "inclusion/<str:public_id>/medecin-traitant/", enrolments.attending_gp_view,
         name="attending_gp"),  # fmt: skip
    # --- template editor (views/editor.py): paths under P + "modeles/"
    # --- end template editor
    # --- concertation meetings (views/meetings.py): paths under P + "concertation/"
    # --- end concertation meetings
    # --- documents (views/documents.py): PPS page and PDF, FHIR export
    # --- end documents
    # --- indicators (views/indicators.py): paths under P + "indicateurs/"
    # --- end indicators
]
