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
    path(P + "inclusion/<str:public_id>/terminer/", enrolments.end_view, name="end"),
    path(P + "inclusion/<str:public_id>/relier-annuaire/", enrolments.link_account_view,
         name="link_account"),
    path(P + "inclusion/<str:public_id>/medecin-traitant/", enrolments.attending_gp_view,
         name="attending_gp"),  # fmt: skip
    # --- template editor (views/editor.py): paths under P + "modeles/"
    path(P + "modeles/", editor.templates_view, name="editor_list"),
    path(P + "modeles/nouveau/", editor.template_new_view, name="editor_new"),
    path(P + "modeles/<str:public_id>/", editor.template_view, name="editor_template"),
    path(P + "modeles/<str:public_id>/modifier/", editor.template_modify_view,
         name="editor_modify"),  # fmt: skip
    path(P + "modeles/brouillon/<str:public_id>/", editor.draft_view, name="editor_draft"),
    path(P + "modeles/brouillon/<str:public_id>/etape/", editor.step_view,
         name="editor_step_new"),  # fmt: skip
    path(P + "modeles/brouillon/<str:public_id>/etape/<slug:code>/", editor.step_view,
         name="editor_step"),  # fmt: skip
    path(P + "modeles/brouillon/<str:public_id>/etape/<slug:code>/supprimer/",
         editor.step_delete_view, name="editor_step_delete"),  # fmt: skip
    path(P + "modeles/brouillon/<str:public_id>/publier/", editor.publish_view,
         name="editor_publish"),  # fmt: skip
    path(P + "modeles/brouillon/<str:public_id>/supprimer/", editor.discard_view,
         name="editor_discard"),  # fmt: skip
    # --- end template editor
    # --- concertation meetings (views/meetings.py): paths under P + "concertation/"
    path(P + "concertation/", meetings.meetings_view, name="meetings"),
    path(P + "concertation/nouvelle/", meetings.meeting_new_view, name="meeting_new"),
    path(P + "concertation/presences/", meetings.attendance_report_view,
         name="meeting_attendance_report"),
    path(P + "concertation/presences.csv", meetings.attendance_csv_view,
         name="meeting_attendance_csv"),
    path(P + "concertation/presences-totaux.csv", meetings.attendance_totals_csv_view,
         name="meeting_attendance_totals_csv"),
    path(P + "concertation/dossier/<str:public_id>/decision/", meetings.meeting_decision_view,
         name="meeting_decision"),
    path(P + "concertation/<str:public_id>/", meetings.meeting_view, name="meeting"),
    path(P + "concertation/<str:public_id>/dossiers/", meetings.meeting_add_case_view,
         name="meeting_add_case"),
    path(P + "concertation/<str:public_id>/participants/", meetings.meeting_invite_view,
         name="meeting_invite"),
    path(P + "concertation/<str:public_id>/presences/", meetings.meeting_attendance_view,
         name="meeting_attendance"),
    path(P + "concertation/<str:public_id>/statut/", meetings.meeting_status_view,
         name="meeting_status"),
    # --- end concertation meetings
    # --- documents (views/documents.py): PPS page and PDF, FHIR export
    path(P + "patient/<str:public_id>/pps/", documents.pps_view, name="pps"),
    path(P + "patient/<str:public_id>/pps.pdf", documents.pps_pdf_view, name="pps_pdf"),
    path(P + "patient/<str:public_id>/fhir.json", documents.fhir_view, name="fhir"),
    # --- end documents
    # --- indicators (views/indicators.py): paths under P + "indicateurs/"
    path(P + "indicateurs/", indicators.indicators_view, name="indicators"),
    path(P + "indicateurs.csv", indicators.indicators_csv_view, name="indicators_csv"),
    # --- end indicators
]
