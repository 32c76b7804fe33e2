"""The directory index: search reads it, so it must list exactly the CPTS's directory
after every import, territory change and local entry; curation is searchable at once."""

import pytest
from django.db.models import Exists, OuterRef, Q

from maillage.directory.index import refresh_directory_index
from maillage.directory.models import DirectoryIndex, PracticeSite, Professional, Source
from maillage.directory.rpps import import_rpps
from maillage.directory.services import (
    ProfessionalFilters,
    directory_entry_update,
    local_professional_create,
    search_professionals,
)
from maillage.territory.models import Commune
from maillage.territory.services import (
    territory_add_communes,
    territory_communes,
    territory_remove_communes,
)
from tests.directory.builders import rpps_file, rpps_id, rpps_line

pytestmark = pytest.mark.django_db
ISLE_D_ABEAU = "38193"  # in the home territory, as is Bourgoin-Jallieu (38053)


def names(cpts, **filters):
    results = search_professionals(cpts, ProfessionalFilters(**filters))
    return [p.last_name for p in results]


def reference_directory(cpts, *, national_only=False):
    """The directory as defined on the national tables (professionals_for's rule)."""
    codes = list(territory_communes(cpts).values_list("code", flat=True))
    in_territory = Exists(
        PracticeSite.objects.filter(professional=OuterRef("pk"), commune_code__in=codes)
    )
    national = Q(owner__isnull=True, source=Source.NATIONAL) & in_territory
    rule = national if national_only else national | Q(owner=cpts)
    return Professional.objects.filter(rule, active=True)


def test_index_lists_exactly_the_directory_of_each_cpts(home_cpts, other_cpts):
    for cpts in (home_cpts, other_cpts):
        expected = set(reference_directory(cpts).values_list("pk", flat=True))
        main = DirectoryIndex.objects.filter(cpts=cpts, rank=0)
        assert expected and set(main.values_list("professional_id", flat=True)) == expected
        assert main.count() == len(expected)  # one main row per professional
        public = search_professionals(cpts, ProfessionalFilters(), national_only=True)
        assert public.count() == reference_directory(cpts, national_only=True).count()


def test_search_order_count_and_commune_filter_match_the_national_tables(home_cpts):
    results = search_professionals(home_cpts, ProfessionalFilters(commune="38053"))
    expected = (
        reference_directory(home_cpts)
        .filter(sites__commune_code="38053")
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    assert results.count() == expected.count() > 0
    assert [p.pk for p in results[:25]] == list(expected.values_list("pk", flat=True)[:25])
    assert [p.pk for p in results] == list(expected.values_list("pk", flat=True))


@pytest.mark.usefixtures("empty_directory")
def test_import_adds_renames_and_deactivates_in_the_search(tmp_path, home_cpts):
    first = [
        rpps_line(identifier=rpps_id(1), last_name="MARTIN", first_name="Béatrice"),
        rpps_line(identifier=rpps_id(2), last_name="DURAND", commune=ISLE_D_ABEAU),
    ]
    import_rpps(rpps_file(tmp_path / "v1.txt", first))
    assert names(home_cpts) == ["DURAND", "MARTIN"]
    assert names(home_cpts, q="beatrice") == ["MARTIN"]
    renamed = [rpps_line(identifier=rpps_id(1), last_name="LEROY", first_name="Béatrice")]
    report = import_rpps(rpps_file(tmp_path / "v2.txt", renamed), force=True)
    assert report.updated == 1 and report.deactivated == 1
    assert names(home_cpts) == ["LEROY"]  # Durand deactivated, Martin renamed
    assert names(home_cpts, q="martin") == []


@pytest.mark.usefixtures("empty_directory")
def test_scoped_import_refreshes_the_other_cpts_too(tmp_path, home_cpts, other_cpts):
    elsewhere = territory_communes(other_cpts).order_by("code").first().code
    both = [
        rpps_line(identifier=rpps_id(1), last_name="MARTIN"),
        rpps_line(identifier=rpps_id(1), last_name="MARTIN", commune=elsewhere),
    ]
    import_rpps(rpps_file(tmp_path / "v1.txt", both))
    assert names(other_cpts) == ["MARTIN"] and names(home_cpts) == ["MARTIN"]
    renamed = [line.replace("|MARTIN|", "|MARTIN-LEROY|") for line in both]
    import_rpps(rpps_file(tmp_path / "v2.txt", renamed), cpts=home_cpts)
    # The national row was rewritten by the home CPTS's import: both directories show it.
    assert names(other_cpts) == ["MARTIN-LEROY"] and names(home_cpts) == ["MARTIN-LEROY"]


def test_territory_change_refreshes_the_directory(home_cpts, coordinator, run_jobs):
    commune = Commune.objects.get(code=ISLE_D_ABEAU)
    elsewhere = [c for c in territory_codes(home_cpts) if c != ISLE_D_ABEAU]
    only_there = set(
        reference_directory(home_cpts)
        .exclude(sites__commune_code__in=elsewhere)
        .values_list("pk", flat=True)
    )
    assert only_there
    territory_remove_communes(cpts=home_cpts, communes=[commune], actor=coordinator)
    assert run_jobs() == 1  # the refresh runs on the worker, after the change commits
    assert not only_there & ids(home_cpts)
    assert ids(home_cpts) == set(reference_directory(home_cpts).values_list("pk", flat=True))
    territory_add_communes(cpts=home_cpts, communes=[commune], actor=coordinator)
    assert not only_there & ids(home_cpts)  # not inside the change's transaction
    assert run_jobs() == 1
    assert only_there <= ids(home_cpts)
    assert ids(home_cpts) == set(reference_directory(home_cpts).values_list("pk", flat=True))


def ids(cpts):
    return {p.pk for p in search_professionals(cpts, ProfessionalFilters())}


def territory_codes(cpts):
    return list(territory_communes(cpts).values_list("code", flat=True))


def test_curation_is_searchable_at_once(home_cpts, coordinator):
    professional = reference_directory(home_cpts).order_by("national_id").first()
    filters = ProfessionalFilters(skill="plaies chroniques", accepts_new_patients=True)
    assert professional.pk not in [p.pk for p in search_professionals(home_cpts, filters)]
    directory_entry_update(
        cpts=home_cpts, professional=professional, actor=coordinator,
        data={"skills": "Plaies chroniques", "accepts_new_patients": True,
              "membership_status": "adherent"},
    )  # fmt: skip
    assert [p.pk for p in search_professionals(home_cpts, filters)] == [professional.pk]
    refusing = search_professionals(home_cpts, ProfessionalFilters(accepts_new_patients=False))
    assert professional.pk not in [p.pk for p in refusing]
    adherents = ProfessionalFilters(membership_status="adherent", q=professional.last_name)
    assert professional.pk in [p.pk for p in search_professionals(home_cpts, adherents)]


def test_local_professional_is_listed_at_once_for_its_cpts_only(home_cpts, other_cpts, coordinator):
    local_professional_create(
        cpts=home_cpts, actor=coordinator, last_name="Zèbre-Local", first_name="Anaïs",
        profession="60", commune_code="38053",
    )  # fmt: skip
    assert names(home_cpts, q="zebre local anais") == ["Zèbre-Local"]
    public = search_professionals(home_cpts, ProfessionalFilters(q="zebre"), national_only=True)
    assert public.count() == 0
    assert names(other_cpts, q="zebre") == []


def test_refresh_rebuilds_rows_that_were_lost(home_cpts):
    expected = search_professionals(home_cpts, ProfessionalFilters()).count()
    DirectoryIndex.objects.filter(cpts=home_cpts).delete()
    assert search_professionals(home_cpts, ProfessionalFilters()).count() == 0
    refresh_directory_index(home_cpts)
    assert search_professionals(home_cpts, ProfessionalFilters()).count() == expected


# Pages of SearchResults: past the end, not a number, absurdly large: never a 500.


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "99999999999999999999999"])
def test_pages_out_of_range_never_fail(client_for, coordinator, client, home_cpts, page):
    member = client_for(coordinator)
    for url in (f"/c/{home_cpts.slug}/annuaire/", f"/annuaire/{home_cpts.slug}/"):
        response = (member if url.startswith("/c/") else client).get(url, {"page": page})
        assert response.status_code == 200
    response = member.get("/api/v1/professionals", {"page": page})
    if page.lstrip("-").isdigit() and int(page) >= 1:
        assert response.status_code == 200
        data = response.json()
        assert data["results"] == []
        assert data["count"] == search_professionals(home_cpts, ProfessionalFilters()).count()
    else:
        assert response.status_code == 422
    huge = member.get("/api/v1/structures", {"page": "99999999999999999999999"})
    assert huge.status_code == 200 and huge.json()["results"] == []


@pytest.mark.parametrize("q", ["%", "_", "'", '"', "a%b_c", "' OR 1=1 --", "\\"])
def test_search_text_with_sql_characters_is_plain_text(client_for, coordinator, q):
    member = client_for(coordinator)
    # A commune code is 5 characters at most (as in the form): longer is a 422.
    api = member.get("/api/v1/professionals", {"q": q, "commune": q[:5], "skill": q})
    assert api.status_code == 200 and api.json()["count"] == 0
    page = member.get("/c/pays-berjalliens/annuaire/", {"q": q})
    assert page.status_code == 200
