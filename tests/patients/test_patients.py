"""Patient records: INS traits checked, duplicates flagged and merged, need-to-know
access, every read and write audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from maillage.core.models import AuditEvent, Membership
from maillage.core.validators import nir_key
from maillage.patients.access import get_patient, grant_access, patients_visible_to
from maillage.patients.models import Patient
from maillage.patients.services import DuplicateSuspected, patient_create, patient_merge

pytestmark = pytest.mark.django_db

BODY = "2850538053123"
NIR = BODY + nir_key(BODY)


def data(**extra):
    base = {
        "birth_name": "Lefèvre",
        "first_names": "Hélène Marie",
        "birth_date": "1985-05-14",
        "sex": "F",
        "commune": "38053",
        "phone": "06 12 34 56 78",
        "nir": NIR,
    }
    base.update(extra)
    return base


def membership(user, cpts):
    return Membership.objects.get(user=user, cpts=cpts)


def test_patient_is_created_with_consent_and_audited(home_cpts, coordinator):
    patient = patient_create(cpts=home_cpts, actor=coordinator, data=data(), consent_method="oral")
    assert patient.nir == NIR and patient.phone == "+33612345678"
    assert patient.commune.code == "38053" and patient.consents.get().method == "oral"
    assert AuditEvent.objects.filter(action="patient.create", object_id=patient.public_id).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nir", BODY + "00", "La clé du NIR est incorrecte"),
        ("birth_date", (datetime.date.today() + datetime.timedelta(days=1)).isoformat(), "futur"),
        ("commune", "38999", "Commune inconnue"),
        ("sex", "X", "Sexe"),
        ("phone", "12", "Numéro de téléphone invalide"),
        ("birth_place_code", "20004", "2A"),
    ],
)
def test_bad_input_is_refused_on_its_field(home_cpts, coordinator, field, value, message):
    with pytest.raises(ValidationError) as excinfo:
        patient_create(
            cpts=home_cpts, actor=coordinator, data=data(**{field: value}), consent_method="oral"
        )
    assert message in " ".join(excinfo.value.message_dict[field])
    assert not Patient.objects.filter(birth_name="Lefèvre").exists()


def test_nir_must_match_sex_and_birth_year(home_cpts, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        patient_create(cpts=home_cpts, actor=coordinator, data=data(sex="M"), consent_method="oral")
    assert "sexe" in excinfo.value.message_dict["nir"][0]


def test_probable_duplicate_is_flagged_then_merged_without_losing_history(home_cpts, coordinator):
    first = patient_create(
        cpts=home_cpts, actor=coordinator, data=data(nir=""), consent_method="oral"
    )
    with pytest.raises(DuplicateSuspected) as excinfo:
        patient_create(
            cpts=home_cpts,
            actor=coordinator,
            data=data(birth_name="LEFEVRE", first_names="helene", nir=""),
            consent_method="written",
        )
    assert excinfo.value.candidates == [first]
    second = patient_create(
        cpts=home_cpts,
        actor=coordinator,
        data=data(birth_name="LEFEVRE", first_names="helene", nir="", ald=True),
        consent_method="written",
        allow_duplicate=True,
    )
    kept = patient_merge(keep=first, duplicate=second, actor=coordinator)
    assert kept.ald  # the situation of the duplicate is kept
    assert sorted(kept.consents.values_list("method", flat=True)) == ["oral", "written"]
    second.refresh_from_db()
    assert second.merged_into == first and second.archived_at is not None
    assert AuditEvent.objects.filter(action="patient.merge", object_id=first.public_id).exists()


def test_need_to_know(
    home_cpts, coordinator, gp, nurse, partner, board_member, outsider, other_cpts
):
    patient = patient_create(cpts=home_cpts, actor=coordinator, data=data(), consent_method="oral")
    assert patient in patients_visible_to(membership(coordinator, home_cpts))
    for user in (gp, nurse, partner, board_member):
        assert patient not in patients_visible_to(membership(user, home_cpts))
    grant_access(patient=patient, user=gp, reason="proposition de médecin traitant")
    assert patient in patients_visible_to(membership(gp, home_cpts))
    assert patient not in patients_visible_to(membership(nurse, home_cpts))
    with pytest.raises(Http404):
        get_patient(membership(outsider, other_cpts), patient.public_id)
    get_patient(membership(gp, home_cpts), patient.public_id)
    assert (
        AuditEvent.objects.filter(
            action="patient.read", actor=gp, object_id=patient.public_id
        ).count()
        == 1
    )
