"""Alert groups of the contact tree: parse_group accepts what it documents and refuses
everything else with a ValidationError only; group_filter selects each kind of group and
their combinations (any of them); the contacts page filters by them, with counts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.crisis.contacts import group_options, parse_group, recipients_for
from maillage.crisis.models import Contact, ContactSkill
from maillage.crisis.skills import SKILLS
from maillage.territory.models import Commune

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_tree(db):
    """Start from an empty tree, whatever the demo built."""
    Contact.objects.all().delete()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_group_never_raises_anything_but_a_validation_error(value):
    try:
        kind, arg = parse_group(value)
    except ValidationError as exc:
        assert "Groupe inconnu" in exc.messages[0]
    else:
        assert kind in ("all", "cell", "profession", "commune", "skill")


@settings(max_examples=100, deadline=None)
@given(st.one_of(
    st.just("all"), st.just("cell"),
    st.from_regex(r"profession:[0-9]{1,3}", fullmatch=True),
    st.from_regex(r"commune:(?:[0-9]{2}|2[AB])[0-9]{3}", fullmatch=True),
    st.sampled_from([f"skill:{code}" for code in SKILLS]),
))  # fmt: skip
def test_parse_group_accepts_every_documented_form(value):
    kind, arg = parse_group(f"  {value} ")
    assert kind == value.partition(":")[0]
    expected = value.partition(":")[2]
    assert arg == (expected.upper() if kind == "commune" else expected)


MALFORMED = ["", "everyone", "all:1", "cell:x", "profession:", "profession:1234",
             "profession:dix", "commune:3805", "commune:380533", "skill:juggling", "skill:",
             "profession:١٠", "commune:38٠53", "commune:2a٠٠4"]  # fmt: skip


@pytest.mark.parametrize("value", MALFORMED)
def test_parse_group_refuses_malformed_groups(value):
    with pytest.raises(ValidationError):
        parse_group(value)


@pytest.fixture
def people(home_cpts, other_cpts):
    bourgoin = Commune.objects.get(code="38053")
    fontaine = Commune.objects.get(code="38169")

    def contact(name, cpts=home_cpts, **fields):
        skills = fields.pop("skills", [])
        c = Contact.objects.create(
            cpts=cpts,
            name=name,
            email=f"{name.lower()}@ex.fr",
            category=fields.pop("category", "other"),
            **fields,
        )
        for s in skills:
            ContactSkill.objects.create(contact=c, code=s)
        return c

    return {
        "gp": contact("Gaspard", profession_code="10", commune=bourgoin, in_cell=True,
                      skills=["vaccinator"]),
        "nurse": contact("Ninon", profession_code="60", commune=fontaine,
                         skills=["vaccinator", "home-visits"]),
        "mayor": contact("Maire", category="town_hall", commune=fontaine),
        "left": contact("Parti", profession_code="10", commune=bourgoin,
                        archived_at="2026-01-01T00:00Z"),
        "elsewhere": contact("Ailleurs", cpts=other_cpts, profession_code="10", in_cell=True),
    }  # fmt: skip


def _names(cpts, groups):
    return sorted(recipients_for(cpts, groups).values_list("name", flat=True))


@pytest.mark.parametrize("groups, expected", [
    (["all"], ["Gaspard", "Maire", "Ninon"]),
    (["cell"], ["Gaspard"]),
    (["profession:10"], ["Gaspard"]),
    (["commune:38169"], ["Maire", "Ninon"]),
    (["skill:vaccinator"], ["Gaspard", "Ninon"]),
    (["skill:home-visits"], ["Ninon"]),
    (["cell", "commune:38169"], ["Gaspard", "Maire", "Ninon"]),
    (["profession:60", "skill:vaccinator"], ["Gaspard", "Ninon"]),
    (["profession:10", "all"], ["Gaspard", "Maire", "Ninon"]),
    (["skill:nrbc"], []),
])  # fmt: skip
def test_each_group_and_any_combination_selects_active_contacts_of_the_cpts_once(
        people, home_cpts, groups, expected):  # fmt: skip
    assert _names(home_cpts, groups) == expected


def test_the_filter_offers_only_groups_with_contacts_and_counts_them(people, home_cpts):
    counts = {o.value: o.count for o in group_options(home_cpts)}
    assert counts == {"all": 3, "cell": 1, "profession:10": 1, "profession:60": 1,
                      "commune:38053": 1, "commune:38169": 2, "skill:vaccinator": 2,
                      "skill:home-visits": 1}  # fmt: skip
    for value in counts:
        parse_group(value)  # every option is a group the alerts accept


def test_the_contacts_page_filters_by_several_groups(people, client_for, coordinator):
    url = reverse("crisis:contacts", args=["pays-berjalliens"])
    response = client_for(coordinator).get(url, {"groupe": ["profession:60", "cell"]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Gaspard" in body and "Ninon" in body and "Maire" not in body
    assert "Parti" not in body and "Ailleurs" not in body
    assert "Vaccinateur (2)" in body and "Fontaine (2)" in body


def test_a_malformed_group_in_the_page_is_a_400_with_a_message(people, client_for, coordinator):
    url = reverse("crisis:contacts", args=["pays-berjalliens"])
    response = client_for(coordinator).get(url, {"groupe": "skill:<b>x</b>"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Groupe inconnu" in body and "<b>x</b>" not in body
