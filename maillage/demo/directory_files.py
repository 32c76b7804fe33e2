"""Synthetic national files for the demo territory, in the exact formats of the real ones
(domain/formats.md): an Annuaire Santé extraction `PS_LibreAcces_Personne_activite` and an
etalab FINESS extraction.

Pure functions: plain data in (communes), a file out; no database. Same seed, same bytes:
every draw comes from `random.Random(seed)`, and the communes are sorted by code first, so
the order in which a caller lists them does not matter.

A commune is any object with the attributes (or a mapping with the keys, or a tuple in this
order) `code` (INSEE), `name`, `population`, `postal_code` (may be empty),
`departement_code`, `latitude`, `longitude` (both optional for the RPPS file, needed for the
FINESS geolocation lines) and, optionally, `departement_name`.

Both files describe the same structures: the pharmacists of the RPPS file work in the
pharmacies of the FINESS file (same SIRET, same FINESS number), the salaried hospital staff
at the centre hospitalier, and so on. Names, telephone numbers and SIRET are invented;
e-mail addresses use the reserved `.test` domain so that no message can reach anybody.
"""

import datetime
import math
import random
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from maillage.core.validators import luhn_check_digit
from maillage.directory.models import GP_PROFESSION, GP_SAVOIR_FAIRE, PROFESSIONS
from maillage.directory.rpps import COLUMNS, N_COLUMNS

DEFAULT_SEED = "maillage-demo"
FINESS_EXTRACTION_DATE = "2026-05-12"
FINESS_METADATA = f"finess;etalab;111;{FINESS_EXTRACTION_DATE}"
FINESS_STRUCTURE_FIELDS = 32  # "structureet" + 31 values
FINESS_GEOLOCATION_FIELDS = 6  # "geolocalisation" + 5 values

# The demo's named general practitioner: always present, exactly once.
DEMO_GP_FIRST_NAME = "Béatrice"
DEMO_GP_LAST_NAME = "BÉNARD"
DEMO_GP_COMMUNE = "38053"  # Bourgoin-Jallieu, when it is among the communes
HOSPITAL_COMMUNE = "38053"


@dataclass(frozen=True)
class NamedProfessional:
    """A professional of the file who is also a demo account (maillage/demo/builder.py
    PERSONAS): the account is linked to this entry, so both carry the same name."""

    persona: str  # local part of the demo account's e-mail
    kind: str  # key of KINDS
    female: bool
    first_name: str
    last_name: str
    rpps: str  # fixed, so that the builder finds the entry without guessing


def _fixed_rpps(body: str) -> str:
    return body + luhn_check_digit(body)


# Added after every random draw (and their numbers reserved beforehand), so the rest of
# the file is the same with or without them. In DEMO_GP_COMMUNE when it is listed.
DEMO_PERSONA_PROFESSIONALS = (
    NamedProfessional("medecin", "gp", False, "Julien", "PERRIN", _fixed_rpps("1009990001")),
    NamedProfessional("infirmier", "nurse", False, "Hugo", "GARNIER", _fixed_rpps("1009990002")),
)  # fmt: skip

# Professionals per 10 000 inhabitants, close to the national densities.
DENSITY_PER_10000 = {
    "gp": 8.5,  # médecins généralistes (profession 10, savoir-faire SM53)
    "specialist": 9.0,  # other médecins (profession 10)
    "nurse": 18.0,  # 60
    "pharmacist": 10.0,  # 21
    "physio": 13.0,  # 70
    "dentist": 6.5,  # 40
    "midwife": 3.5,  # 50
    "speech": 3.8,  # 91
    "podiatrist": 2.0,  # 80
    "orthoptist": 0.9,  # 92
    "dietitian": 1.0,  # 95
}
PROFESSION_CODES = {
    "gp": "10",
    "specialist": "10",
    "nurse": "60",
    "pharmacist": "21",
    "physio": "70",
    "dentist": "40",
    "midwife": "50",
    "speech": "91",
    "podiatrist": "80",
    "orthoptist": "92",
    "dietitian": "95",
}
SECOND_SITE_SHARE = 0.10

# ---------------------------------------------------------------------------- names

FEMALE_FIRST_NAMES = (
    "Béatrice", "Hélène", "Gaëlle", "Céline", "Émilie", "Chloé", "Léa", "Manon", "Camille",
    "Julie", "Sophie", "Nathalie", "Isabelle", "Sandrine", "Valérie", "Stéphanie", "Aurélie",
    "Élodie", "Mélanie", "Anaïs", "Clémence", "Noémie", "Maëlle", "Agnès", "Françoise",
    "Geneviève", "Sylvie", "Catherine", "Claire", "Marion", "Pauline", "Justine", "Océane",
    "Laëtitia", "Virginie", "Delphine", "Corinne", "Muriel", "Inès", "Zoé",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Loïc", "Jérôme", "Benoît", "Rémi", "Frédéric", "Stéphane", "Sébastien", "Thierry",
    "Julien", "Nicolas", "Olivier", "Laurent", "Philippe", "Christophe", "Pierre", "François",
    "Mathieu", "Guillaume", "Antoine", "Hugo", "Lucas", "Maxime", "Thomas", "Alexandre",
    "Jean-Michel", "Hervé", "Gaël", "Noël", "Joël", "Raphaël", "Cédric", "Grégoire", "Yannick",
    "Damien", "Vincent", "Marc", "Bruno", "Didier", "Étienne", "Mickaël",
)  # fmt: skip
LAST_NAMES = (
    "Lefèvre", "Bénard", "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
    "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Michel", "Garcia", "David", "Bertrand",
    "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Légaré", "Gérard", "Rousseau", "Blanc", "Guérin",
    "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Mathieu", "Clément", "Gauthier",
    "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Boyer",
    "Denis", "Lemaire", "Duval", "Joly", "Gaillard", "Brun", "Barbier", "Arnaud", "Rivière",
    "Besançon", "Thévenet", "Noël", "Côte", "Péroux", "Allègre", "Faure", "Chabert",
    "Vallée", "Jacquemet", "Brunet", "Ménard",
)  # fmt: skip

# ---------------------------------------------------------------------------- addresses

STREET_TYPES = (
    ("R", "Rue"), ("R", "Rue"), ("R", "Rue"), ("AV", "Avenue"), ("AV", "Avenue"),
    ("BD", "Boulevard"), ("PL", "Place"), ("CHE", "Chemin"), ("RTE", "Route"), ("ALL", "Allée"),
    ("IMP", "Impasse"), ("QUAI", "Quai"),
)  # fmt: skip
STREET_NAMES = (
    "de la République", "Victor Hugo", "Jean Jaurès", "du Général de Gaulle", "Pasteur",
    "des Écoles", "de la Libération", "du 8 Mai 1945", "Gambetta", "des Tilleuls", "de la Gare",
    "du Stade", "Émile Zola", "Paul Bert", "Aristide Briand", "Jean Moulin", "de l'Église",
    "des Alpes", "du Dauphiné", "Frédéric Mistral", "de la Bourbre", "des Platanes",
    "du Lac", "des Marronniers", "Joseph Seigner", "Louis Pasteur", "de Lyon", "de Grenoble",
    "des Peupliers", "du Vercors", "de Belledonne", "Hector Berlioz", "du Château",
)  # fmt: skip
ADDRESS_EXTRAS = ("Bâtiment B", "1er étage", "Rez-de-chaussée", "Entrée C", "2e étage")
ADDRESS_POINTS = ("Résidence les Acacias", "Le Forum", "Espace santé", "Les Jardins du Parc")
CABINET_SUFFIXES = (
    "des Tilleuls", "du Centre", "de la Gare", "des Alpes", "du Parc", "Pasteur", "des Écoles",
    "de la Bourbre", "du Vercors", "des Platanes", "du Marché", "de la Mairie", "du Lac",
    "Saint-Michel", "des Cèdres", "du Château",
)  # fmt: skip
PHONE_AREAS = ("74", "74", "74", "37", "76", "78", "72")
PHONE_PREFIXES = {"2A": "0495", "2B": "0495", "971": "0590", "972": "0596", "973": "0594",
                  "974": "0262", "976": "0269"}  # fmt: skip

# ---------------------------------------------------------------------------- RPPS codes

SPECIALTIES = (  # (savoir-faire code, label, weight): nomenclature TRE_R38
    ("SM04", "Cardiologie et maladies vasculaires", 14),
    ("SM42", "Psychiatrie", 16),
    ("SM40", "Pédiatrie", 10),
    ("SM38", "Ophtalmologie", 12),
    ("SM20", "Gynécologie-obstétrique", 9),
    ("SM15", "Dermatologie et vénéréologie", 7),
    ("SM02", "Anesthésie-réanimation", 12),
    ("SM44", "Radio-diagnostic", 10),
)
ORDINAL_SPECIALTY = ("S", "Spécialité ordinale")
GP_SPECIALTY_LABEL = "Médecine Générale"
DENTAL_SPECIALTY = ("SCD01", "Orthopédie dento-faciale")
SECTORS = {
    "cabinet": ("SA07", "Cabinet individuel"),
    "group": ("SA08", "Cabinet de groupe"),
    "msp": ("SA52", "Maison de santé ou Pôle de santé"),
    "pharmacy": ("SA33", "Pharmacie d'officine"),
    "hospital": ("SA01", "Etablissement public de santé"),
    "ehpad": ("SA17", "Etablissement pour personnes âgées"),
    "cds": ("SA05", "Centre de santé"),
    "lab": ("SA25", "Laboratoire de biologie médicale"),
}
ROLE_OWNER = ("FON-01", "Titulaire de cabinet")
ROLE_PARTNER = ("FON-17", "Collaborateur")
ROLE_PHARMACY_OWNER = ("FON-03", "Titulaire d'officine")
ROLE_DEPUTY = ("FON-05", "Adjoint")
ROLE_EMPLOYEE = ("FON-33", "Salarié en poste fixe")
ROLE_PUI = ("FON-37", "Gérant de pharmacie à usage intérieur (PUI)")
ROLE_BIOLOGIST = ("FON-41", "Biologiste médical")
ROLE_EHPAD_DOCTOR = ("FON-63", "Coordonnateur en EHPAD")
SECTION_OWNER = ("A", "Pharmacien titulaire d'officine")
SECTION_DEPUTY = ("D", "Pharmacien adjoint, remplaçant ou gérant")
SECTION_BIOLOGIST = ("G", "Pharmacien biologiste")
SECTION_HOSPITAL = ("H", "Pharmacien d'établissement de santé")
ACTIVITY_KIND = ("GENR01", "Activité de soin et de pharmacie")
MODES = {"L": "Libéral", "S": "Salarié"}
ORDERS = {"10": "CNOM", "21": "CNOP", "40": "CNOCD", "50": "CNOSF", "60": "ONI", "70": "CNOMK",
          "80": "ONPP"}  # fmt: skip


@dataclass(frozen=True)
class _Kind:
    key: str
    female_share: float
    weight_power: float  # > 1: concentrated in the towns
    cabinet: str  # cabinet name prefix
    cabinet_size: int
    salaried: tuple = ()  # ((structure kind, probability), ...) tried in order
    msp_share: float = 0.0


KINDS = (
    _Kind("gp", 0.52, 1.0, "Cabinet médical", 4,
          (("hospital", 0.04), ("cds", 0.25), ("ehpad", 0.05)), 0.45),
    _Kind("specialist", 0.47, 2.0, "Centre médical", 5, (("hospital", 0.5), ("cds", 0.1))),
    _Kind("nurse", 0.87, 1.0, "Cabinet infirmier", 5,
          (("hospital", 0.15), ("ehpad", 0.12), ("cds", 0.1)), 0.35),
    _Kind("physio", 0.5, 1.2, "Cabinet de kinésithérapie", 4,
          (("hospital", 0.08), ("ehpad", 0.04)), 0.35),
    _Kind("dentist", 0.5, 1.2, "Cabinet dentaire", 3, (("cds", 0.25),)),
    _Kind("midwife", 0.97, 1.3, "Cabinet de sage-femme", 2, (("hospital", 0.55),), 0.4),
    _Kind("speech", 0.96, 1.2, "Cabinet d'orthophonie", 3, (("hospital", 0.06),), 0.3),
    _Kind("podiatrist", 0.7, 1.2, "Cabinet de podologie", 2, (), 0.3),
    _Kind("orthoptist", 0.88, 1.6, "Cabinet d'orthoptie", 2, (("hospital", 0.2),)),
    _Kind("dietitian", 0.92, 1.4, "Cabinet de diététique", 2,
          (("hospital", 0.5), ("ehpad", 0.15)), 0.3),
)  # fmt: skip

# ---------------------------------------------------------------------------- FINESS codes

FINESS_CATEGORIES = {  # kind: (categetab, libcategetab, categagretab, libcategagretab)
    "hospital": ("355", "Centre Hospitalier (C.H.)", "1102", "Centres Hospitaliers"),
    "ehpad": ("500", "Etablissement d'hébergement pour personnes âgées dépendantes", "4401",
              "Etablissements d'Hébergement pour Personnes Âgées"),
    # The aggregate categories of 603 and 124 are illustrative.
    "msp": ("603", "Maison de santé (L.6223-3)", "2206", "Maisons de Santé"),
    "cds": ("124", "Centre de Santé", "2204", "Centres de Santé"),
    "pharmacy": ("620", "Pharmacie d'Officine", "3201", "Commerce de Biens à Usage Médicaux"),
}  # fmt: skip
FINESS_TARIFFS = {  # kind: (codeape, codemft, libmft, codesph, libsph)
    "hospital": ("8610Z", "03", "ARS établissements Publics de santé dotation globale", "1",
                 "Etablissement public de santé"),
    "ehpad": ("8710A", "40", "ARS/PCD, Tarif global, habilité aide sociale, recours PUI", "",
              ""),
    "msp": ("8621Z", "99", "Indéterminé", "", ""),
    "cds": ("8621Z", "99", "Indéterminé", "", ""),
    "pharmacy": ("4773Z", "01", "Etablissement Tarif Libre", "", ""),
}  # fmt: skip
UPDATES_FROM, UPDATES_UNTIL = datetime.date(2019, 1, 1), datetime.date(2026, 4, 30)
OPENING_YEARS = {"hospital": (1960, 2008), "msp": (2009, 2024), "cds": (1985, 2023)}
EHPAD_NAMES = ("Les Tilleuls", "La Chênaie", "Le Clos des Vignes", "Les Glycines",
               "Le Val Fleuri", "Les Magnolias", "La Roseraie")  # fmt: skip
CDS_NAMES = ("Centre de santé mutualiste", "Centre de santé municipal",
             "Centre de santé du Centre", "Centre de santé des Alpes")  # fmt: skip
PHARMACY_NAMES = (
    "Pharmacie du Centre", "Pharmacie de la Gare", "Pharmacie des Tilleuls",
    "Pharmacie du Marché", "Pharmacie de la Poste", "Pharmacie du Parc", "Grande Pharmacie",
    "Pharmacie de l'Église", "Pharmacie des Alpes", "Pharmacie Pasteur", "Pharmacie du Pont",
    "Pharmacie de la Mairie", "Pharmacie des Écoles", "Pharmacie du Stade",
)  # fmt: skip
# (EPSG code, name in sourcecoordet) by FINESS département code; default Lambert-93.
PROJECTIONS = {"9A": (5490, "UTM_N20"), "9B": (5490, "UTM_N20"), "9C": (2972, "UTM_N22"),
               "9D": (2975, "UTM_S40"), "9F": (4471, "UTM_S38")}  # fmt: skip
LAMBERT_93 = (2154, "LAMBERT_93")
OVERSEAS_FINESS = {"971": "9A", "972": "9B", "973": "9C", "974": "9D", "976": "9F"}

DEPARTEMENTS = {
    "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes", "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes",
    "09": "Ariège", "10": "Aube", "11": "Aude", "12": "Aveyron", "13": "Bouches-du-Rhône",
    "14": "Calvados", "15": "Cantal", "16": "Charente", "17": "Charente-Maritime", "18": "Cher",
    "19": "Corrèze", "2A": "Corse-du-Sud", "2B": "Haute-Corse", "21": "Côte-d'Or",
    "22": "Côtes-d'Armor", "23": "Creuse", "24": "Dordogne", "25": "Doubs", "26": "Drôme",
    "27": "Eure", "28": "Eure-et-Loir", "29": "Finistère", "30": "Gard", "31": "Haute-Garonne",
    "32": "Gers", "33": "Gironde", "34": "Hérault", "35": "Ille-et-Vilaine", "36": "Indre",
    "37": "Indre-et-Loire", "38": "Isère", "39": "Jura", "40": "Landes", "41": "Loir-et-Cher",
    "42": "Loire", "43": "Haute-Loire", "44": "Loire-Atlantique", "45": "Loiret", "46": "Lot",
    "47": "Lot-et-Garonne", "48": "Lozère", "49": "Maine-et-Loire", "50": "Manche",
    "51": "Marne", "52": "Haute-Marne", "53": "Mayenne", "54": "Meurthe-et-Moselle",
    "55": "Meuse", "56": "Morbihan", "57": "Moselle", "58": "Nièvre", "59": "Nord",
    "60": "Oise", "61": "Orne", "62": "Pas-de-Calais", "63": "Puy-de-Dôme",
    "64": "Pyrénées-Atlantiques", "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales",
    "67": "Bas-Rhin", "68": "Haut-Rhin", "69": "Rhône", "70": "Haute-Saône",
    "71": "Saône-et-Loire", "72": "Sarthe", "73": "Savoie", "74": "Haute-Savoie", "75": "Paris",
    "76": "Seine-Maritime", "77": "Seine-et-Marne", "78": "Yvelines", "79": "Deux-Sèvres",
    "80": "Somme", "81": "Tarn", "82": "Tarn-et-Garonne", "83": "Var", "84": "Vaucluse",
    "85": "Vendée", "86": "Vienne", "87": "Haute-Vienne", "88": "Vosges", "89": "Yonne",
    "90": "Territoire de Belfort", "91": "Essonne", "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d'Oise", "971": "Guadeloupe",
    "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte",
}  # fmt: skip


# ---------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class _Commune:
    code: str
    name: str
    population: int
    postal_code: str
    departement: str
    departement_name: str
    latitude: float | None
    longitude: float | None


_COMMUNE_FIELDS = ("code", "name", "population", "postal_code", "departement_code",
                   "latitude", "longitude", "departement_name")  # fmt: skip


def _read_commune(item) -> _Commune:
    if isinstance(item, Mapping):
        values = {key: item.get(key) for key in _COMMUNE_FIELDS}
    elif hasattr(item, "code"):
        values = {key: getattr(item, key, None) for key in _COMMUNE_FIELDS}
    else:
        values = dict.fromkeys(_COMMUNE_FIELDS) | dict(zip(_COMMUNE_FIELDS, item, strict=False))
    code = str(values["code"] or "").strip().upper()
    if len(code) != 5:
        raise ValueError(f"code INSEE sur 5 caractères attendu, reçu {code!r}")
    departement = str(values["departement_code"] or "").strip().upper()
    if not departement:
        departement = code[:3] if code.startswith("97") else code[:2]
    latitude, longitude = values["latitude"], values["longitude"]
    return _Commune(
        code=code,
        name=str(values["name"] or code).strip(),
        population=max(0, int(values["population"] or 0)),
        postal_code=str(values["postal_code"] or "").strip(),
        departement=departement,
        departement_name=str(values["departement_name"] or "").strip()
        or DEPARTEMENTS.get(departement, ""),
        latitude=float(latitude) if latitude is not None else None,
        longitude=float(longitude) if longitude is not None else None,
    )


def _read_communes(communes) -> list[_Commune]:
    read = sorted((_read_commune(c) for c in communes), key=lambda c: c.code)
    if len({c.code for c in read}) != len(read):
        raise ValueError("une commune est listée deux fois")
    return read


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _upper_plain(text: str) -> str:
    return _plain(text).upper()


def _slug(text: str) -> str:
    cleaned = "".join(c if c.isalnum() else " " for c in _plain(text).lower())
    return "-".join(cleaned.split())


def _postal_code(commune: _Commune) -> str:
    if commune.postal_code:
        return commune.postal_code
    prefix = "20" if commune.departement in ("2A", "2B") else commune.departement[:2]
    return f"{prefix}300" if len(commune.departement) == 2 else f"{commune.departement}00"


def _routing_line(commune: _Commune) -> str:
    """La Poste's "ligne d'acheminement": "38300 BOURGOIN JALLIEU", "38090 ST ..."."""
    words = _upper_plain(commune.name).replace("-", " ").replace("'", " ").split()
    short = {"SAINT": "ST", "SAINTE": "STE"}
    return f"{_postal_code(commune)} {' '.join(short.get(w, w) for w in words)}"


def _finess_departement(commune: _Commune) -> str:
    return OVERSEAS_FINESS.get(commune.departement, commune.departement[:2])


def _phone(rng: random.Random, commune: _Commune) -> str:
    prefix = PHONE_PREFIXES.get(commune.departement) or f"04{rng.choice(PHONE_AREAS)}"
    return f"{prefix}{rng.randrange(10**6):06d}"


def _of(name: str) -> str:
    """ "de" + a commune name, with French elision and contraction."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if _plain(name)[:1].upper() in "AEIOUY":
        return "d'" + name
    return "de " + name


def _luhn_number(payload: str) -> str:
    return payload + luhn_check_digit(payload)


class _Numbers:
    """Unique identifiers: RPPS, SIREN/SIRET, FINESS, structure ids."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def rpps(self) -> str:
        return self._unique(lambda: _luhn_number(f"10{self.rng.randrange(10**5, 10**8):08d}"))

    def siret(self, prefix: str = "") -> str:
        def make():
            body = prefix + "".join(str(self.rng.randrange(10)) for _ in range(8 - len(prefix)))
            siren = _luhn_number(body if body[0] != "0" else "4" + body[1:])
            return _luhn_number(f"{siren}{self.rng.randrange(1, 100):04d}")

        return self._unique(make)

    def finess(self, departement: str) -> str:
        prefix = "98" if departement == "976" else departement[:2]

        def make():
            payload = f"{prefix}{self.rng.randrange(10**6):06d}"
            digits = "".join(c for c in payload if c.isdigit())
            return payload + luhn_check_digit(digits)

        return self._unique(make)

    def structure_id(self) -> str:
        return self._unique(lambda: f"R10100000{self.rng.randrange(10**6):06d}")


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, drawn with probability proportional to weight."""
    pool = [(item, w) for item, w in zip(items, weights, strict=True) if w > 0]
    chosen = []
    while pool and len(chosen) < k:
        total = sum(w for _, w in pool)
        target, acc = rng.random() * total, 0.0
        for index, (item, w) in enumerate(pool):
            acc += w
            if acc >= target:
                chosen.append(item)
                del pool[index]
                break
        else:
            chosen.append(pool.pop()[0])
    return chosen


def _distance(a: _Commune, b: _Commune) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    mean = math.radians((a.latitude + b.latitude) / 2)
    dx = math.radians(b.longitude - a.longitude) * math.cos(mean)
    dy = math.radians(b.latitude - a.latitude)
    return 6_371_000 * math.hypot(dx, dy)


def _neighbours(communes: list[_Commune]) -> dict[str, list[_Commune]]:
    """Other communes, nearest first (by centroid, else by position in the code order)."""
    result = {}
    for index, commune in enumerate(communes):
        others = [(j, c) for j, c in enumerate(communes) if c.code != commune.code]

        def key(pair, commune=commune, index=index):
            distance = _distance(commune, pair[1])
            return (distance if distance is not None else abs(pair[0] - index), pair[1].code)

        result[commune.code] = [c for _, c in sorted(others, key=key)]
    return result


def _random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


# ---------------------------------------------------------------------------- sites


@dataclass
class _Site:
    kind: str  # cabinet, msp, pharmacy, hospital, ehpad, cds, lab
    name: str
    commune: _Commune
    number: str
    street_code: str
    street_label: str
    street: str
    phone: str
    fax: str = ""
    email: str = ""
    extra: str = ""
    point: str = ""
    repeat: str = ""
    sign: str = ""
    siret: str = ""  # the structure's own SIRET (pharmacy, hospital, MSP...)
    finess: str = ""
    finess_ej: str = ""
    struct_id: str = ""
    members: int = 0

    def sector(self) -> tuple[str, str]:
        if self.kind == "cabinet":
            return SECTORS["group" if self.members > 1 else "cabinet"]
        return SECTORS[self.kind]


def _address(rng: random.Random) -> dict:
    street_code, street_label = rng.choice(STREET_TYPES)
    return dict(
        number=str(rng.randint(1, 180)) if street_code != "PL" or rng.random() < 0.5 else "",
        repeat="B" if rng.random() < 0.04 else "",
        street_code=street_code,
        street_label=street_label,
        street=rng.choice(STREET_NAMES),
        extra=rng.choice(ADDRESS_EXTRAS) if rng.random() < 0.12 else "",
        point=rng.choice(ADDRESS_POINTS) if rng.random() < 0.06 else "",
    )


@dataclass
class _Structure:
    """One FINESS establishment, also a practice site of the RPPS file."""

    kind: str
    rs: str
    rslongue: str
    site: _Site
    dateouv: str
    dateautor: str
    datemaj: str
    offset: tuple[float, float]  # metres east, north of the commune centroid


@dataclass
class _Plan:
    structures: list[_Structure] = field(default_factory=list)

    def sites(self, commune_code: str, kind: str) -> list[_Site]:
        return [
            s.site
            for s in self.structures
            if s.kind == kind and s.site.commune.code == commune_code
        ]

    def of_kind(self, kind: str) -> list[_Site]:
        return [s.site for s in self.structures if s.kind == kind]


def _pharmacy_counts(rng: random.Random, communes: list[_Commune]) -> dict[str, int]:
    """About one pharmacy per 3 500 inhabitants, by largest remainder."""
    total_population = sum(c.population for c in communes)
    if not communes or total_population <= 0:
        return {}
    total = max(1, round(total_population / 3500))
    quotas = {c.code: c.population / 3500 for c in communes}
    counts = {code: int(q) for code, q in quotas.items()}
    order = sorted(communes, key=lambda c: (-(quotas[c.code] - counts[c.code]), rng.random()))
    for commune in order[: max(0, total - sum(counts.values()))]:
        counts[commune.code] += 1
    return counts


def _plan_structures(communes: list[_Commune], seed: str) -> _Plan:
    """The establishments of the FINESS file, drawn from their own random stream so that the
    two files agree whichever is written first."""
    rng = random.Random(f"{seed}:finess")
    numbers = _Numbers(rng)
    plan = _Plan()
    if not communes:
        return plan
    by_size = sorted(communes, key=lambda c: (-c.population, c.code))

    def add(kind, commune, name, rs, rslongue, *, ej="", siret_prefix="", address=None):
        site = _Site(
            kind=kind, name=name, commune=commune, phone=_phone(rng, commune),
            fax=_phone(rng, commune) if kind in ("hospital", "ehpad") or rng.random() < 0.3 else "",
            **(address or _address(rng)),
        )  # fmt: skip
        site.extra = site.point = ""
        site.finess = numbers.finess(commune.departement)
        site.finess_ej = ej or numbers.finess(commune.departement)
        site.siret = numbers.siret(siret_prefix)
        site.struct_id = numbers.structure_id()
        if kind != "hospital" and rng.random() < 0.5:
            site.email = f"contact.{_slug(name)}@{_slug(commune.name)}.sante.test"
        if kind == "pharmacy":
            site.sign = name
        first, last = OPENING_YEARS.get(kind, (1975, 2022))
        opened = _random_date(rng, datetime.date(first, 1, 1), datetime.date(last, 12, 31))
        authorised = opened - datetime.timedelta(days=rng.randrange(0, 240))
        updated = _random_date(rng, max(opened, UPDATES_FROM), UPDATES_UNTIL)
        angle, distance = rng.uniform(0, 2 * math.pi), rng.uniform(150, 700)
        plan.structures.append(
            _Structure(
                kind=kind, rs=rs[:38].rstrip(), rslongue=rslongue[:60].rstrip(), site=site,
                dateouv=opened.isoformat(), dateautor=authorised.isoformat(),
                datemaj=updated.isoformat(),
                offset=(distance * math.cos(angle), distance * math.sin(angle)),
            )
        )  # fmt: skip
        return site

    # The centre hospitalier.
    hospital_commune = next((c for c in communes if c.code == HOSPITAL_COMMUNE), by_size[0])
    if hospital_commune.code == HOSPITAL_COMMUNE:
        rs, rslongue = "CH PIERRE OUDOT", "CENTRE HOSPITALIER PIERRE OUDOT"
        address = dict(number="30", street_code="AV", street_label="Avenue",
                       street="du Médipôle")  # fmt: skip
    else:
        of_town = _upper_plain(_of(hospital_commune.name))
        rs, rslongue, address = f"CH {of_town}", f"CENTRE HOSPITALIER {of_town}", None
    name = "Centre hospitalier " + ("Pierre Oudot" if address else _of(hospital_commune.name))
    hospital = add("hospital", hospital_commune, name, rs, rslongue, siret_prefix="26",
                   address=address)  # fmt: skip

    # EHPAD: two to four, some run by the hospital.
    ehpad_communes = _weighted_sample(
        rng, communes, [c.population for c in communes], rng.randint(2, 4)
    )
    for commune, label in zip(ehpad_communes, rng.sample(EHPAD_NAMES, len(ehpad_communes)),
                              strict=False):  # fmt: skip
        public = rng.random() < 0.4
        add(
            "ehpad",
            commune,
            f"EHPAD {label}",
            f"EHPAD {_upper_plain(label)}",
            f"EHPAD {_upper_plain(label)} {_upper_plain(commune.name)}",
            ej=hospital.finess_ej if public else "",
            siret_prefix="26" if public else "",
        )

    # Maisons de santé: three to five, in the small towns rather than the biggest one.
    weights = [c.population if 1000 <= c.population <= 20_000 else 0 for c in communes]
    if not any(weights):
        weights = [max(1, c.population) for c in communes]
    for commune in _weighted_sample(rng, communes, weights, rng.randint(3, 5)):
        of_town = _of(commune.name)
        add("msp", commune, f"MSP {of_town}", f"MSP {_upper_plain(of_town)}",
            f"MAISON DE SANTE PLURIPROFESSIONNELLE {_upper_plain(of_town)}")  # fmt: skip

    # Centres de santé: one or two, in the biggest communes.
    for commune, label in zip(
        _weighted_sample(rng, by_size[:3], [c.population for c in by_size[:3]],
                         rng.randint(1, 2)),
        rng.sample(CDS_NAMES, 2), strict=False,
    ):  # fmt: skip
        add("cds", commune, label, _upper_plain(label), f"{_upper_plain(label)} "
            f"{_upper_plain(commune.name)}")  # fmt: skip

    # Pharmacies, about one per 3 500 inhabitants.
    counts = _pharmacy_counts(rng, communes)
    for commune in communes:
        names = rng.sample(PHARMACY_NAMES, min(counts.get(commune.code, 0), len(PHARMACY_NAMES)))
        for name in names:
            add("pharmacy", commune, name, _upper_plain(name),
                f"{_upper_plain(name)} {_upper_plain(commune.name)}")  # fmt: skip
    plan.structures.sort(key=lambda s: s.site.finess)
    return plan


# ---------------------------------------------------------------------------- RPPS


@dataclass
class _Activity:
    site: _Site
    mode: str  # L, S
    role: tuple[str, str]
    siret: str = ""
    section: tuple[str, str] = ("", "")


@dataclass
class _Professional:
    rpps: str
    kind: str
    code: str
    female: bool
    last_name: str
    first_name: str
    savoir_faire: tuple[str, str, str, str] = ("", "", "", "")
    activities: list[_Activity] = field(default_factory=list)


class _RppsBuilder:
    def __init__(self, communes: list[_Commune], plan: _Plan, seed: str):
        self.rng = random.Random(seed)
        self.numbers = _Numbers(self.rng)
        for structure in plan.structures:  # never reuse a structure's identifiers
            self.numbers.used.update((structure.site.siret, structure.site.struct_id))
        self.numbers.used.update(named.rpps for named in DEMO_PERSONA_PROFESSIONALS)
        self.communes = communes
        self.plan = plan
        self.neighbours = _neighbours(communes)
        self.population = sum(c.population for c in communes)
        self.cabinets: dict[tuple[str, str], list[_Site]] = defaultdict(list)
        self.used_suffixes: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.professionals: list[_Professional] = []

    # Counts and places -------------------------------------------------------------
    def count(self, key: str) -> int:
        return round(DENSITY_PER_10000[key] * self.population / 10_000)

    def weights(self, kind: _Kind) -> list[float]:
        if kind.key == "specialist":
            weights = [c.population**2 if c.population >= 5000 else 0 for c in self.communes]
            if not any(weights):
                biggest = max(self.communes, key=lambda c: (c.population, c.code))
                weights = [1.0 if c is biggest else 0.0 for c in self.communes]
            return weights
        return [c.population**kind.weight_power for c in self.communes]

    def gp_weights(self) -> list[float]:
        """Proportional to population, but some rural communes have no GP at all."""
        weights = [float(c.population) for c in self.communes]
        rural = [i for i, c in enumerate(self.communes) if 0 < c.population < 2500]
        deserts = [i for i in rural if self.rng.random() < 0.35]
        if not deserts and len(self.communes) > 1:
            smallest = min(
                range(len(self.communes)),
                key=lambda i: (self.communes[i].population, self.communes[i].code),
            )
            deserts = [smallest]
        for i in deserts:
            weights[i] = 0.0
        if not any(weights):
            weights = [float(max(1, c.population)) for c in self.communes]
        return weights

    def neighbour(self, commune: _Commune, eligible: set[str]) -> _Commune | None:
        near = [c for c in self.neighbours[commune.code] if c.code in eligible][:3]
        return self.rng.choice(near) if near else None

    # People ------------------------------------------------------------------------
    def person(self, kind: str, female: bool | None = None) -> _Professional:
        spec = next((k for k in KINDS if k.key == kind), None)
        share = spec.female_share if spec else 0.68
        female = self.rng.random() < share if female is None else female
        pool = FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES
        first = self.rng.choice([n for n in pool if n != DEMO_GP_FIRST_NAME])
        last = self.rng.choice(LAST_NAMES).upper()
        return _Professional(
            rpps=self.numbers.rpps(), kind=kind, code=PROFESSION_CODES[kind], female=female,
            last_name=last, first_name=first,
        )  # fmt: skip

    # Sites -------------------------------------------------------------------------
    def cabinet(self, kind: _Kind, commune: _Commune) -> tuple[_Site, bool]:
        """An existing cabinet of this profession in the commune, or a new one."""
        key = (commune.code, kind.key)
        open_ones = [s for s in self.cabinets[key] if s.members < kind.cabinet_size]
        if open_ones and self.rng.random() < 0.55:
            return self.rng.choice(open_ones), False
        free = [s for s in CABINET_SUFFIXES if s not in self.used_suffixes[key]]
        suffix = self.rng.choice(free) if free else f"{len(self.cabinets[key]) + 1}"
        self.used_suffixes[key].add(suffix)
        name = f"{kind.cabinet} {suffix}"
        site = _Site(kind="cabinet", name=name, commune=commune, phone=_phone(self.rng, commune),
                     **_address(self.rng))  # fmt: skip
        site.struct_id = self.numbers.structure_id()
        site.fax = _phone(self.rng, commune) if self.rng.random() < 0.2 else ""
        if self.rng.random() < 0.45:
            site.email = f"{_slug(name)}@{_slug(commune.name)}.sante.test"
        self.cabinets[key].append(site)
        return site, True

    def liberal(self, kind: _Kind, commune: _Commune) -> _Activity:
        msps = self.plan.sites(commune.code, "msp")
        if msps and kind.msp_share and self.rng.random() < kind.msp_share:
            site = self.rng.choice(msps)
            site.members += 1
            return _Activity(site, "L", ROLE_OWNER, self.numbers.siret())
        site, new = self.cabinet(kind, commune)
        site.members += 1
        role = ROLE_OWNER if new or self.rng.random() < 0.7 else ROLE_PARTNER
        return _Activity(site, "L", role, self.numbers.siret())

    def primary(self, kind: _Kind, commune: _Commune) -> _Activity:
        for structure_kind, probability in kind.salaried:
            sites = self.plan.sites(commune.code, structure_kind)
            if sites and self.rng.random() < probability:
                role = ROLE_EMPLOYEE
                if kind.key == "gp" and structure_kind == "ehpad":
                    role = ROLE_EHPAD_DOCTOR
                return _Activity(self.rng.choice(sites), "S", role)
        return self.liberal(kind, commune)

    # Professions -------------------------------------------------------------------
    def build(self) -> list[_Professional]:
        if not self.communes or self.population <= 0:
            return []
        for kind in KINDS:
            self.build_kind(kind)
        self.build_pharmacists()
        for named in DEMO_PERSONA_PROFESSIONALS:
            self.build_named(named)
        return sorted(self.professionals, key=lambda p: p.rpps)

    def build_named(self, named: NamedProfessional) -> None:
        commune = next((c for c in self.communes if c.code == DEMO_GP_COMMUNE),
                       max(self.communes, key=lambda c: (c.population, c.code)))  # fmt: skip
        person = _Professional(
            rpps=named.rpps, kind=named.kind, code=PROFESSION_CODES[named.kind],
            female=named.female, last_name=named.last_name, first_name=named.first_name,
            savoir_faire=self.savoir_faire(named.kind) if named.kind == "gp" else ("",) * 4,
        )  # fmt: skip
        kind = next(k for k in KINDS if k.key == named.kind)
        person.activities.append(self.liberal(kind, commune))
        self.professionals.append(person)

    def build_kind(self, kind: _Kind) -> None:
        total = self.count(kind.key)
        if total <= 0:
            return
        weights = self.gp_weights() if kind.key == "gp" else self.weights(kind)
        eligible = {c.code for c, w in zip(self.communes, weights, strict=True) if w > 0}
        places = self.rng.choices(self.communes, weights=weights, k=total)
        demo = None
        if kind.key == "gp":  # the demo GP first, in Bourgoin-Jallieu when it is listed
            demo = next((c for c in self.communes if c.code == DEMO_GP_COMMUNE), None)
            if demo is None or demo.code not in eligible:
                demo = max((c for c in self.communes if c.code in eligible),
                           key=lambda c: (c.population, c.code))  # fmt: skip
            places[0] = demo
        for index, commune in enumerate(places):
            is_demo = demo is not None and index == 0
            person = self.person(kind.key, female=True if is_demo else None)
            if is_demo:
                person.first_name, person.last_name = DEMO_GP_FIRST_NAME, DEMO_GP_LAST_NAME
            person.savoir_faire = self.savoir_faire(kind.key)
            activity = self.liberal(kind, commune) if is_demo else self.primary(kind, commune)
            person.activities.append(activity)
            if not is_demo and self.rng.random() < SECOND_SITE_SHARE:
                other = self.neighbour(commune, eligible)
                if other is not None:
                    site, _ = self.cabinet(kind, other)
                    site.members += 1
                    person.activities.append(_Activity(site, "L", ROLE_OWNER, self.numbers.siret()))
            self.professionals.append(person)

    def savoir_faire(self, key: str) -> tuple[str, str, str, str]:
        if key == "gp":
            return (*ORDINAL_SPECIALTY, GP_SAVOIR_FAIRE, GP_SPECIALTY_LABEL)
        if key == "specialist":
            code, label, _ = self.rng.choices(SPECIALTIES, weights=[s[2] for s in SPECIALTIES])[0]
            return (*ORDINAL_SPECIALTY, code, label)
        if key == "dentist" and self.rng.random() < 0.1:
            return (*ORDINAL_SPECIALTY, *DENTAL_SPECIALTY)
        return ("", "", "", "")

    def build_pharmacists(self) -> None:
        total = self.count("pharmacist")
        pharmacies = self.plan.of_kind("pharmacy")
        hospitals = self.plan.of_kind("hospital")
        hospital_count = min(total, max(1, round(total * 0.06))) if hospitals else 0
        biologist_count = round(total * 0.04) if total >= 20 else 0
        owner_count = min(len(pharmacies), total - hospital_count - biologist_count)
        deputy_count = total - hospital_count - biologist_count - owner_count
        if not pharmacies:  # nowhere to be a deputy: the hospital, else a laboratory
            if hospitals:
                hospital_count, deputy_count = hospital_count + deputy_count, 0
            else:
                biologist_count, deputy_count = biologist_count + deputy_count, 0
        for pharmacy in pharmacies[:owner_count]:
            self.pharmacist(pharmacy, "L", ROLE_PHARMACY_OWNER, SECTION_OWNER, pharmacy.siret)
        for _ in range(deputy_count):
            self.pharmacist(self.rng.choice(pharmacies), "S", ROLE_DEPUTY, SECTION_DEPUTY)
        for index in range(hospital_count):
            role = ROLE_PUI if index == 0 else ROLE_EMPLOYEE
            self.pharmacist(hospitals[0], "S", role, SECTION_HOSPITAL)
        if biologist_count:
            town = max(self.communes, key=lambda c: (c.population, c.code))
            lab = _Site(
                kind="lab",
                name="Laboratoire de biologie médicale du Centre",
                commune=town,
                phone=_phone(self.rng, town),
                **_address(self.rng),
            )
            lab.siret, lab.struct_id = self.numbers.siret(), self.numbers.structure_id()
            for _ in range(biologist_count):
                self.pharmacist(lab, "L", ROLE_BIOLOGIST, SECTION_BIOLOGIST, lab.siret)

    def pharmacist(self, site, mode, role, section, siret="") -> None:
        person = self.person("pharmacist")
        person.activities.append(_Activity(site, mode, role, siret, section))
        self.professionals.append(person)


def _rpps_fields(person: _Professional, activity: _Activity) -> list[str]:
    site, commune = activity.site, activity.site.commune
    doctor = person.code in (GP_PROFESSION, "40")
    siret = activity.siret or site.siret
    if site.finess:
        old_id = "1" + site.finess
    else:
        old_id = "3" + siret if siret else ""
    order = ORDERS.get(person.code)
    authority = f"{order}/{order}{commune.departement}" if order else "ARS/ARS"
    fields = [
        "8", person.rpps, "8" + person.rpps,
        *(("DR", "Docteur") if doctor else ("", "")),
        *(("MME", "Madame") if person.female else ("M", "Monsieur")),
        person.last_name, person.first_name, person.code, PROFESSIONS[person.code],
        "C", "Civil", *person.savoir_faire,
        activity.mode, MODES[activity.mode], siret, siret[:9], site.finess, site.finess_ej,
        site.struct_id, site.name, site.sign, site.extra, site.point, site.number, site.repeat,
        site.street_code, site.street_label, site.street, "", _routing_line(commune),
        _postal_code(commune), commune.code, commune.name.upper(), "", "",
        site.phone, "", site.fax, site.email, commune.departement, commune.departement_name,
        old_id, authority, *site.sector(), *activity.section, *activity.role, *ACTIVITY_KIND,
    ]  # fmt: skip
    if len(fields) != N_COLUMNS or any("|" in f or "\n" in f for f in fields):
        raise AssertionError(f"ligne RPPS mal formée : {fields!r}")
    return fields


def write_rpps_file(path, communes, *, seed: str = DEFAULT_SEED, encoding: str = "utf-8") -> int:
    """Write a synthetic `PS_LibreAcces_Personne_activite` extraction for these communes;
    return the number of data lines (activities)."""
    read = _read_communes(communes)
    plan = _plan_structures(read, seed)
    professionals = _RppsBuilder(read, plan, seed).build()
    lines = 0
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write("|".join(COLUMNS) + "|\n")
        for person in professionals:
            for activity in person.activities:
                handle.write("|".join(_rpps_fields(person, activity)) + "|\n")
                lines += 1
    return lines


# ---------------------------------------------------------------------------- FINESS


def _finess_fields(structure: _Structure) -> list[str]:
    site, commune = structure.site, structure.site.commune
    category = FINESS_CATEGORIES[structure.kind]
    ape, mft, libmft, sph, libsph = FINESS_TARIFFS[structure.kind]
    fields = [
        "structureet", site.finess, site.finess_ej, structure.rs, structure.rslongue, "", "",
        site.number, site.street_code, _upper_plain(site.street), "", "", commune.code[-3:],
        _finess_departement(commune), _upper_plain(commune.departement_name),
        _routing_line(commune), site.phone, site.fax, *category, site.siret, ape, mft, libmft,
        sph, libsph, structure.dateouv, structure.dateautor, structure.datemaj, "",
    ]  # fmt: skip
    if len(fields) != FINESS_STRUCTURE_FIELDS or any(";" in f or "\n" in f for f in fields):
        raise AssertionError(f"ligne FINESS mal formée : {fields!r}")
    return fields


def write_finess_file(path, communes, *, seed: str = DEFAULT_SEED) -> int:
    """Write a synthetic etalab FINESS extraction for these communes; return the number of
    establishments (`structureet` lines). Communes without coordinates get no
    `geolocalisation` line, as happens in the real file."""
    from pyproj import Transformer

    read = _read_communes(communes)
    plan = _plan_structures(read, seed)
    transformers = {}
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(FINESS_METADATA + "\n")
        for structure in plan.structures:
            handle.write(";".join(_finess_fields(structure)) + "\n")
        for structure in plan.structures:
            commune = structure.site.commune
            if commune.latitude is None or commune.longitude is None:
                continue
            epsg, name = PROJECTIONS.get(_finess_departement(commune), LAMBERT_93)
            if epsg not in transformers:
                transformers[epsg] = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}",
                                                          always_xy=True)  # fmt: skip
            x, y = transformers[epsg].transform(commune.longitude, commune.latitude)
            x, y = x + structure.offset[0], y + structure.offset[1]
            source = f"1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,{name}"
            handle.write(
                f"geolocalisation;{structure.site.finess};{x:.1f};{y:.1f};{source};"
                f"{structure.datemaj}\n"
            )
    return len(plan.structures)
