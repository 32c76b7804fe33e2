"""Directory pages: search, profiles, curation, local entries, public directory, exports,
and who may see what."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maillage.core.models import AuditEvent
from maillage.directory.models import DirectoryEntry, Professional, Structure
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
LIST = reverse("directory:directory", args=[HOME])


@pytest.fixture
def beatrice(db):
    return Professional.objects.get(first_name="Béatrice", last_name="BÉNARD")


def test_search_ignores_case_and_accents(client_for, coordinator, beatrice):
    body = text(client_for(coordinator).get(LIST, {"q": "beatrice"}))
    assert "BÉNARD Béatrice" in body
    assert "1 professionnel(s)" in body
    assert "BÉNARD Béatrice" in text(client_for(coordinator).get(LIST, {"q": "BENARD beat"}))


def test_filters_by_profession_and_commune(client_for, coordinator):
    client = client_for(coordinator)
    nurses = Professional.objects.filter(profession_code="60", sites__commune_code="38193")
    body = text(client.get(LIST, {"profession_code": "60", "commune": "38193"}))
    assert f"{nurses.distinct().count()} professionnel(s)" in body
    assert "Masseur" not in body.split("<tbody>")[1]


def test_coordinator_curates_and_skill_search_finds_it(client_for, coordinator, beatrice):
    client = client_for(coordinator)
    url = reverse("directory:professional", args=[HOME, beatrice.public_id])
    response = client.post(
        url,
        {
            "membership_status": "adherent",
            "accepts_new_patients": "on",
            "skills": "ETP diabète",
            "languages": "anglais",
            "phone": "",
            "email": "",
            "notes": "Référente diabète",
        },
    )
    assert response.status_code == 302
    entry = DirectoryEntry.objects.get(professional=beatrice)
    assert entry.accepts_new_patients and entry.membership_status == "adherent"
    assert AuditEvent.objects.filter(
        action="directory.entry_update", object_id=beatrice.public_id
    ).exists()
    body = text(client.get(LIST, {"skill": "etp diabete"}))
    assert "BÉNARD Béatrice" in body and "1 professionnel(s)" in body
    assert "BÉNARD" in text(client.get(LIST, {"accepts_new_patients": "oui", "q": "benard"}))


def test_bad_correction_phone_is_refused_next_to_the_field(client_for, coordinator, beatrice):
    url = reverse("directory:professional", args=[HOME, beatrice.public_id])
    response = client_for(coordinator).post(url, {"membership_status": "adherent", "phone": "12"})
    assert response.status_code == 400
    assert "Numéro de téléphone invalide" in text(response)


def test_professional_sees_profile_but_cannot_curate(client_for, gp, beatrice):
    client = client_for(gp)
    url = reverse("directory:professional", args=[HOME, beatrice.public_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"membership_status": "adherent"}).status_code == 404
    assert not DirectoryEntry.objects.filter(professional=beatrice).exists()


def test_outsider_gets_404_on_directory_pages(client_for, outsider, beatrice):
    client = client_for(outsider)
    structure = Structure.objects.filter(commune_code="38053").first()
    for url in (
        LIST,
        reverse("directory:professional", args=[HOME, beatrice.public_id]),
        reverse("directory:structures", args=[HOME]),
        reverse("directory:structure", args=[HOME, structure.public_id]),
        reverse("directory:diagnostic", args=[HOME]),
        reverse("directory:export", args=[HOME, "csv"]),
    ):
        assert client.get(url).status_code == 404, url


def test_professional_outside_the_territory_is_404_in_this_cpts(client_for, coordinator):
    elsewhere = (
        Professional.objects.exclude(sites__commune__epci__code="243800604")
        .filter(owner__isnull=True)
        .first()
    )
    url = reverse("directory:professional", args=[HOME, elsewhere.public_id])
    assert client_for(coordinator).get(url).status_code == 404
    assert (
        client_for(coordinator)
        .get(reverse("directory:professional", args=[HOME, "pas-un-uuid"]))
        .status_code
        == 404
    )


def test_local_professional_is_visible_only_to_its_cpts(client_for, coordinator, outsider):
    response = client_for(coordinator).post(
        reverse("directory:add", args=[HOME]),
        {
            "last_name": "NOUVELLE",
            "first_name": "Installée",
            "profession": "10-MG",
            "commune": "38053",
            "phone": "04 74 00 00 00",
        },
    )
    assert response.status_code == 302
    local = Professional.objects.get(last_name="NOUVELLE")
    assert local.owner.slug == HOME and local.is_gp
    assert "NOUVELLE" in text(client_for(coordinator).get(LIST, {"q": "nouvelle"}))
    other = client_for(outsider)
    assert (
        other.get(
            reverse("directory:professional", args=["vals-du-dauphine", local.public_id])
        ).status_code
        == 404
    )


def test_local_professional_with_unknown_commune_is_refused(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("directory:add", args=[HOME]),
        {
            "last_name": "X",
            "profession": "60",
            "commune": "38999",
        },
    )
    assert response.status_code == 400
    assert "Aucune commune avec le code 38999" in text(response)


def test_public_directory_shows_only_public_data(client, coordinator, beatrice, home_cpts):
    DirectoryEntry.objects.create(
        cpts=home_cpts,
        professional=beatrice,
        notes="Note interne",
        skills="ETP diabète",
        email="b@mssante.test",
    )
    body = text(client.get(reverse("directory:public", args=[HOME]), {"q": "beatrice"}))
    assert "BÉNARD Béatrice" in body
    profile = text(
        client.get(reverse("directory:public_professional", args=[HOME, beatrice.public_id]))
    )
    assert "Béatrice" in profile
    for private in ("Note interne", "ETP diabète", "b@mssante.test", "Statut dans la CPTS"):
        assert private not in profile and private not in body


def test_csv_and_xlsx_exports_follow_the_filters(client_for, coordinator):
    client = client_for(coordinator)
    response = client.get(reverse("directory:export", args=[HOME, "csv"]), {"q": "beatrice"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Identifiant national", "Nom", "Prénom"]
    assert [r[2] for r in rows[1:]] == ["Béatrice"]
    response = client.get(
        reverse("directory:export", args=[HOME, "xlsx"]), {"profession_code": "50"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert (
        values[0][1] == "Nom"
        and len(values) - 1
        == Professional.objects.filter(profession_code="50", sites__commune__epci__code="243800604")
        .distinct()
        .count()
    )
    assert client.get(reverse("directory:export", args=[HOME, "pdf"])).status_code == 404


def test_structures_list_and_profile(client_for, coordinator):
    client = client_for(coordinator)
    body = text(client.get(reverse("directory:structures", args=[HOME]), {"categorie": "355"}))
    assert "PIERRE OUDOT" in body
    hospital = Structure.objects.get(category_code="355", commune_code="38053")
    page = text(client.get(reverse("directory:structure", args=[HOME, hospital.public_id])))
    assert "Professionnels qui y exercent" in page


def test_internal_notes_are_for_coordinators_only(
    client_for, partner, board_member, beatrice, home_cpts
):
    DirectoryEntry.objects.create(cpts=home_cpts, professional=beatrice, notes="Note interne")
    url = reverse("directory:professional", args=[HOME, beatrice.public_id])
    for user in (partner, board_member):
        assert "Note interne" not in text(client_for(user).get(url))


def test_public_directory_leaves_out_local_entries(client_for, coordinator, client):
    client_for(coordinator).post(
        reverse("directory:add", args=[HOME]),
        {
            "last_name": "LOCALE",
            "profession": "60",
            "commune": "38053",
            "phone": "0474000000",
        },
    )
    local = Professional.objects.get(last_name="LOCALE")
    assert "LOCALE" not in text(
        client.get(reverse("directory:public", args=[HOME]), {"q": "locale"})
    )
    assert (
        client.get(
            reverse("directory:public_professional", args=[HOME, local.public_id])
        ).status_code
        == 404
    )


def test_list_pages_run_a_bounded_number_of_queries(client_for, coordinator, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = client_for(coordinator)
    for c, url in (
        (member, LIST),
        (member, reverse("directory:structures", args=[HOME])),
        (client, reverse("directory:public", args=[HOME])),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert c.get(url).status_code == 200
        assert len(queries) <= 15, (url, len(queries))


def test_bad_email_correction_is_refused(client_for, coordinator, beatrice):
    url = reverse("directory:professional", args=[HOME, beatrice.public_id])
    response = client_for(coordinator).post(
        url, {"membership_status": "adherent", "email": "pas-une-adresse"}
    )
    assert response.status_code == 400
