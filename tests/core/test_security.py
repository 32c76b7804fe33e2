"""Attacks and odd input found in review: each must fail safely."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.core.twofactor import confirmed_device, current_code, pending_device
from maillage.demo.builder import DEMO_PASSWORD
from tests.utils import text

pytestmark = pytest.mark.django_db


def _password_step(client, email, password=DEMO_PASSWORD):
    return client.post(reverse("core:login"), {"email": email, "password": password})


def test_password_of_another_account_in_a_verified_session_does_not_skip_its_totp(
    client_for, outsider, gp
):
    """A logged-in user who types someone else's password must not be able to enrol a new
    device for them (and so take over their account without their phone)."""
    client = client_for(outsider)
    response = _password_step(client, gp.email)
    assert response["Location"] == reverse("core:login_otp")
    enrol = client.get(reverse("core:enrol_otp"))
    assert enrol.status_code == 302
    assert enrol["Location"] == reverse("core:login_otp")
    # The former session is gone, the victim's device is untouched, no page is reachable.
    assert confirmed_device(gp) is not None
    assert client.get(reverse("territory:territory", args=["pays-berjalliens"])).status_code == 302
    assert client.get(reverse("territory:territory", args=["vals-du-dauphine"])).status_code == 302


def test_pending_password_step_expires(client, gp, settings):
    settings.LOGIN_PENDING_SECONDS = -1
    _password_step(client, gp.email)
    response = client.post(reverse("core:login_otp"), {"code": current_code(confirmed_device(gp))})
    assert response["Location"] == reverse("core:login")


def test_wrong_codes_on_the_enrolment_page_count_towards_lockout(client, nurse, settings):
    confirmed_device(nurse).delete()
    _password_step(client, nurse.email)
    good = current_code(pending_device(nurse))
    wrong = f"{(int(good) + 3) % 1_000_000:06d}"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("core:enrol_otp"), {"code": wrong})
    assert _password_step(client, nurse.email).status_code == 429


def test_admin_login_goes_through_the_platform_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_lockout_key_reads_email_or_admin_username():
    from maillage.core.views import axes_username

    assert axes_username(None, {"email": "A@x.fr"}) == "a@x.fr"
    assert axes_username(None, {"username": "B@x.fr "}) == "b@x.fr"


@pytest.mark.parametrize("day", ["9999-12-31", "2015-01-01"])
def test_contract_date_out_of_range_is_refused_and_page_still_works(client_for, coordinator, day):
    client = client_for(coordinator)
    response = client.post(
        reverse("territory:contract", args=["pays-berjalliens"]), {"aci_signed_on": day}
    )
    assert response.status_code == 400
    assert "Date trop" in text(response) or "trop ancienne" in text(response)
    assert client.get(reverse("territory:territory", args=["pays-berjalliens"])).status_code == 200


def test_nul_bytes_in_parameters_are_a_400(client_for, coordinator):
    client = client_for(coordinator)
    assert client.get("/api/v1/me?cpts=%00").status_code == 400
    assert (
        client.get(reverse("core:audit", args=["pays-berjalliens"]) + "?action=a%00").status_code
        == 400
    )
    response = client.post(
        reverse("territory:add", args=["pays-berjalliens"]), {"communes": "38\x00064"}
    )
    assert response.status_code == 400


def test_invitation_cannot_be_accepted_by_another_account(client_for, coordinator, gp,
                                                          run_jobs):  # fmt: skip
    client_for(coordinator).post(
        reverse("core:members", args=["pays-berjalliens"]),
        {"email": "someone.else@pays-berjalliens.maillage.test", "role": "partner"},
    )
    run_jobs()
    assert "/invitation/" in mail.outbox[-1].body
    # The invited address has no account: a logged-in stranger gets the sign-up form,
    # which creates an account for the invited address only.
    from maillage.core.models import Invitation, Membership
    from maillage.core.services import invitation_accept

    invitation = Invitation.objects.get(email="someone.else@pays-berjalliens.maillage.test")
    with pytest.raises(ValidationError, match="destinée à"):
        invitation_accept(invitation=invitation, user=gp)
    assert not Membership.objects.filter(user=gp, role="partner").exists()


def test_unknown_cpts_in_api_names_the_field(client_for, coordinator):
    response = client_for(coordinator).get("/api/v1/territory?cpts=nulle-part")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "cpts"


def test_expired_session_on_an_htmx_request_reloads_the_page(client, coordinator):
    response = client.post(
        reverse("territory:add", args=["pays-berjalliens"]),
        {"communes": "38064"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/c/pays-berjalliens/",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("core:login"))


def test_an_archived_commune_can_still_be_removed(client_for, coordinator, home_cpts):
    from django.utils import timezone

    from maillage.territory.models import Commune
    from maillage.territory.services import territory_summary

    Commune.objects.filter(code="38091").update(archived_at=timezone.now())
    response = client_for(coordinator).post(
        reverse("territory:remove", args=["pays-berjalliens"]), {"communes": "38091"}
    )
    assert response.status_code == 302
    assert territory_summary(home_cpts).commune_count == 21


def test_api_docs_use_local_assets(client):
    body = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in body and "static/ninja" in body


def test_demo_contract_dates_are_sane():
    from maillage.demo.builder import DEMO_CPTS

    assert all(datetime.date(2019, 1, 1) <= c.aci_signed_on for c in DEMO_CPTS)
