"""The coordination resets a member's lost second factor, ends their sessions and revokes
their API tokens: confirmed first, audited, only for members of its own CPTS."""

import datetime
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core.models import ApiToken, AuditEvent, Membership, Role
from maillage.core.services import api_token_create
from maillage.core.twofactor import confirmed_device, current_code, pending_device
from maillage.demo.builder import DEMO_PASSWORD
from tests.utils import text

pytestmark = pytest.mark.django_db

HOME = "pays-berjalliens"
OTHER = "vals-du-dauphine"
TERRITORY = reverse("territory:territory", args=[HOME])
ACTIONS = ["double-authentification", "sessions", "jetons"]


def _membership(user, slug=HOME):
    return Membership.objects.get(user=user, cpts__slug=slug)


def _account_url(user, slug=HOME, via=None):
    return reverse("core:member_account", args=[via or slug, _membership(user, slug).public_id])


def _action_url(user, action, slug=HOME, via=None):
    membership = _membership(user, slug)
    return reverse("core:member_account_action", args=[via or slug, membership.public_id, action])


def _login(client, user, password=DEMO_PASSWORD):
    return client.post(reverse("core:login"), {"email": user.email, "password": password})


def _logged_in_for_real(user):
    client = Client()
    _login(client, user)
    client.post(reverse("core:login_otp"), {"code": current_code(confirmed_device(user))})
    assert client.get(TERRITORY).status_code == 200
    return client


def _one(html_text):
    """The words of a page, tags removed, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html_text).split())


# The pages --------------------------------------------------------------------------------


def test_members_page_links_to_each_members_account(client_for, coordinator, gp):
    body = text(client_for(coordinator).get(reverse("core:members", args=[HOME])))
    assert f'href="{_account_url(gp)}"' in body
    page = client_for(coordinator).get(_account_url(gp))
    assert page.status_code == 200
    words = _one(text(page))
    assert "Double authentification : activée" in words
    assert "Jetons d'API actifs : 0" in words
    for action in ACTIONS:
        assert f'href="{_action_url(gp, action)}"' in text(page)


def test_each_action_asks_for_confirmation_first(client_for, coordinator, gp):
    client = client_for(coordinator)
    gp_session = client_for(gp)
    token = api_token_create(user=gp)
    for action in ACTIONS:
        page = client.get(_action_url(gp, action))
        assert page.status_code == 200
        assert '<form method="post"' in text(page)
    assert confirmed_device(gp) is not None
    assert gp_session.get(TERRITORY).status_code == 200
    assert ApiToken.objects.get(prefix=token[:10]).revoked_at is None
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


# Resetting the second factor -------------------------------------------------------------


def test_coordinator_resets_a_lost_second_factor_and_the_member_enrols_again(
    client_for, coordinator, gp
):
    gp_session = client_for(gp)
    page = text(client_for(coordinator).get(_action_url(gp, "double-authentification")))
    assert "vérifiez que la demande vient bien de cette personne" in _one(page)
    response = client_for(coordinator).post(_action_url(gp, "double-authentification"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=gp).exists()
    # Its sessions are over too.
    assert gp_session.get(TERRITORY).status_code == 302
    event = AuditEvent.objects.get(action="account.second_factor_reset")
    assert (event.actor, event.cpts.slug, event.object_id) == (coordinator, HOME, gp.public_id)
    assert event.detail["devices_removed"] == 1

    # Next login: password, then enrolment of a new application, then access.
    client = Client()
    assert _login(client, gp)["Location"] == reverse("core:enrol_otp")
    assert client.get(TERRITORY).status_code == 302
    assert "<svg" in text(client.get(reverse("core:enrol_otp")))
    client.post(reverse("core:enrol_otp"), {"code": current_code(pending_device(gp))})
    assert confirmed_device(gp) is not None
    assert client.get(TERRITORY).status_code == 200


def test_after_a_reset_enrolment_is_reachable_only_right_after_the_password(
    client_for, coordinator, gp
):
    stale_session = client_for(gp)  # e.g. left open on a lost phone
    half_way = Client()
    _login(half_way, gp)  # someone who had the password, before the reset
    client_for(coordinator).post(_action_url(gp, "double-authentification"))

    for client in (stale_session, half_way, Client()):
        response = client.get(reverse("core:enrol_otp"))
        assert response["Location"] == reverse("core:login")
    # Another logged-in person never gets this member's enrolment.
    other = client_for(coordinator).get(reverse("core:enrol_otp"))
    assert other["Location"] == reverse("core:home")
    assert not TOTPDevice.objects.filter(user=gp).exists()


def test_a_logged_in_member_without_device_confirms_the_password_before_enrolling(
    client_for, nurse
):
    """An open session never enrols a device by itself (it may not be the member's)."""
    session = client_for(nurse)
    confirmed_device(nurse).delete()
    response = session.get(reverse("core:enrol_otp"), follow=True)
    assert "saisissez d'abord votre mot de passe" in text(response)
    assert not TOTPDevice.objects.filter(user=nurse).exists()


def test_a_coordinator_cannot_reset_their_own_second_factor(client_for, coordinator):
    client = client_for(coordinator)
    page = client.get(_action_url(coordinator, "double-authentification"))
    assert "Vous ne pouvez pas réinitialiser votre propre double authentification" in text(page)
    assert '<form method="post" class="actions">' not in text(page)
    response = client.post(_action_url(coordinator, "double-authentification"))
    assert response.status_code == 400
    assert confirmed_device(coordinator) is not None
    assert not AuditEvent.objects.filter(action="account.second_factor_reset").exists()


# Ending sessions -------------------------------------------------------------------------


def test_coordinator_ends_all_sessions_of_a_member(client_for, coordinator, nurse):
    forced = client_for(nurse)
    real = _logged_in_for_real(nurse)
    coord = client_for(coordinator)
    response = coord.post(_action_url(nurse, "sessions"))
    assert response.status_code == 302
    assert f"Toutes les sessions de {nurse.email} sont fermées." in text(
        coord.get(response["Location"])
    )
    for session in (forced, real):
        assert session.get(TERRITORY).status_code == 302
    event = AuditEvent.objects.get(action="account.sessions_end")
    assert (event.actor, event.cpts.slug, event.object_id) == (coordinator, HOME, nurse.public_id)
    # The member logs in again as usual, second factor included.
    client = Client()
    assert _login(client, nurse)["Location"] == reverse("core:login_otp")
    # The code of the next 30-second step: django-otp refuses a code used once already.
    code = current_code(confirmed_device(nurse), at=time.time() + 30)
    client.post(reverse("core:login_otp"), {"code": code})
    assert client.get(TERRITORY).status_code == 200


def test_ending_sessions_leaves_other_accounts_logged_in(client_for, coordinator, nurse, gp):
    gp_session = client_for(gp)
    client_for(coordinator).post(_action_url(nurse, "sessions"))
    assert gp_session.get(TERRITORY).status_code == 200


def test_a_coordinator_may_end_their_own_sessions(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post(_action_url(coordinator, "sessions"))
    assert response["Location"] == reverse("core:login")
    assert client.get(TERRITORY).status_code == 302


# Revoking API tokens ---------------------------------------------------------------------


def test_coordinator_revokes_all_api_tokens_of_a_member(client, client_for, coordinator, gp):
    tokens = [api_token_create(user=gp, name=f"logiciel {i}") for i in range(2)]
    ApiToken.objects.filter(prefix=tokens[1][:10]).update(revoked_at=timezone.now())
    tokens.append(api_token_create(user=gp, name="logiciel 3"))
    kept = api_token_create(user=coordinator)
    me = "/api/v1/me"
    assert client.get(me, HTTP_AUTHORIZATION=f"Bearer {tokens[0]}").status_code == 200
    page = text(client_for(coordinator).get(_action_url(gp, "jetons")))
    assert "Les 2 jetons d'API actifs" in _one(page)

    response = client_for(coordinator).post(_action_url(gp, "jetons"))
    assert response.status_code == 302
    for token in tokens:
        assert client.get(me, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert client.get(me, HTTP_AUTHORIZATION=f"Bearer {kept}").status_code == 200
    event = AuditEvent.objects.get(action="account.api_tokens_revoke")
    assert (event.actor, event.cpts.slug, event.object_id) == (coordinator, HOME, gp.public_id)
    assert event.detail["tokens_revoked"] == 2


# Who may do it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["gp", "nurse", "pharmacist", "regulator", "partner", "board_member"]
)
def test_members_who_do_not_coordinate_get_404(client_for, request, persona, coordinator):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(_account_url(coordinator)).status_code == 404
    for action in ACTIONS:
        assert client.get(_action_url(coordinator, action)).status_code == 404
        assert client.post(_action_url(coordinator, action)).status_code == 404
    assert confirmed_device(coordinator) is not None


def test_outsider_gets_404_for_our_members(client_for, outsider, gp):
    client = client_for(outsider)
    # Through our CPTS (not theirs) and through their own CPTS (gp is not a member there).
    for via in (HOME, OTHER):
        assert client.get(_account_url(gp, via=via)).status_code == 404
        for action in ACTIONS:
            assert client.get(_action_url(gp, action, via=via)).status_code == 404
            assert client.post(_action_url(gp, action, via=via)).status_code == 404
    assert confirmed_device(gp) is not None
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_a_member_of_another_cpts_or_a_former_member_is_404(client_for, coordinator, gp):
    client = client_for(coordinator)
    foreign = Membership.objects.filter(cpts__slug=OTHER).first()
    for public_id in (foreign.public_id, "pas-un-uuid"):
        assert client.get(reverse("core:member_account", args=[HOME, public_id])).status_code == 404
        url = reverse("core:member_account_action", args=[HOME, public_id, "sessions"])
        assert client.post(url).status_code == 404
    membership = _membership(gp)
    membership.archived_at = timezone.now() - datetime.timedelta(days=1)
    membership.save()
    assert client.post(_action_url(gp, "sessions")).status_code == 404
    assert client.get(_action_url(coordinator, "autre-chose")).status_code == 404


# Accounts that belong to several CPTS ----------------------------------------------------


def test_acting_on_a_member_of_several_cpts_says_so_and_is_audited_in_each(
    client_for, coordinator, nurse, other_cpts
):
    Membership.objects.create(user=nurse, cpts=other_cpts, role=Role.PARTNER)
    page = _one(text(client_for(coordinator).get(_action_url(nurse, "sessions"))))
    assert "Ce compte est aussi membre de 1 autre CPTS" in page
    assert "ces actions vaudront aussi là-bas" in page
    client_for(coordinator).post(_action_url(nurse, "sessions"))
    events = AuditEvent.objects.filter(action="account.sessions_end")
    assert sorted(events.values_list("cpts__slug", flat=True)) == [HOME, OTHER]
    assert {e.actor for e in events} == {coordinator}


def test_a_member_who_coordinates_another_cpts_is_left_to_that_cpts(
    client_for, coordinator, outsider, home_cpts
):
    Membership.objects.create(user=outsider, cpts=home_cpts, role=Role.PARTNER)
    outsider_session = client_for(outsider)
    client = client_for(coordinator)
    page = text(client.get(_account_url(outsider)))
    assert "Ce compte coordonne aussi une autre CPTS" in page
    for action in ACTIONS:
        response = client.post(_action_url(outsider, action))
        assert response.status_code == 400
        assert "Seule la coordination de cette CPTS" in text(response)
    assert confirmed_device(outsider) is not None
    assert outsider_session.get(reverse("territory:territory", args=[OTHER])).status_code == 200
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_a_coordinator_of_both_cpts_may_act_on_such_a_member(
    client_for, coordinator, outsider, home_cpts, other_cpts
):
    Membership.objects.create(user=outsider, cpts=home_cpts, role=Role.PARTNER)
    Membership.objects.create(user=coordinator, cpts=other_cpts, role=Role.COORDINATOR)
    response = client_for(coordinator).post(_action_url(outsider, "double-authentification"))
    assert response.status_code == 302
    assert confirmed_device(outsider) is None
