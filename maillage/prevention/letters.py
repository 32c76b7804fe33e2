"""The referral letter of a positive screening, for the person's médecin traitant: where
and when they were screened, their answers, score and measures, the decision and what
is recommended (e.g. a fasting venous glucose). Printed by maillage.core.pdf."""

from django.utils import timezone

from maillage.core import pdf

from .followup import QUESTIONNAIRE_LABELS, RISK_LABELS, measure_text

ANSWER_LABELS = {
    "height_cm": "Taille (cm)",
    "weight_kg": "Poids (kg)",
    "waist_cm": "Tour de taille (cm)",
    "daily_activity": "30 minutes d'activité physique par jour",
    "daily_vegetables": "Fruits ou légumes tous les jours",
    "bp_medication": "Traitement antihypertenseur",
    "high_glucose_history": "Antécédent de glycémie élevée",
    "family_history": "Diabète dans la famille",
}
FAMILY = {"none": "non", "second_degree": "grand-parent, oncle, tante, cousin germain",
          "first_degree": "parent, frère, sœur, enfant"}  # fmt: skip
# What the letter asks the GP to do, by questionnaire.
RECOMMENDATIONS = {
    "findrisc": "Glycémie veineuse à jeun (diabète si ≥ 1,26 g/L à deux reprises), "
                "voire HbA1c, puis prise en charge selon le résultat.",
    "glycemie": "Glycémie veineuse à jeun (diabète si ≥ 1,26 g/L à deux reprises), "
                "voire HbA1c, puis prise en charge selon le résultat.",
    "tension": "Confirmation de l'hypertension par automesure tensionnelle ou MAPA avant "
               "toute décision de traitement.",
}  # fmt: skip
DEFAULT_RECOMMENDATION = "Avis médical et confirmation du résultat du dépistage."


def _answer(value) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    return FAMILY.get(value, str(value)) if isinstance(value, str) else str(value)


def letter_pdf(follow_up, *, author: str) -> bytes:
    participant = follow_up.participant
    action = participant.action
    patient = participant.patient
    style = pdf.styles()
    cpts = follow_up.cpts
    place = ", ".join(p for p in (action.place, action.commune.name if action.commune else "")
                      if p) or "—"  # fmt: skip
    story = [
        pdf.para(f"CPTS {cpts.name}", style.small),
        pdf.para("Courrier d'orientation après un dépistage", style.title),
        pdf.para(f"À l'attention du Dr {follow_up.gp_name}" if follow_up.gp_name
                 else "À l'attention du médecin traitant", style.body),  # fmt: skip
        pdf.para("Cher confrère, chère consœur,", style.body),
        pdf.para(
            "La personne ci-dessous a participé à une action de dépistage de la CPTS. Son "
            "résultat justifie un avis médical : nous vous l'adressons, avec son accord.",
            style.body),  # fmt: skip
        pdf.para("Personne dépistée", style.h2),
    ]
    if patient is not None:
        born = "née" if patient.sex == "F" else "né"
        story.append(pdf.para(f"{patient.display_name}, {born} le "
                              f"{patient.birth_date:%d/%m/%Y}", style.body))  # fmt: skip
    else:
        story.append(pdf.para(f"{participant.get_sex_display()}, {participant.age} ans",
                              style.body))  # fmt: skip
    story += [
        pdf.para("Dépistage", style.h2),
        pdf.para(f"{action.title}, le {timezone.localtime(participant.entered_at):%d/%m/%Y}"
                 f", {place}", style.body),  # fmt: skip
        pdf.para("Questionnaire : " + QUESTIONNAIRE_LABELS.get(participant.questionnaire,
                                                                participant.questionnaire),
                 style.body),  # fmt: skip
    ]
    rows = [[ANSWER_LABELS.get(k, k), _answer(v)] for k, v in (participant.answers or {}).items()]
    story.append(pdf.grid(["Question", "Réponse"], rows, [0.6, 0.4], style=style,
                          empty="Pas de réponse enregistrée."))  # fmt: skip
    if participant.score is not None:
        risk = RISK_LABELS.get(participant.risk, participant.risk)
        story.append(pdf.para(f"Score : {participant.score}" + (f" ({risk})" if risk else ""),
                              style.body))  # fmt: skip
    measures = [measure_text(m) for m in participant.measures or [] if isinstance(m, dict)]
    if measures:
        story.append(pdf.para("Mesures : " + " ; ".join(measures), style.body))
    story += [
        pdf.para("Décision", style.h2),
        pdf.para(f"À adresser au médecin traitant. Motif : {follow_up.reason}", style.body),
        pdf.para("Recommandation", style.h2),
        pdf.para(RECOMMENDATIONS.get(participant.questionnaire, DEFAULT_RECOMMENDATION),
                 style.body),  # fmt: skip
        pdf.para("Merci de nous indiquer, dans Maillage ou auprès de la coordination, si "
                 "vous avez vu la personne et si le résultat est confirmé.", style.body),
        pdf.para(f"La coordination de la CPTS ({author})", style.body),
    ]
    return pdf.build(story, title="Courrier d'orientation après dépistage", author=cpts.name,
                     footer=f"CPTS {cpts.name} · orientation après dépistage · document "
                            "confidentiel (données de santé)")  # fmt: skip
