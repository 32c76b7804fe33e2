"""Pathway templates shipped with the platform (HAS guidance as typically applied by CPTS).
Data only: loaded by a data migration and by `install_shipped_templates`. A change here is
a new `version`; existing enrolments keep theirs."""

# step: (code, label, profession, due offset days, recurrence days, result kind, unit,
#        plausible min, plausible max, condition step code, condition min)
SHIPPED = [
    {
        "slug": "diabete-type-2", "version": 1, "name": "Diabète de type 2",
        "description": "Suivi du diabète de type 2 : HbA1c tous les 3 mois, bilan annuel, "
                       "éducation thérapeutique, diététique.",
        "steps": [
            ("hba1c", "HbA1c", "10", 0, 91, "number", "%", 4, 15, None, None),
            ("pieds", "Examen des pieds avec gradation du risque (0 à 3)", "10", 30, 365,
             "grade", "grade", 0, 3, None, None),
            ("podologue", "Suivi pédicure-podologue (pied à risque)", "80", 30, 182, "none",
             "", None, None, "pieds", 1),
            ("fond-oeil", "Fond d'œil (rétinographie)", "92", 60, 365, "yesno", "", None, None,
             None, None),
            ("lipides", "Bilan lipidique (LDL-cholestérol)", "10", 0, 365, "number", "g/L", 0.2,
             5, None, None),
            ("dfg", "Créatinine et DFG", "10", 0, 365, "number", "mL/min/1,73 m²", 5, 150, None,
             None),
            ("albuminurie", "Rapport albuminurie/créatininurie", "10", 0, 365, "number",
             "mg/mmol", 0, 300, None, None),
            ("ecg", "ECG de repos", "10", 60, 365, "yesno", "", None, None, None, None),
            ("dentaire", "Bilan bucco-dentaire", "40", 90, 365, "yesno", "", None, None, None,
             None),
            ("etp", "Éducation thérapeutique (ETP)", "60", 30, None, "none", "", None, None,
             None, None),
            ("dieteticien", "Consultation diététique", "95", 30, None, "none", "", None, None,
             None, None),
        ],
    },
    {
        "slug": "personne-agee-fragile", "version": 1, "name": "Personne âgée fragile à domicile",
        "description": "Prévention des chutes et de la perte d'autonomie à domicile.",
        "steps": [
            ("risque-chute", "Évaluation du risque de chute (test de marche)", "70", 14, 182,
             "yesno", "", None, None, None, None),
            ("domicile", "Visite d'adaptation du domicile", "94", 30, None, "none", "", None,
             None, None, None),
            ("medicaments", "Bilan partagé de médication", "21", 30, 365, "none", "", None, None,
             None, None),
            ("poids", "Poids (dépistage de la dénutrition)", "60", 0, 91, "number", "kg", 25, 200,
             None, None),
        ],
    },
    {
        "slug": "retour-domicile", "version": 1, "name": "Retour à domicile après hospitalisation",
        "description": "Les premiers jours après la sortie d'hôpital.",
        "steps": [
            ("passage-infirmier", "Passage infirmier", "60", 1, None, "none", "", None, None,
             None, None),
            ("conciliation", "Conciliation médicamenteuse en officine", "21", 3, None, "none", "",
             None, None, None, None),
            ("consultation-mt", "Consultation du médecin traitant", "10", 7, None, "none", "",
             None, None, None, None),
            ("point-30j", "Point à 30 jours", "10", 30, None, "yesno", "", None, None, None,
             None),
        ],
    },
    {
        "slug": "insuffisance-cardiaque", "version": 1, "name": "Insuffisance cardiaque chronique",
        "description": "Surveillance du poids, consultations, éducation thérapeutique.",
        "steps": [
            ("poids-ic", "Poids (surveillance de la rétention)", "60", 0, 30, "number", "kg", 25,
             250, None, None),
            ("consultation-ic", "Consultation du médecin traitant", "10", 0, 91, "none", "", None,
             None, None, None),
            ("bnp", "NT-proBNP", "10", 0, 182, "number", "pg/mL", 0, 35000, None, None),
            ("cardiologue", "Consultation de cardiologie", "10", 90, 365, "none", "", None, None,
             None, None),
            ("etp-ic", "Éducation thérapeutique (ETP)", "60", 30, None, "none", "", None, None,
             None, None),
        ],
    },
]  # fmt: skip

STEP_FIELDS = ("code", "label", "profession_code", "due_offset_days", "recurrence_days",
               "result_kind", "unit", "plausible_min", "plausible_max")  # fmt: skip


def install(template_model, step_model) -> int:
    """Create the shipped templates that are missing (idempotent). Works with the real
    models and with a migration's historical ones."""
    created = 0
    for spec in SHIPPED:
        template, new = template_model.objects.get_or_create(
            cpts=None, slug=spec["slug"], version=spec["version"],
            defaults={"name": spec["name"], "description": spec["description"]},
        )  # fmt: skip
        if not new:
            continue
        created += 1
        by_code = {}
        for position, step in enumerate(spec["steps"]):
            values = dict(zip(STEP_FIELDS, step[:9], strict=True))
            by_code[values["code"]] = step_model.objects.create(
                template=template, position=position, **values
            )
        for step in spec["steps"]:
            if step[9]:
                dependent = by_code[step[0]]
                dependent.condition_step = by_code[step[9]]
                dependent.condition_min = step[10]
                dependent.save()
    return created
