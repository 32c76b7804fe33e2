import itertools

import pytest

from maillage.patients.services import patient_create

_counter = itertools.count()


@pytest.fixture
def make_patient(home_cpts, coordinator):
    def make(**extra):
        n = next(_counter)
        data = {
            "birth_name": f"Test{n}",
            "first_names": "Alex",
            "birth_date": "1980-01-01",
            "sex": "F",
            "commune": "38053",
            "phone": f"06 00 00 {n // 100 % 100:02d} {n % 100:02d}",
        }
        data.update(extra)
        return patient_create(
            cpts=home_cpts,
            actor=coordinator,
            data=data,
            consent_method="oral",
            allow_duplicate=True,
        )

    return make


@pytest.fixture
def make_request(home_cpts, coordinator, make_patient):
    from maillage.gp_access.services import request_create

    def make(origin="coordination", actor=None, **patient):
        return request_create(
            cpts=home_cpts,
            actor=actor or coordinator,
            patient=make_patient(**patient),
            origin=origin,
        )

    return make


@pytest.fixture(autouse=True)
def _no_demo_requests(db):
    """Start from an empty waiting list (the demo's requests are removed inside the test's
    transaction, so they are back afterwards)."""
    from maillage.gp_access.models import GpRequest, Proposal, ProposalBatch

    Proposal.objects.all().delete()
    ProposalBatch.objects.all().delete()
    GpRequest.objects.all().delete()
