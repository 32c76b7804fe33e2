"""One person, one name: a demo account linked to a directory entry carries that entry's
name, so the platform and the SAS (which reads the entry) name the same person."""

import pytest

from maillage.core.validators import validate_rpps
from maillage.demo.builder import DEMO_CPTS, demo_email
from maillage.directory.models import DirectoryEntry

pytestmark = pytest.mark.django_db


def _casefold(text: str) -> str:
    return " ".join(text.split()).casefold()


def test_every_demo_account_linked_to_an_entry_carries_its_name():
    linked = DirectoryEntry.objects.filter(
        cpts__slug__in=[c.slug for c in DEMO_CPTS], account__isnull=False
    ).select_related("account", "professional")
    assert linked.count() >= 40
    for entry in linked:
        account, professional = entry.account, entry.professional
        assert (_casefold(account.first_name), _casefold(account.last_name)) == (
            _casefold(professional.first_name),
            _casefold(professional.last_name),
        ), (account.email, str(professional))


@pytest.mark.parametrize(
    ("persona", "first", "last", "profession"),
    [
        ("medecin", "Julien", "PERRIN", "10"),
        ("infirmier", "Hugo", "GARNIER", "60"),
    ],
)
def test_the_personas_are_in_the_directory_under_their_own_name_with_an_rpps(
    home_cpts, persona, first, last, profession
):
    entry = DirectoryEntry.objects.select_related("professional", "account").get(
        cpts=home_cpts, account__email=demo_email(persona, home_cpts.slug)
    )
    professional = entry.professional
    assert (professional.first_name, professional.last_name) == (first, last)
    assert (entry.account.first_name, entry.account.last_name.upper()) == (first, last)
    assert professional.profession_code == profession
    assert professional.national_id.startswith("8")
    assert validate_rpps(professional.national_id[1:]).warnings == ()


def test_the_practitioner_the_sas_sees_is_named_as_the_gp_account(home_cpts, gp):
    from maillage.same_day_care.fhir import practitioner_resource

    entry = DirectoryEntry.objects.select_related("professional").get(cpts=home_cpts, account=gp)
    (name,) = practitioner_resource(entry.professional)["name"]
    assert (_casefold(" ".join(name["given"])), _casefold(name["family"])) == (
        _casefold(gp.first_name),
        _casefold(gp.last_name),
    )
