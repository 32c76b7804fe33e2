"""The navigation and the home page of every role: each link they show opens for that
role (no 404, no 403), and the navigation offers a role only what it may open."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from maillage.core.models import Membership
from tests.conftest import HOME

pytestmark = pytest.mark.django_db
ROLES = ["coordinator", "gp", "nurse", "pharmacist", "regulator", "partner", "board_member",
         "funder"]  # fmt: skip
TODAY = reverse("core:today", args=[HOME])


class _Links(HTMLParser):
    """The hrefs inside the main navigation and inside the home page's <main>."""

    def __init__(self):
        super().__init__()
        self.depth = {"nav": 0, "main": 0}
        self.nav, self.main = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("id") == "main-nav":
            self.depth["nav"] = 1
        elif tag == "nav" and self.depth["nav"]:
            self.depth["nav"] += 1
        if tag == "main":
            self.depth["main"] = 1
        if tag == "a" and attrs.get("href"):
            if self.depth["nav"]:
                self.nav.append(attrs["href"])
            elif self.depth["main"]:
                self.main.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav" and self.depth["nav"]:
            self.depth["nav"] -= 1
        if tag == "main":
            self.depth["main"] = 0


def _links(html):
    parser = _Links()
    parser.feed(html)
    return parser.nav, parser.main


@pytest.fixture
def busy(home_cpts, coordinator, gp, nurse, regulator, partner):
    """Something on every card: a proposal waiting for the GP, a same-day appointment
    today, a late pathway task, an open same-day request, a partner's referral."""
    from tests.core.home_world import build

    return build(home_cpts, coordinator=coordinator, gp=gp, nurse=nurse, regulator=regulator,
                 partner=partner)


@pytest.mark.parametrize("role", ROLES)
def test_no_link_of_the_navigation_or_the_home_answers_404_or_403(
    role, request, busy, client_for
):
    user = request.getfixturevalue(role)
    client = client_for(user)
    client.raise_request_exception = False
    response = client.get(TODAY)
    assert response.status_code == 200
    nav, main = _links(response.content.decode())
    assert nav, "the home page has a navigation"
    problems = []
    for href in sorted(set(nav + main)):
        path = urlsplit(href)
        if path.scheme or path.netloc:
            continue
        status = client.get(href).status_code
        if status in (403, 404) or status >= 500:
            problems.append(f"{href}: {status}")
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_each_role_sees_only_its_own_missions_in_the_navigation(
    client_for, coordinator, gp, regulator, partner, board_member
):
    def nav_of(user):
        return set(_links(client_for(user).get(TODAY).content.decode())[0])

    def url(name):
        return reverse(name, args=[HOME])

    coordination = nav_of(coordinator)
    assert {url("core:members"), url("core:audit"), url("gp_access:batch"),
            url("territory:territory")} <= coordination  # fmt: skip
    doctor = nav_of(gp)
    assert {url("gp_access:my_proposals"), url("same_day_care:slots"),
            url("pathways:due")} <= doctor  # fmt: skip
    assert url("core:members") not in doctor and url("territory:territory") not in doctor
    # The links that used to end on "Page introuvable" for them.
    assert url("gp_access:create") not in nav_of(regulator)
    assert url("pathways:enrol") not in nav_of(partner)
    assert url("same_day_care:request_new") in nav_of(regulator)
    board = nav_of(board_member)
    assert url("gp_access:queue") not in board and url("same_day_care:appointments") not in board
    assert url("pathways:indicators") in board


def test_the_navigation_is_grouped_by_mission_behind_a_menu_button(client_for, coordinator):
    html = client_for(coordinator).get(TODAY).content.decode()
    assert re.search(r'<button[^>]*aria-expanded="true"[^>]*aria-controls="main-nav"', html)
    for group in ("Territoire et annuaire", "Médecin traitant", "Soins non programmés",
                  "Parcours", "Administration"):
        assert f">{group}</button>" in html
    assert '<div class="header-tools">' in html
    assert "onclick" not in html and "<script>" not in html


def test_the_current_page_is_marked_in_the_navigation(client_for, gp):
    url = reverse("gp_access:my_proposals", args=[HOME])
    html = client_for(gp).get(url).content.decode()
    assert f'<a href="{url}" aria-current="page">' in html


def test_a_member_without_the_role_reaches_no_page_through_a_link_they_see(client_for, nurse):
    membership = Membership.objects.get(user=nurse, cpts__slug=HOME)
    from maillage.core import navigation

    _home, groups = navigation.for_membership(membership)
    assert "Mes créneaux" in {link.label for group in groups for link in group.links}
    assert "Membres" not in {link.label for group in groups for link in group.links}


def test_a_funder_lands_on_today_with_only_the_contract_in_the_navigation(client_for, funder):
    response = client_for(funder).get(TODAY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aujourd" in html
    membership = Membership.objects.get(user=funder, cpts__slug=HOME)
    from maillage.core import navigation

    _home, nav_groups = navigation.for_membership(membership)
    assert [group.label for group in nav_groups] == ["Contrat ACI"]
    labels = {link.label for link in nav_groups[0].links}
    assert {"Contrat", "Rapport annuel"} <= labels
    assert ">Contrat ACI</button>" in html
    for group in ("Territoire et annuaire", "Médecin traitant", "Parcours", "Administration"):
        assert f">{group}</button>" not in html
    nav, _main = _links(html)
    assert all("/contrat/" in href for href in nav if href != TODAY and href.startswith("/c/"))


@pytest.mark.parametrize("name", ["directory:directory", "territory:territory",
                                  "notifications:sent", "core:members", "gp_access:queue"])
def test_a_funder_gets_404_on_the_territory_the_directory_and_sent_messages(
    client_for, funder, name
):
    client = client_for(funder)
    client.raise_request_exception = False
    assert client.get(reverse(name, args=[HOME])).status_code == 404


def test_a_funder_logs_in_with_a_password_only_and_lands_on_today(client, funder):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from maillage.demo.builder import DEMO_PASSWORD

    assert not TOTPDevice.objects.filter(user=funder).exists()  # they see no patient
    response = client.post(reverse("core:login"), {"email": funder.email,
                                                   "password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == TODAY
    assert ">Contrat ACI</button>" in response.content.decode()


def test_the_invitation_form_offers_the_funder_role(client_for, coordinator):
    html = client_for(coordinator).get(reverse("core:members", args=[HOME])).content.decode()
    assert re.search(r'<option value="funder"[^>]*>Financeur \(CPAM, ARS\)</option>', html)
