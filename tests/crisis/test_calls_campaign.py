"""Creating a call campaign from a live activation: one call per active register person
matching the filters, shared evenly among the callers, each person's referent first."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.crisis import calls
from maillage.crisis.models import Call, CallCampaign
from maillage.territory.models import Commune
from tests.conftest import HOME, OTHER
from tests.crisis.register_fixtures import activation, membership, person, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(home_cpts, coordinator, gp, nurse):
    """Two people of the GP, one of the nurse, three of the coordinator, one elsewhere."""
    made = []
    for index, (name, referent, commune) in enumerate([
        ("Alpha", gp, "38053"), ("Bravo", gp, "38053"), ("Charlie", nurse, "38053"),
        ("Delta", coordinator, "38053"), ("Echo", coordinator, "38053"),
        ("Foxtrot", coordinator, "38053"), ("Golf", coordinator, "38509"),
    ]):  # fmt: skip
        patient = person(home_cpts, coordinator, name, commune=commune)
        made.append(register(home_cpts, coordinator, patient, referent,
                             criteria=("insulin",) if index % 2 else ("home_oxygen",)))
    return made


def test_one_call_per_person_shared_evenly_with_referents_first(home_cpts, coordinator, gp,
                                                                pharmacist, registered):
    live = activation(home_cpts, coordinator)
    campaign = calls.campaign_create(activation=live, actor=coordinator, title="Appels",
                                     callers=[gp, pharmacist])  # fmt: skip
    assigned = {c.person.patient.birth_name.upper(): c.caller for c in
                Call.objects.filter(campaign=campaign).select_related("person__patient")}
    assert len(assigned) == len(registered)
    # The GP's own people go to the GP; the other five are shared so the loads differ
    # by at most one.
    assert assigned["ALPHA"] == gp and assigned["BRAVO"] == gp
    loads = sorted([list(assigned.values()).count(gp), list(assigned.values()).count(pharmacist)])
    assert loads in ([3, 4],)


def test_the_assignment_is_even_without_referents_among_callers():
    class P:
        def __init__(self, pk, referent_id):
            self.pk, self.referent_id = pk, referent_id

    class U:
        def __init__(self, pk):
            self.pk = pk

    callers = [U(1), U(2), U(3)]
    pairs = calls.assign([P(i, 99) for i in range(10)], callers)
    counts = sorted([sum(1 for _p, c in pairs if c.pk == u.pk) for u in callers])
    assert counts == [3, 3, 4]


def test_filters_by_commune_and_criterion(home_cpts, coordinator, gp, registered):
    live = activation(home_cpts, coordinator)
    campaign = calls.campaign_create(activation=live, actor=coordinator, title="Appels",
                                     callers=[gp], criteria=["insulin"],
                                     communes=[Commune.objects.get(code="38053")])
    names = {n.upper() for n in
             campaign.calls.values_list("person__patient__birth_name", flat=True)}
    assert names == {"BRAVO", "DELTA", "FOXTROT"}


def test_an_ended_activation_gets_no_campaign(home_cpts, coordinator, gp, registered):
    ended = activation(home_cpts, coordinator)
    ended.ended_at = timezone.now()
    ended.save()
    with pytest.raises(ValidationError):
        calls.campaign_create(activation=ended, actor=coordinator, title="x", callers=[gp])
    assert not CallCampaign.objects.filter(activation=ended).exists()


def test_a_caller_must_be_allowed_to_call(home_cpts, coordinator, regulator, registered):
    with pytest.raises(ValidationError) as caught:
        calls.campaign_create(activation=activation(home_cpts, coordinator), actor=coordinator,
                              title="x", callers=[regulator])  # fmt: skip
    assert "callers" in caught.value.message_dict


def test_the_coordinator_creates_a_campaign_from_the_page(home_cpts, coordinator, gp, nurse,
                                                          client_for, registered):
    live = activation(home_cpts, coordinator)
    client = client_for(coordinator)
    url = reverse("crisis:campaign_new", args=[HOME, live.public_id])
    page = client.get(url).content.decode()
    assert reverse("crisis:activation", args=[HOME, live.public_id]) in page
    gp_member, nurse_member = membership(gp, home_cpts), membership(nurse, home_cpts)
    assert str(gp_member.public_id) in page  # a referent is proposed as caller
    response = client.post(url, {"title": "Canicule : appels", "callers": [
        str(gp_member.public_id), str(nurse_member.public_id)]})
    assert response.status_code == 302
    campaign = CallCampaign.objects.get(activation=live)
    assert response["Location"] == reverse("crisis:campaign", args=[HOME, campaign.public_id])
    assert campaign.calls.count() == len(registered)
    assert set(campaign.calls.values_list("caller", flat=True)) == {gp.pk, nurse.pk}


def test_a_caller_added_by_name_is_ticked_then_used(home_cpts, coordinator, pharmacist,
                                                    client_for, registered):
    live = activation(home_cpts, coordinator)
    client = client_for(coordinator)
    url = reverse("crisis:campaign_new", args=[HOME, live.public_id])
    pharmacy = membership(pharmacist, home_cpts)
    page = client.post(url, {"title": "Appels", "add": "1",
                             "add_caller": str(pharmacy.public_id)}).content.decode()
    assert f'value="{pharmacy.public_id}" id' in page or f'value="{pharmacy.public_id}"' in page
    response = client.post(url, {"title": "Appels", "callers": [str(pharmacy.public_id)]})
    assert response.status_code == 302
    assert set(Call.objects.filter(campaign__activation=live)
               .values_list("caller", flat=True)) == {pharmacist.pk}


def test_no_caller_is_a_clear_error(home_cpts, coordinator, client_for, registered):
    live = activation(home_cpts, coordinator)
    response = client_for(coordinator).post(
        reverse("crisis:campaign_new", args=[HOME, live.public_id]), {"title": "Appels"})
    assert response.status_code == 400
    assert "au moins un appelant" in response.content.decode()


@pytest.mark.parametrize("role", ["gp", "nurse", "board_member", "partner", "regulator"])
def test_only_the_coordination_creates_campaigns(home_cpts, coordinator, client_for,
                                                 request, role):
    live = activation(home_cpts, coordinator)
    client = client_for(request.getfixturevalue(role))
    url = reverse("crisis:campaign_new", args=[HOME, live.public_id])
    assert client.get(url).status_code == 404


def test_another_cpts_activation_is_404(home_cpts, coordinator, outsider, client_for):
    live = activation(home_cpts, coordinator)
    assert client_for(outsider).get(
        reverse("crisis:campaign_new", args=[OTHER, live.public_id])).status_code == 404
    assert client_for(coordinator).get(
        reverse("crisis:campaign_new", args=[OTHER, live.public_id])).status_code == 404
