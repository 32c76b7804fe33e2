"""Check-in at the door: the list with a « Présent » button (form post and htmx), search,
counts, walk-in; the émargement a posteriori (all or nothing); the CSV export."""

import pytest

from maillage.core.models import AuditEvent
from maillage.prevention import registrations
from maillage.prevention.models import Registration
from tests.prevention.test_registrations import make_action, sign_up
from tests.utils import text

pytestmark = pytest.mark.django_db


def urls(action, name=""):
    base = f"/c/pays-berjalliens/prevention/actions/{action.public_id}/"
    return {"list": base + "accueil/", "walk_in": base + "accueil-sans-inscription/",
            "bulk": base + "emargement/", "export": base + "inscrits.csv"}[name or "list"]


def mark_url(action, registration):
    return f"{urls(action)}{registration.public_id}/present/"


@pytest.fixture
def event(home_cpts):
    action = make_action(home_cpts, capacity=2)
    people = [sign_up(action, n) for n in ("Bernard", "Arnaud", "Colin")]
    return action, people


def test_the_list_counts_and_marks_present_without_javascript(event, client_for, pharmacist):
    action, (bernard, arnaud, colin) = event
    client = client_for(pharmacist)
    page = client.get(urls(action))
    body = text(page)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "2 inscrits · 0 présent · 1 en liste d'attente" in body
    assert body.index("Arnaud") < body.index("Bernard") < body.index("Colin")
    response = client.post(mark_url(action, bernard))
    assert response.status_code == 302
    body = text(client.get(response["Location"]))
    assert "Bernard Léa : présent(e)" in body or "Léa Bernard : présent(e)" in body
    assert "1 présent " in body
    bernard.refresh_from_db()
    assert bernard.checked_in_at is not None and bernard.checked_in_by == pharmacist
    # Twice is harmless and audited once.
    client.post(mark_url(action, bernard))
    assert AuditEvent.objects.filter(action="prevention.registration_checkin").count() == 1


def test_htmx_swaps_the_row_only(event, client_for, nurse):
    action, (bernard, _arnaud, _colin) = event
    response = client_for(nurse).post(mark_url(action, bernard), HTTP_HX_REQUEST="true")
    body = text(response)
    assert response.status_code == 200 and body.lstrip().startswith("<li")
    assert "Présent(e)" in body and "<html" not in body
    assert 'hx-swap-oob="true"' in body and "1 présent " in body


def test_search_by_name(event, client_for, coordinator):
    action, _people = event
    body = text(client_for(coordinator).get(urls(action) + "?q=arn"))
    assert "Arnaud" in body and "Bernard" not in body
    body = text(client_for(coordinator).get(urls(action) + "?q=" + "x" * 5000))
    assert "Personne ne correspond" in body


def test_a_cancelled_registration_is_not_checked_in(event, client_for, coordinator):
    action, (bernard, _arnaud, _colin) = event
    registrations.cancel(cpts=action.cpts, raw_token=_token(bernard))
    client = client_for(coordinator)
    response = client.post(mark_url(action, bernard), HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "annulée" in text(response)
    bernard.refresh_from_db()
    assert bernard.checked_in_at is None


def _token(registration):
    from tests.prevention.test_registrations import link_token

    return link_token(registration)


def test_walk_in_is_added_present_and_bad_names_are_explained(event, client_for, gp):
    action, _people = event
    client = client_for(gp)
    response = client.post(urls(action, "walk_in"),
                           {"first_name": "<b>Zoé</b>", "last_name": "=1+1"})
    assert response.status_code == 302
    walk_in = Registration.objects.get(last_name="=1+1")
    assert walk_in.checked_in_at is not None and walk_in.status == "confirmed"
    page = client.get(urls(action)).content.decode()
    assert "&lt;b&gt;Zoé&lt;/b&gt;" in page and "<b>Zoé</b>" not in page
    bad = client.post(urls(action, "walk_in"), {"first_name": "", "last_name": "x" * 500})
    assert bad.status_code == 400 and "Rien n'est enregistré" in text(bad)


def test_bulk_check_in_is_all_or_nothing(event, client_for, coordinator):
    action, (bernard, arnaud, colin) = event
    registrations.cancel(cpts=action.cpts, raw_token=_token(colin))
    client = client_for(coordinator)
    page = client.get(urls(action, "bulk"))
    assert page.status_code == 200 and f'value="{bernard.public_id}"' in page.content.decode()
    refused = client.post(urls(action, "bulk"),
                          {"present": [str(bernard.public_id), str(colin.public_id)]})
    assert refused.status_code == 400 and "Rien n'est enregistré" in text(refused)
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()
    unknown = client.post(urls(action, "bulk"), {"present": [str(bernard.public_id), "nope"]})
    assert unknown.status_code == 400
    assert client.post(urls(action, "bulk"), {}).status_code == 400
    done = client.post(urls(action, "bulk"),
                       {"present": [str(bernard.public_id), str(arnaud.public_id)]})
    assert done.status_code == 302
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 2


def test_export_neutralises_formulas_and_is_for_the_coordination(event, client_for,
                                                                  coordinator, pharmacist):
    action, _people = event
    sign_up(action, "=HYPERLINK(\"http://x\")", email="f@example.org")
    response = client_for(coordinator).get(urls(action, "export"))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "Liste d'attente" in body
    assert AuditEvent.objects.filter(action="prevention.registration_export").count() == 1
    assert client_for(pharmacist).get(urls(action, "export")).status_code == 404


def test_another_cpts_action_or_registration_is_404(event, client_for, coordinator, other_cpts):
    action, (bernard, _a, _c) = event
    other = make_action(other_cpts)
    other_reg = sign_up(other, "Autre")
    client = client_for(coordinator)
    assert client.get(urls(other)).status_code == 404
    assert client.post(mark_url(action, other_reg)).status_code == 404
    assert client.post(mark_url(other, bernard)).status_code == 404
    assert client.get(urls(action).replace(str(action.public_id), "pas-un-id")).status_code == 404


def test_roles_without_the_permission_get_404(event, client_for, regulator, partner):
    action, (bernard, _a, _c) = event
    for user in (regulator, partner):
        client = client_for(user)
        for name in ("list", "bulk", "export"):
            assert client.get(urls(action, name)).status_code == 404
        assert client.post(mark_url(action, bernard)).status_code == 404
