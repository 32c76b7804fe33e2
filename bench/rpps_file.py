"""A synthetic Annuaire Santé extraction `PS_LibreAcces_Personne_activite`, for benchmarks.

The importer's cost depends on what it reads: the number of lines, their length, how many
professionals have several activities, how varied the names and communes are (the
commune index, the fingerprint, the search key). This module writes a file with the
shape of the national one, fast enough to be regenerated on every `make bench` run:

- the exact format: the 56 columns of `maillage.directory.rpps.COLUMNS` joined by `|`
  with a trailing `|`, UTF-8, one line per activity;
- lines of one professional are consecutive and professionals are sorted by identifier,
  as in the national file; identifiers are 11-digit RPPS numbers with a valid Luhn digit;
- about 40 % of professionals have two activities or more (1.66 lines per professional on
  average: 2 million lines are about 1.2 million professionals);
- the national mix of professions (nurses, doctors with their specialties, physios,
  pharmacists with their sections...), names drawn from common French surnames plus a
  long tail of rarer ones, addresses, SIRET/FINESS numbers, telephone numbers, an e-mail
  on some lines, and communes drawn, weighted by population, from the INSEE codes given.

Every draw comes from one `random.Random(seed)`: same arguments, same bytes. Nothing is
shared with the test builders or the demo generator, so neither can change what the
benchmark measures. Needs Django configured (for the column names of the importer).
"""

import bisect
import itertools
import os
import random
import unicodedata
from dataclasses import dataclass

from maillage.core.validators import luhn_check_digit
from maillage.directory.rpps import COLUMNS, N_COLUMNS

DEFAULT_SEED = "maillage-bench"
WRITE_CHUNK = 20_000  # lines joined per write call


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    population: int
    departement_code: str
    departement_name: str


@dataclass(frozen=True)
class FileStats:
    lines: int
    professionals: int
    multi_activity: int  # professionals with two activity lines or more
    bytes: int


# (code, label, weight, female share, doctor title, share of salaried activities)
# Weights: approximate national head counts of the RPPS (DREES, 2023), in thousands.
PROFESSIONS = (
    ("60", "Infirmier", 640, 0.87, False, 0.55),
    ("10", "Médecin", 235, 0.50, True, 0.45),
    ("70", "Masseur-kinésithérapeute", 100, 0.51, False, 0.15),
    ("21", "Pharmacien", 74, 0.68, False, 0.25),
    ("40", "Chirurgien-dentiste", 45, 0.50, True, 0.10),
    ("98", "Manipulateur ERM", 38, 0.72, False, 0.95),
    ("28", "Opticien-lunetier", 40, 0.55, False, 0.70),
    ("91", "Orthophoniste", 27, 0.96, False, 0.10),
    ("50", "Sage-femme", 24, 0.97, False, 0.60),
    ("94", "Ergothérapeute", 15, 0.87, False, 0.80),
    ("80", "Pédicure-podologue", 15, 0.70, False, 0.05),
    ("96", "Psychomotricien", 14, 0.88, False, 0.65),
    ("95", "Diététicien", 12, 0.92, False, 0.50),
    ("86", "Technicien de laboratoire médical", 10, 0.80, False, 0.95),
    ("92", "Orthoptiste", 6, 0.88, False, 0.30),
    ("26", "Audioprothésiste", 5, 0.45, False, 0.60),
)
GP_SHARE = 0.44  # of doctors: médecine générale (savoir-faire SM53)
GP_SPECIALTY = ("SM53", "Spécialiste en Médecine Générale")
DOCTOR_SPECIALTIES = (
    ("SM04", "Cardiologie et maladies vasculaires"), ("SM42", "Psychiatrie"),
    ("SM40", "Pédiatrie"), ("SM38", "Ophtalmologie"), ("SM20", "Gynécologie-obstétrique"),
    ("SM15", "Dermatologie et vénéréologie"), ("SM02", "Anesthésie-réanimation"),
    ("SM44", "Radio-diagnostic"), ("SM54", "Médecine Générale"),
    ("SM26", "Qualifié en Médecine Générale"),
    ("SM19", "Gastro-entérologie et hépatologie"), ("SM32", "Neurologie"),
    ("SM35", "Oncologie option médicale"), ("SM37", "Oto-rhino-laryngologie"),
    ("SM50", "Rhumatologie"), ("SM24", "Médecine interne"), ("SM28", "Médecine du travail"),
)  # fmt: skip
DENTAL_SPECIALTIES = (("SCD01", "Orthopédie dento-faciale"), ("SCD02", "Chirurgie orale"))
ORDERS = {"10": "CNOM", "21": "CNOP", "40": "CNOCD", "50": "CNOSF", "60": "ONI", "70": "CNOMK",
          "80": "ONPP"}  # fmt: skip
PHARMACY_SECTIONS = (
    ("A", "Pharmacien titulaire d'officine"),
    ("D", "Pharmacien adjoint, remplaçant ou gérant"),
    ("D", "Pharmacien adjoint, remplaçant ou gérant"),
    ("G", "Pharmacien biologiste"),
    ("H", "Pharmacien d'établissement de santé"),
)
MODES = {
    "L": "Libéral, indépendant, artisan, commerçant",
    "S": "Salarié",
    "B": "Bénévole",
}
LIBERAL_SECTORS = (("SA07", "Cabinet individuel"), ("SA08", "Cabinet de groupe"),
                   ("SA52", "Maison de santé ou Pôle de santé"))  # fmt: skip
SALARIED_SITES = (  # (raison sociale prefix, sector code, sector label, role code, role label)
    ("CENTRE HOSPITALIER", "SA01", "Etablissement public de santé", "FON-33",
     "Salarié en poste fixe"),
    ("CLINIQUE", "SA02", "Etablissement privé PSPH", "FON-33", "Salarié en poste fixe"),
    ("EHPAD", "SA17", "Etablissement pour personnes âgées", "FON-33", "Salarié en poste fixe"),
    ("CENTRE DE SANTE", "SA05", "Centre de santé", "FON-33", "Salarié en poste fixe"),
    ("LABORATOIRE DE BIOLOGIE MEDICALE", "SA25", "Laboratoire de biologie médicale", "FON-41",
     "Biologiste médical"),
)  # fmt: skip
LIBERAL_ROLES = (("FON-01", "Titulaire de cabinet"), ("FON-17", "Collaborateur"),
                 ("FON-12", "Remplaçant"))  # fmt: skip
ACTIVITY_KIND = ("GENR01", "Activité de soin et de pharmacie")

# Lines per professional: 60 % one; the others 2 to 8 (mean about 1.66 lines overall).
LINE_COUNTS = (1, 2, 3, 4, 5, 6, 8)
LINE_COUNT_WEIGHTS = (60.0, 24.0, 10.0, 4.0, 1.2, 0.5, 0.3)

# The most frequent French surnames, most frequent first (weights follow Zipf's law); the
# rest of the names are composed from syllables, for the long tail of rare surnames.
COMMON_SURNAMES = (
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
    "LAURENT", "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
    "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT",
    "MULLER", "LEFÈVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER",
    "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLÉMENT",
    "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "GAUTIER", "MASSON", "MARCHAND",
    "DUVAL", "DENIS", "DUMONT", "MARIE", "LEMAIRE", "NOËL", "MEYER", "DUFOUR", "MEUNIER",
    "BRUN", "BLANCHARD", "GIRAUD", "JOLY", "RIVIÈRE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER",
    "ARNAUD", "MARTINEZ", "GÉRARD", "ROCHE", "RENARD", "SCHMITT", "ROY", "LEROUX", "COLIN",
    "VIDAL", "CARON", "PICARD", "ROGER", "FABRE", "AUBERT", "LEMOINE", "RENAUD", "DUMAS",
    "LACROIX", "OLIVIER", "PHILIPPE", "BOURGEOIS", "PIERRE", "BENOIT", "REY", "LECLERC",
    "PAYET", "ROLLAND", "LECLERCQ", "GUILLAUME", "LECOMTE", "LOPEZ", "JEAN", "DUPUY",
    "GUILLOT", "HUBERT", "BERGER", "CARPENTIER", "SANCHEZ", "DUPUIS", "MOULIN", "LOUIS",
    "DESCHAMPS", "HUET", "VASSEUR", "PEREZ", "BOUCHER", "FLEURY", "ROYER", "KLEIN", "JACQUET",
    "ADAM", "PARIS", "POIRIER", "MARTY", "AUBRY", "GUYOT", "CARRÉ", "CHARLES", "RENAULT",
    "CHARPENTIER", "MÉNARD", "MAILLARD", "BARON", "BERTIN", "BAILLY", "HERVÉ", "SCHNEIDER",
    "FERNANDEZ", "LE GALL", "COLLET", "LÉGER", "BOUVIER", "JULIEN", "PRÉVOST", "MILLET",
    "PERROT", "DANIEL", "LE ROUX", "COUSIN", "GERMAIN", "BRETON", "BESSON", "LANGLOIS",
    "RÉMY", "LE GOFF", "PELLETIER", "LÉVÊQUE", "PERRIER", "LEBLANC", "BARRÉ", "LEBRUN",
    "MARCHAL", "WEBER", "MALLET", "HAMON", "BOULANGER", "JACOB", "MONNIER", "MICHAUD",
    "RODRIGUEZ", "GUICHARD", "GILLET", "ÉTIENNE", "GRONDIN", "POULAIN", "TESSIER", "CHEVALLIER",
    "COLLIN", "CHAUVIN", "DA SILVA", "BOUCHET", "GAY", "LEMAÎTRE", "BENARD", "MARÉCHAL",
    "HUMBERT", "REYNAUD", "ANTOINE", "HOARAU", "PERRET", "BARTHÉLEMY", "CORDIER", "PICHON",
    "LEJEUNE", "GILBERT", "LAMY", "DELAUNAY", "PASQUIER", "CARLIER", "LAPORTE",
)  # fmt: skip
SURNAME_HEADS = (
    "BER", "CHA", "DE", "DU", "FON", "GAR", "LA", "LE", "MAR", "MON", "PEL", "RO", "SAU",
    "TRI", "VAL", "BOU", "CAR", "GUI", "JAC", "POU", "ROU", "BAR", "COR", "FOU", "MOU", "PER",
    "VIL", "BEL", "CHE", "DES", "GRA", "LAN", "MAL", "NOR", "QUE", "SER", "THI", "VER",
)  # fmt: skip
SURNAME_MIDDLES = ("", "", "NA", "RI", "TE", "LO", "MI", "BE", "DA", "GNE", "SSE", "VI", "CHE")
SURNAME_TAILS = (
    "AUD", "ARD", "ET", "IN", "OT", "EAU", "IER", "IÈRE", "ON", "AND", "ELLE", "AT", "ENT",
    "OUX", "AIS", "ENS", "Y", "IE", "AC", "OL", "AS", "IAN", "ÉE", "ERT", "OIS", "EC",
)  # fmt: skip
FEMALE_FIRST_NAMES = (
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sophie", "Valérie", "Christine",
    "Sandrine", "Céline", "Stéphanie", "Véronique", "Aurélie", "Julie", "Émilie", "Camille",
    "Laura", "Pauline", "Sarah", "Élodie", "Claire", "Anne", "Caroline", "Virginie", "Delphine",
    "Laurence", "Hélène", "Florence", "Audrey", "Mélanie", "Marion", "Charlotte", "Manon",
    "Léa", "Chloé", "Anaïs", "Justine", "Margaux", "Clémence", "Lucie", "Béatrice", "Agnès",
    "Françoise", "Martine", "Corinne", "Patricia", "Karine", "Magali", "Laëtitia", "Gaëlle",
    "Noémie", "Océane", "Inès", "Morgane", "Amandine", "Elise", "Fanny", "Jeanne", "Marine",
    "Anne-Sophie", "Marie-Christine", "Marie-Laure", "Geneviève", "Brigitte", "Dominique",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Jean", "Philippe", "Michel", "Alain", "Patrick", "Nicolas", "Christophe", "Pierre",
    "Christian", "Éric", "Frédéric", "Laurent", "Stéphane", "David", "Olivier", "Julien",
    "Sébastien", "Thomas", "Guillaume", "Antoine", "Maxime", "Alexandre", "Vincent", "Romain",
    "François", "Jérôme", "Thierry", "Pascal", "Bruno", "Didier", "Yannick", "Cédric",
    "Benoît", "Mathieu", "Damien", "Hugo", "Lucas", "Jean-Pierre", "Jean-Michel", "Jean-Marc",
    "Jean-François", "Marc", "Denis", "Gilles", "Hervé", "Loïc", "Rémi", "Arnaud", "Fabien",
    "Grégory", "Mickaël", "Raphaël", "Joël", "Gaël", "Noël", "Étienne", "Quentin", "Florian",
    "Kevin", "Anthony", "Adrien", "Baptiste", "Clément", "Dominique", "Emmanuel",
)  # fmt: skip
STREET_TYPES = (
    ("R", "Rue"), ("R", "Rue"), ("R", "Rue"), ("R", "Rue"), ("AV", "Avenue"), ("AV", "Avenue"),
    ("BD", "Boulevard"), ("PL", "Place"), ("CHE", "Chemin"), ("RTE", "Route"), ("ALL", "Allée"),
    ("IMP", "Impasse"), ("QUAI", "Quai"), ("CRS", "Cours"), ("SQ", "Square"),
)  # fmt: skip
STREET_NAMES = (
    "DE LA REPUBLIQUE", "VICTOR HUGO", "JEAN JAURES", "DU GENERAL DE GAULLE", "PASTEUR",
    "DES ECOLES", "DE LA LIBERATION", "DU 8 MAI 1945", "GAMBETTA", "DES TILLEULS", "DE LA GARE",
    "DU STADE", "EMILE ZOLA", "PAUL BERT", "ARISTIDE BRIAND", "JEAN MOULIN", "DE L EGLISE",
    "DU MARECHAL FOCH", "NATIONALE", "DU MOULIN", "DES LILAS", "DE LA MAIRIE", "CARNOT",
    "GEORGES CLEMENCEAU", "DU CHATEAU", "DE LA PAIX", "DES PEUPLIERS", "LOUIS PASTEUR",
    "ANATOLE FRANCE", "DU COMMANDANT CHARCOT", "DES FRERES LUMIERE", "SAINT MARTIN",
    "DU PRESIDENT WILSON", "ALSACE LORRAINE", "DES CHAMPS", "DU CENTRE", "DE L HOPITAL",
    "MARCEL PAGNOL", "DES ACACIAS", "DU PORT",
)  # fmt: skip
ADDRESS_EXTRAS = ("BATIMENT B", "1ER ETAGE", "REZ DE CHAUSSEE", "ENTREE C", "2EME ETAGE",
                  "CABINET MEDICAL", "BP 12")  # fmt: skip
ADDRESS_POINTS = ("RESIDENCE LES ACACIAS", "LE FORUM", "ESPACE SANTE", "ZA DES PRES",
                  "CENTRE COMMERCIAL", "POLE SANTE")  # fmt: skip
GROUP_NAMES = ("DES TILLEULS", "DU CENTRE", "DE LA GARE", "DU PARC", "PASTEUR", "DES ECOLES",
               "DU MARCHE", "DE LA MAIRIE", "SAINT MICHEL", "DES CEDRES", "DU CHATEAU")  # fmt: skip
EMAIL_DOMAINS = ("orange.test", "wanadoo.test", "gmail.test", "medecin.mssante.test",
                 "sfr.test", "free.test", "laposte.test")  # fmt: skip
PHONE_PREFIXES = {"971": "0590", "972": "0596", "973": "0594", "974": "0262", "976": "0269"}
# Telephone zones (01 Île-de-France, 02 north-west, 03 north-east, 04 south-east, 05
# south-west) by département.
PHONE_ZONES = {
    "01": "75 77 78 91 92 93 94 95",
    "02": "14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85",
    "03": "02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 89 90",
    "04": "01 03 04 05 06 07 11 13 15 26 2A 2B 30 34 38 42 43 48 63 66 69 73 74 83 84",
    "05": "09 12 16 17 19 23 24 31 32 33 40 46 47 64 65 79 81 82 86 87",
}
PHONE_ZONE = {dep: zone for zone, deps in PHONE_ZONES.items() for dep in deps.split()}
OVERSEAS_FINESS = {"971": "9A", "972": "9B", "973": "9C", "974": "9D", "976": "9F"}
SHORT_WORDS = {"SAINT": "ST", "SAINTE": "STE"}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _surnames(rng: random.Random) -> tuple[list[str], list[float]]:
    """Common surnames with Zipf weights, then composed ones sharing the remaining half."""
    names = list(COMMON_SURNAMES)
    weights = [1.0 / (rank + 1) for rank in range(len(names))]
    common_total = sum(weights)
    composed = sorted(
        {
            head + middle + tail
            for head in SURNAME_HEADS
            for middle in SURNAME_MIDDLES
            for tail in SURNAME_TAILS
        }
        - set(names)
    )
    rng.shuffle(composed)
    names += composed
    weights += [common_total / len(composed)] * len(composed)
    return names, list(itertools.accumulate(weights))


def _postal_code(commune: Commune) -> str:
    dep = commune.departement_code
    if len(dep) == 3:  # overseas: 97100 ... 97699
        return f"{dep}{commune.code[3:5]}"
    prefix = "20" if dep in ("2A", "2B") else dep
    return f"{prefix}{int(commune.code[2:]) // 10 * 10 % 1000:03d}"


def _routing_line(postal_code: str, name: str) -> str:
    words = _plain(name).upper().replace("-", " ").replace("'", " ").split()
    return f"{postal_code} {' '.join(SHORT_WORDS.get(w, w) for w in words)}"


def _without_article(name: str) -> str:
    """ "L'Isère" -> "Isère": the national file names départements without article."""
    for article in ("L'", "La ", "Le ", "Les "):
        if name.startswith(article):
            return name[len(article) :]
    return name


def _place(commune: Commune) -> tuple:
    """Everything a line needs from a commune, computed once per commune."""
    postal = _postal_code(commune)
    dep = commune.departement_code
    phone_prefix = PHONE_PREFIXES.get(dep) or PHONE_ZONE.get(dep, "09")
    return (
        commune.code,
        _plain(commune.name).upper().replace("-", " ").replace("'", " "),
        postal,
        _routing_line(postal, commune.name),
        dep,
        _without_article(commune.departement_name),
        phone_prefix,
        OVERSEAS_FINESS.get(dep, dep[:2]),  # FINESS département prefix
    )


class _Numbers:
    """Unique, increasing identifiers; cheap (counters with random gaps).

    RPPS numbers get their Luhn digit, since the importer checks it. SIRET and FINESS
    numbers only have the right length: the importer stores them without checking, and
    computing their keys would double the time spent writing the file."""

    def __init__(self, rng: random.Random, first_rpps: int):
        self.rng = rng
        self.rpps_payload = first_rpps
        self.siren_payload = 400_000_000
        self.finess_payload = 0

    def rpps(self) -> str:
        # Sorted by identifier, as in the national file: always increasing.
        self.rpps_payload += 1 + int(self.rng.random() * 60)
        payload = str(self.rpps_payload)
        return payload + luhn_check_digit(payload)

    def siret(self) -> str:
        """SIREN (9 digits, one per site here) + establishment number (5 digits)."""
        self.siren_payload += 1 + int(self.rng.random() * 200)
        return f"{self.siren_payload}{10 + int(self.rng.random() * 60):05d}"

    def finess(self, prefix: str) -> str:
        self.finess_payload = (self.finess_payload + 1 + int(self.rng.random() * 7)) % 10**7
        return f"{prefix}{self.finess_payload:07d}"


def write_rpps_file(
    path,
    communes: list[Commune],
    *,
    lines: int | None = None,
    professionals: int | None = None,
    seed: str = DEFAULT_SEED,
    first_rpps: int = 1_000_000_000,
) -> FileStats:
    """Write the file; stop after `lines` activity lines or `professionals` professionals
    (whichever comes first). `first_rpps` is the lowest 10-digit RPPS payload (before the
    check digit): give disjoint ranges to files that must not share professionals."""
    if lines is None and professionals is None:
        raise ValueError("give lines or professionals")
    max_lines = lines if lines is not None else 10**12
    max_people = professionals if professionals is not None else 10**12
    rng = random.Random(seed)
    r = rng.random
    communes = sorted((c for c in communes if c.population > 0), key=lambda c: c.code)
    places = [_place(c) for c in communes]
    place_cum = list(itertools.accumulate(c.population for c in communes))
    place_total = place_cum[-1]
    by_dep: dict[str, list[int]] = {}
    for index, commune in enumerate(communes):
        by_dep.setdefault(commune.departement_code, []).append(index)
    dep_cum = {
        dep: (indexes, list(itertools.accumulate(communes[i].population for i in indexes)))
        for dep, indexes in by_dep.items()
    }
    surnames, surname_cum = _surnames(rng)
    surname_total = surname_cum[-1]
    plain_first = {n: _plain(n).lower() for n in (*FEMALE_FIRST_NAMES, *MALE_FIRST_NAMES)}
    plain_last = {}
    profession_cum = list(itertools.accumulate(p[2] for p in PROFESSIONS))
    profession_total = profession_cum[-1]
    count_cum = list(itertools.accumulate(LINE_COUNT_WEIGHTS))
    count_total = count_cum[-1]
    numbers = _Numbers(rng, first_rpps)
    header = "|".join(COLUMNS) + "|\n"
    if len(COLUMNS) != N_COLUMNS:
        raise AssertionError("the importer's column list changed")

    def pick_place(dep: str | None = None) -> tuple:
        if dep is None:
            return places[bisect.bisect_right(place_cum, r() * place_total)]
        indexes, cum = dep_cum[dep]
        return places[indexes[bisect.bisect_right(cum, r() * cum[-1])]]

    written = people = multi = 0
    buffer: list[str] = []
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header)
        while written < max_lines and people < max_people:
            code, label, _, female_share, doctor, salaried_share = PROFESSIONS[
                bisect.bisect_right(profession_cum, r() * profession_total)
            ]
            rpps = numbers.rpps()
            female = r() < female_share
            civility = ("MME", "Madame") if female else ("M", "Monsieur")
            title = ("DR", "Docteur") if doctor and r() < 0.9 else ("", "")
            last = surnames[bisect.bisect_right(surname_cum, r() * surname_total)]
            if r() < 0.03:  # a double-barrelled name
                last += "-" + surnames[bisect.bisect_right(surname_cum, r() * surname_total)]
            pool = FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES
            first = pool[int(r() * r() * len(pool))]  # skewed towards the first names
            if last not in plain_last:
                plain_last[last] = _plain(last).lower().replace(" ", "")
            email_name = f"{plain_first[first]}.{plain_last[last]}"
            sf_type = sf_code = sf_label = ""
            if code == "10":
                sf_type = "S"
                sf_code, sf_label = (
                    GP_SPECIALTY if r() < GP_SHARE
                    else DOCTOR_SPECIALTIES[int(r() * len(DOCTOR_SPECIALTIES))]
                )  # fmt: skip
            elif code == "40" and r() < 0.1:
                sf_type = "S"
                sf_code, sf_label = DENTAL_SPECIALTIES[int(r() * 2)]
            sf_type_label = "Spécialité ordinale" if sf_type else ""
            order = ORDERS.get(code)
            section = PHARMACY_SECTIONS[int(r() * 5)] if code == "21" else ("", "")
            count = LINE_COUNTS[bisect.bisect_right(count_cum, r() * count_total)]
            count = min(count, max_lines - written)
            people += 1
            multi += count > 1
            home = pick_place()
            for activity in range(count):
                place = home if activity == 0 or r() < 0.3 else (
                    pick_place(home[4]) if r() < 0.75 else pick_place()
                )  # fmt: skip
                (insee, town, postal, routing, dep, dep_name, phone_prefix,
                 finess_dep) = place  # fmt: skip
                salaried = r() < salaried_share
                street_code, street_type = STREET_TYPES[int(r() * len(STREET_TYPES))]
                street = STREET_NAMES[int(r() * len(STREET_NAMES))]
                number = str(1 + int(r() * 150)) if r() < 0.9 else ""
                repeat = "B" if r() < 0.03 else ""
                extra = ADDRESS_EXTRAS[int(r() * len(ADDRESS_EXTRAS))] if r() < 0.1 else ""
                point = ADDRESS_POINTS[int(r() * len(ADDRESS_POINTS))] if r() < 0.06 else ""
                siret = numbers.siret()
                if salaried:
                    mode = "S" if r() < 0.97 else "B"
                    kind, sector_code, sector, role_code, role = SALARIED_SITES[
                        int(r() * len(SALARIED_SITES))
                    ]
                    finess = numbers.finess(finess_dep)
                    finess_ej = numbers.finess(finess_dep)
                    site_name = f"{kind} {town}"
                    old_id = "1" + finess
                else:
                    mode = "L"
                    sector_code, sector = LIBERAL_SECTORS[int(r() * 3)]
                    role_code, role = LIBERAL_ROLES[int(r() * r() * 3)]
                    finess = finess_ej = ""
                    if title[0]:
                        site_name = f"CABINET DU DR {first.upper()} {last}"
                    elif code == "21":
                        site_name = f"PHARMACIE {GROUP_NAMES[int(r() * 11)]}"
                    elif r() < 0.5:
                        site_name = f"CABINET {label.upper()} {GROUP_NAMES[int(r() * 11)]}"
                    else:
                        site_name = f"{first.upper()} {last}"
                    old_id = "3" + siret
                if code == "21":
                    role_code, role = ("FON-03", "Titulaire d'officine") if section[0] == "A" else (
                        "FON-05", "Adjoint")  # fmt: skip
                    if not salaried:
                        sector_code, sector = "SA33", "Pharmacie d'officine"
                phone = f"{phone_prefix}{int(r() * 10**8):08d}"[:10] if r() < 0.85 else ""
                fax = f"{phone_prefix}{int(r() * 10**8):08d}"[:10] if r() < 0.2 else ""
                email = (
                    f"{email_name}@{EMAIL_DOMAINS[int(r() * len(EMAIL_DOMAINS))]}"
                    if r() < 0.25 else ""
                )  # fmt: skip
                # "Bureau cedex" holds La Poste's routing line ("38300 BOURGOIN JALLIEU").
                cedex = routing if r() < 0.98 else f"{routing} CEDEX"
                authority = f"{order}/{order}{dep}" if order else "ARS/ARS"
                fields = (
                    "8", rpps, "8" + rpps, *title, *civility, last, first, code, label,
                    "C", "Civil", sf_type, sf_type_label, sf_code, sf_label, mode, MODES[mode],
                    siret, siret[:9], finess, finess_ej, f"R1{siret[:13]}", site_name, "",
                    extra, point, number, repeat, street_code, street_type, street, "", cedex,
                    postal, insee, town, "", "", phone, "", fax, email, dep, dep_name, old_id,
                    authority, sector_code, sector, *section, role_code, role, *ACTIVITY_KIND,
                )  # fmt: skip
                buffer.append("|".join(fields) + "|\n")
                written += 1
            if len(buffer) >= WRITE_CHUNK:
                handle.write("".join(buffer))
                buffer = []
        handle.write("".join(buffer))
    return FileStats(
        lines=written, professionals=people, multi_activity=multi, bytes=os.path.getsize(path)
    )
