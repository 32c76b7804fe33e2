"""A professional is picked by name, e-mail or RPPS with suggestions as one types, where
a select listed every member (the rota's volunteers)."""

import pytest
from django import forms
from django.urls import reverse

from maillage.core.models import Membership
from maillage.directory.models import DirectoryEntry
from maillage.directory.pickers import MemberPickerField
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
URL = reverse("directory:member_suggestions", args=[HOME])


def _form(cpts, scope="professionals"):
    field = MemberPickerField(cpts=cpts, scope=scope, label="Professionnel")
    return type("Pick", (forms.Form,), {"member": field})


def _member(user, cpts):
    return Membership.objects.get(user=user, cpts=cpts)


def test_suggestions_find_a_professional_by_name_without_accents(client_for, coordinator, gp,
                                                                 home_cpts):  # fmt: skip
    body = text(client_for(coordinator).get(URL, {"scope": "professionals", "q": "perrin"}))
    assert f'data-id="{_member(gp, home_cpts).public_id}"' in body
    upper = text(client_for(coordinator).get(URL, {"q": gp.last_name.upper()}))
    assert f'data-id="{_member(gp, home_cpts).public_id}"' in upper


def test_the_professionals_scope_leaves_out_other_roles(client_for, coordinator, regulator,
                                                        home_cpts):  # fmt: skip
    typed = {"q": regulator.email.split("@")[0]}
    regulator_id = str(_member(regulator, home_cpts).public_id)
    assert regulator_id not in text(client_for(coordinator).get(URL, {**typed,
                                                                     "scope": "professionals"}))
    assert regulator_id in text(client_for(coordinator).get(URL, {**typed, "scope": "members"}))


def test_an_rpps_finds_the_linked_professional(home_cpts, gp):
    entry = DirectoryEntry.objects.filter(cpts=home_cpts, account=gp).select_related(
        "professional").first()  # fmt: skip
    if entry is None or not entry.professional.national_id.startswith("8"):
        pytest.skip("the demo GP has no RPPS-linked directory entry")
    form = _form(home_cpts)({"member_search": entry.professional.national_id[1:]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["member"].user == gp


def test_outsiders_get_404(client_for, outsider):
    assert client_for(outsider).get(URL, {"q": "perrin"}).status_code == 404


def test_the_field_takes_an_id_or_a_unique_name_and_explains_the_rest(home_cpts, other_cpts,
                                                                      gp, outsider):  # fmt: skip
    form_class = _form(home_cpts)
    member = _member(gp, home_cpts)
    assert form_class({"member": str(member.public_id)}).is_valid()
    by_name = form_class({"member_search": gp.get_full_name()})
    assert by_name.is_valid() and by_name.cleaned_data["member"] == member
    foreign = form_class({"member": str(_member(outsider, other_cpts).public_id)})
    assert not foreign.is_valid() and "Aucun professionnel" in foreign.errors["member"][0]
    for bogus in ("not-a-uuid", "x" * 5000):
        form = form_class({"member": bogus if len(bogus) < 20 else "", "member_search": bogus})
        assert not form.is_valid() and "xxxxxxxxxx" not in str(form.errors)
    assert "Choisissez un professionnel" in form_class({}).errors["member"][0]


def test_the_rota_offers_the_picker_and_enrols_by_name(client_for, coordinator, nurse,
                                                       home_cpts):  # fmt: skip
    url = reverse("same_day_care:rota", args=[HOME])
    client = client_for(coordinator)
    page = text(client.get(url))
    assert 'id="volunteer_member"' in page and 'role="combobox"' in page
    response = client.post(url, {"action": "volunteer", "member": "",
                                 "member_search": nurse.get_full_name(),
                                 "profession_code": "60"})  # fmt: skip
    assert response.status_code == 302, text(response)[-2000:]
