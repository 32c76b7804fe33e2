"""The main pages of the main personas, on a 390 px phone and a 1280 px screen: no serious
or critical axe-core violation, and no page wider than the screen."""

import re

import pytest

from maillage.core.models import User
from maillage.core.twofactor import confirmed_device
from tests.browser.conftest import CHROMIUM_ARGS, _watch_csp, assert_accessible  # noqa: F401
from tests.browser.test_territory_journey import DEMO_PASSWORD, current_code

pytestmark = pytest.mark.browser

C = "/c/pays-berjalliens"
PAGES = {
    "coordination": [
        f"{C}/", f"{C}/annuaire/", f"{C}/annuaire/structures/", f"{C}/diagnostic/",
        f"{C}/medecin-traitant/", f"{C}/medecin-traitant/indicateurs/",
        f"{C}/snp/demande/", f"{C}/snp/demandes/", f"{C}/snp/rendez-vous/",
        f"{C}/snp/permanence/", f"{C}/parcours/a-faire/", f"{C}/parcours/",
        f"{C}/parcours/inclure/", f"{C}/membres/", f"{C}/journal/",
        f"{C}/territoire/historique/",
    ],
    "medecin": [
        f"{C}/snp/mes-creneaux/", f"{C}/snp/mes-gardes/", f"{C}/snp/rendez-vous/",
        f"{C}/medecin-traitant/mes-propositions/", f"{C}/medecin-traitant/ma-disponibilite/",
        f"{C}/parcours/a-faire/",
    ],
    "regulation": [f"{C}/snp/demande/", f"{C}/snp/demandes/", f"{C}/snp/rendez-vous/"],
    "partenaire": [f"{C}/medecin-traitant/nouvelle/", f"{C}/annuaire/"],
    "bureau": [f"{C}/", f"{C}/medecin-traitant/indicateurs/", f"{C}/parcours/indicateurs/"],
}
PUBLIC = ["/connexion/", "/medecin-traitant/pays-berjalliens/", "/annuaire/pays-berjalliens/"]
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _log_in(page, base_url, local):
    email = f"{local}@pays-berjalliens.maillage.test"
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    if local == "bureau":  # the board sees no patient data: no second factor
        page.wait_for_load_state()
        return
    page.wait_for_url("**/connexion/code/")
    device = confirmed_device(User.objects.get(email=email))
    page.get_by_label(re.compile("Code à 6 chiffres")).fill(current_code(device))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(lambda url: "/connexion/" not in url)


def _check(page, url, width):
    response = page.goto(url)
    assert response is not None and response.status < 400, f"{url}: {response.status}"
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)  # the frames marked after layout (maillage.js)
    overflow = page.evaluate(OVERFLOW)
    assert overflow <= 1, f"{url} at {width} px: {overflow} px of horizontal scroll"
    assert_accessible(page)


def _object_pages(persona):
    """Pages of one object: a same-day request with no slot (the wider-search offer), a
    médecin-traitant request, a pathway enrolment."""
    import datetime

    from maillage.core.models import Cpts
    from maillage.gp_access.models import GpRequest
    from maillage.pathways.models import Enrolment
    from maillage.same_day_care import services
    from maillage.territory.models import Commune

    cpts = Cpts.objects.get(slug="pays-berjalliens")
    pages = []
    if persona in ("coordination", "regulation", "medecin"):
        author = User.objects.get(email=f"{persona}@pays-berjalliens.maillage.test")
        snp = services.request_create(cpts=cpts, actor=author, origin="regulator", data={
            "last_name": "Sans-Creneau-Disponible-Aujourdhui", "first_name": "Marie-Antoinette",
            "birth_date": datetime.date(1950, 1, 2), "phone": "0612345604",
            "commune": Commune.objects.get(code="38053"), "reason": "fever",
            "profession_code": "50", "mode": "practice", "urgency": "same_day"})  # fmt: skip
        pages.append(f"{C}/snp/demande/{snp.public_id}/")
    if persona == "coordination":
        gp_request = GpRequest.objects.filter(cpts=cpts).first()
        enrolment = Enrolment.objects.filter(cpts=cpts).first()
        if gp_request is not None:
            pages.append(f"{C}/medecin-traitant/demande/{gp_request.public_id}/")
        if enrolment is not None:
            pages.append(f"{C}/parcours/inclusion/{enrolment.public_id}/")
    return pages


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("persona", list(PAGES))
def test_the_main_pages_are_accessible_and_fit_the_screen(demo_server, browser, persona,
                                                          width):  # fmt: skip
    phone = width < 600
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 844},
                                  is_mobile=phone, has_touch=phone)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = _watch_csp(page)
    try:
        _log_in(page, demo_server.url, persona)
        for path in PAGES[persona] + _object_pages(persona):
            _check(page, demo_server.url + path, width)
    finally:
        context.close()
    assert violations == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_public_pages_are_accessible_and_fit_the_screen(demo_server, browser, width):
    phone = width < 600
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 844},
                                  is_mobile=phone, has_touch=phone)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        for path in PUBLIC:
            _check(page, demo_server.url + path, width)
    finally:
        context.close()
