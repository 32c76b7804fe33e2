"""Actions: creation and editing with their rules, the hub page, professionals and their
attendance (core.attendance), proof counts and the checklist."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.core import attendance
from maillage.core.models import AuditEvent, Membership
from maillage.prevention import actions, programme
from maillage.prevention.models import Action, ActionProfessional, Theme
from maillage.territory.services import territory_communes
from tests.utils import text

pytestmark = pytest.mark.django_db

START = datetime.datetime(2027, 3, 14, 9, 0, tzinfo=datetime.UTC)


def _theme(code="diabete"):
    return Theme.objects.get(cpts=None, code=code)


def make_action(cpts, actor, **extra):
    data = {"kind": "screening", "theme": _theme(), "title": "Journée diabète",
            "start": START, "end": START + datetime.timedelta(hours=6), **extra}
    return actions.action_save(cpts=cpts, actor=actor, data=data)


def _form(cpts, **extra):
    commune = territory_communes(cpts).order_by("code").first()
    return {"kind": "screening", "theme": "diabete", "title": "Journée diabète à la pharmacie",
            "start": "2027-03-14T09:00", "end": "2027-03-14T17:00", "status": "planned",
            "commune": commune.code, "place": "Pharmacie du centre", **extra}


def test_a_screening_day_takes_its_themes_questionnaire_and_is_audited(home_cpts, coordinator):
    action = make_action(home_cpts, coordinator)
    assert action.questionnaire == "findrisc" and action.vaccines == []
    assert AuditEvent.objects.filter(action="prevention.action_create",
                                     object_id=action.public_id).exists()  # fmt: skip


def test_an_action_joins_its_theme_on_the_programme_of_its_year(home_cpts, coordinator):
    year = programme.programme_save(cpts=home_cpts, actor=coordinator, year=2027)
    row = programme.programme_theme_save(programme=year, theme=_theme(), actor=coordinator,
                                         data={"target_size": 9000, "target_note": "ORS",
                                               "objective_rate": 30})  # fmt: skip
    action = make_action(home_cpts, coordinator)
    assert action.programme_theme == row
    assert actions.target_of(action)[:2] == (9000, row.objective_rate)


@pytest.mark.parametrize("extra, field", [
    ({"end": START - datetime.timedelta(minutes=1)}, "end"),
    ({"public": True, "capacity": None}, "capacity"),
    ({"capacity": 100_001}, "capacity"),
    ({"questionnaire": "inconnu"}, "questionnaire"),
    ({"vaccines": ["grippe", "rage"], "kind": "vaccination"}, "vaccines"),
])
def test_bad_actions_are_refused_naming_the_field(home_cpts, coordinator, extra, field):
    with pytest.raises(ValidationError) as refused:
        make_action(home_cpts, coordinator, **extra)
    assert field in refused.value.message_dict
    assert not Action.objects.filter(cpts=home_cpts).exists()


def test_another_cptss_own_theme_is_refused(home_cpts, other_cpts, coordinator, outsider):
    theirs = programme.theme_create(cpts=other_cpts, actor=outsider, label="Leur thème")
    with pytest.raises(ValidationError) as refused:
        make_action(home_cpts, coordinator, theme=theirs)
    assert "theme" in refused.value.message_dict


def test_the_coordinator_creates_and_edits_an_action_from_the_pages(home_cpts, coordinator,
                                                                     client_for):
    client = client_for(coordinator)
    assert client.get(reverse("prevention:action_new", args=[home_cpts.slug])).status_code == 200
    response = client.post(reverse("prevention:action_new", args=[home_cpts.slug]),
                           _form(home_cpts, public="on", capacity="40",
                                 audience="45 ans et plus"))  # fmt: skip
    assert response.status_code == 302
    action = Action.objects.get(cpts=home_cpts)
    assert (action.public, action.capacity, action.place) == (True, 40, "Pharmacie du centre")
    edit = reverse("prevention:action_edit", args=[home_cpts.slug, action.public_id])
    assert client.get(edit).status_code == 200
    response = client.post(edit, _form(home_cpts, title="Journée diabète (modifiée)",
                                       status="done"))  # fmt: skip
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.status, action.public) == ("Journée diabète (modifiée)",
                                                            "done", False)  # fmt: skip


def test_an_end_before_the_start_answers_400_with_a_clear_message(home_cpts, coordinator,
                                                                  client_for):
    response = client_for(coordinator).post(
        reverse("prevention:action_new", args=[home_cpts.slug]),
        _form(home_cpts, end="2027-03-13T17:00"))
    assert response.status_code == 400
    assert actions.END_BEFORE_START in text(response)
    assert not Action.objects.filter(cpts=home_cpts).exists()


def test_a_capacity_of_zero_answers_400(home_cpts, coordinator, client_for):
    response = client_for(coordinator).post(
        reverse("prevention:action_new", args=[home_cpts.slug]),
        _form(home_cpts, public="on", capacity="0"))
    assert response.status_code == 400
    assert "Nombre de places entre 1 et" in text(response)


def test_a_structure_of_the_directory_is_picked_by_name(home_cpts, coordinator, client_for):
    structure = actions.structures_for(home_cpts).order_by("name").first()
    if structure is None:
        pytest.skip("no structure in the demo directory")
    response = client_for(coordinator).post(
        reverse("prevention:action_new", args=[home_cpts.slug]),
        _form(home_cpts, structure=structure.name, place=""))
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert Action.objects.get(cpts=home_cpts).structure == structure
    else:
        assert "Plusieurs structures" in text(response)
    unknown = client_for(coordinator).post(
        reverse("prevention:action_new", args=[home_cpts.slug]),
        _form(home_cpts, structure="Pas une structure du tout zzz"))
    assert unknown.status_code == 400 and "Aucune structure" in text(unknown)


def test_the_index_lists_upcoming_first_and_filters(home_cpts, coordinator, nurse, client_for):
    now = timezone.now()
    ago = now - datetime.timedelta(days=30)
    past = make_action(home_cpts, coordinator, title="Journée ancienne XQ", start=ago,
                       end=ago + datetime.timedelta(hours=2))
    soon = make_action(home_cpts, coordinator, title="Séance prochaine XQ", kind="awareness",
                       theme=_theme("canicule"), start=now + datetime.timedelta(days=2),
                       end=now + datetime.timedelta(days=2, hours=2))  # fmt: skip
    url = reverse("prevention:actions", args=[home_cpts.slug])
    body = text(client_for(nurse).get(url))
    assert body.index(soon.title) < body.index(past.title)
    filtered = text(client_for(nurse).get(url, {"type": "awareness"}))
    assert soon.title in filtered and past.title not in filtered
    by_theme = text(client_for(nurse).get(url, {"theme": "diabete"}))
    assert past.title in by_theme and soon.title not in by_theme
    # Nonsense filters are ignored, never a 500.
    assert client_for(nurse).get(url, {"annee": "x" * 50, "type": "?"}).status_code == 200


def test_the_hub_shows_links_by_kind_and_permission(home_cpts, coordinator, nurse,
                                                    board_member, client_for):
    action = make_action(home_cpts, coordinator, public=True, capacity=30)
    url = reverse("prevention:action", args=[home_cpts.slug, action.public_id])
    screen = reverse("prevention:screen", args=[home_cpts.slug, action.public_id])
    nurse_page = text(client_for(nurse).get(url))
    assert screen in nurse_page and "Modifier l'action" not in nurse_page
    board_page = text(client_for(board_member).get(url))
    assert screen not in board_page
    assert reverse("prevention:indicators", args=[home_cpts.slug]) in board_page
    coordinator_page = text(client_for(coordinator).get(url))
    assert "Modifier l'action" in coordinator_page
    assert reverse("prevention:checkin", args=[home_cpts.slug, action.public_id]) in (
        coordinator_page)


def test_an_outsider_gets_404_on_an_action(home_cpts, coordinator, outsider, client_for):
    action = make_action(home_cpts, coordinator)
    for name in ("action", "action_edit"):
        url = reverse(f"prevention:{name}", args=["vals-du-dauphine", action.public_id])
        assert client_for(outsider).get(url).status_code == 404


def _member(user, cpts):
    return Membership.objects.get(user=user, cpts=cpts)


def test_professionals_attendance_is_an_attendance_record(home_cpts, coordinator, nurse,
                                                          pharmacist, client_for):
    action = make_action(home_cpts, coordinator)
    client = client_for(coordinator)
    url = reverse("prevention:action_professionals", args=[home_cpts.slug, action.public_id])
    nurse_member = _member(nurse, home_cpts)
    response = client.post(url, {"op": "add", "member": str(nurse_member.public_id),
                                 "member_search": nurse.get_full_name(), "role": "mesures"})
    assert response.status_code == 302
    again = client.post(url, {"op": "add", "member": str(nurse_member.public_id)})
    assert again.status_code == 400 and "déjà" in text(again)
    actions.professional_add(action=action, membership=_member(pharmacist, home_cpts),
                             actor=coordinator)  # fmt: skip
    missing = client.post(url, {"op": "record", "member": str(nurse_member.public_id),
                                "attended": "1", "minutes": ""})
    assert missing.status_code == 400 and "temps passé" in text(missing)
    assert client.post(url, {"op": "record", "member": str(nurse_member.public_id),
                             "attended": "1", "minutes": "240"}).status_code == 302
    assert client.post(url, {"op": "record", "member": str(_member(pharmacist, home_cpts)
                                                           .public_id),
                             "attended": "0"}).status_code == 302
    rows = [r for r in attendance.records(home_cpts, (datetime.date(2027, 3, 1),
                                                      datetime.date(2027, 3, 31)))
            if r.activity == "prevention"]  # fmt: skip
    assert [(r.user_id, r.minutes) for r in rows] == [(nurse.pk, 240)]
    assert rows[0].ref.startswith("prevention.professional:")
    assert not [r for r in attendance.records(home_cpts, (datetime.date(2027, 4, 1),
                                                          datetime.date(2027, 4, 30)))
                if r.activity == "prevention"]  # fmt: skip
    assert client.post(url, {"op": "remove", "member": str(nurse_member.public_id)
                             }).status_code == 302
    assert not ActionProfessional.objects.filter(action=action, user=nurse).exists()


def test_a_cancelled_action_gives_no_attendance(home_cpts, coordinator, nurse):
    action = make_action(home_cpts, coordinator)
    row = actions.professional_add(action=action, membership=_member(nurse, home_cpts),
                                   actor=coordinator)  # fmt: skip
    actions.professional_record(professional=row, actor=coordinator, attended=True, minutes=60)
    actions.action_save(cpts=home_cpts, actor=coordinator, action=action,
                        data={"status": "cancelled"})  # fmt: skip
    period = (datetime.date(2027, 3, 1), datetime.date(2027, 3, 31))
    assert not actions.attendance_records(home_cpts, period)


def test_the_checklist_says_what_is_missing_then_done(home_cpts, coordinator, client_for):
    action = make_action(home_cpts, coordinator)
    proofs = {p.code: p for p in actions.checklist(action)}
    assert all(not p.done for p in proofs.values())
    assert {p.status for p in proofs.values()} == {"manquant"}
    client = client_for(coordinator)
    counts = reverse("prevention:action_counts", args=[home_cpts.slug, action.public_id])
    refused = client.post(counts, {"informed_count": "-3"})
    assert refused.status_code == 400 and "négatif" in text(refused)
    assert client.post(counts, {"informed_count": "150", "paper_screened": "40",
                                "paper_referred": "6"}).status_code == 302
    proofs = {p.code: p for p in actions.checklist(Action.objects.get(pk=action.pk))}
    assert proofs["informed"].done and proofs["screened"].done and proofs["referred"].done
    assert not proofs["calendar"].done and not proofs["sign_in"].done
    page = text(client.get(reverse("prevention:action", args=[home_cpts.slug,
                                                              action.public_id])))
    words = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "Feuille d'émargement : manquant" in words
    assert "Personnes informées : fait (150)" in words
