"""The main courante: entries timestamped and signed, never edited (a correction is a new
entry, the original kept struck through), the plan's actions ticked with time and person,
hostile text handled; professionals read and write, the coordination runs the rest."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import get_resolver, reverse

from maillage.core.models import AuditEvent
from maillage.crisis import activations
from maillage.crisis.models import LogEntry
from tests.conftest import HOME
from tests.crisis.activation_fixtures import crisis, exercise, plan_actions

pytestmark = pytest.mark.django_db


def _url(name, activation, *extra):
    return reverse(f"crisis:{name}", args=[HOME, activation.public_id, *extra])


def test_a_professional_reads_the_log_and_writes_an_entry_signed_and_timestamped(
    client_for, coordinator, gp, home_cpts
):
    activation = crisis(home_cpts, coordinator)
    client = client_for(gp)
    assert client.get(_url("activation", activation)).status_code == 200
    response = client.post(_url("log_entry", activation), {"text": "Cabinet ouvert jusqu'à 22 h"})
    assert response.status_code == 302
    entry = LogEntry.objects.get(activation=activation)
    assert entry.author == gp and entry.at is not None and entry.cpts == home_cpts
    assert AuditEvent.objects.filter(action="crisis.log_entry", object_id=entry.public_id,
                                     actor=gp).exists()  # fmt: skip
    body = client.get(_url("activation", activation)).content.decode()
    assert "Cabinet ouvert" in html.unescape(body)


@pytest.mark.parametrize("role", ["partner", "regulator", "board_member"])
def test_roles_without_the_log_permission_get_404(client_for, coordinator, home_cpts, request,
                                                  role):  # fmt: skip
    activation = crisis(home_cpts, coordinator)
    client = client_for(request.getfixturevalue(role))
    assert client.get(_url("activation", activation)).status_code == 404
    assert client.post(_url("log_entry", activation), {"text": "x"}).status_code == 404
    assert not LogEntry.objects.exists()


def test_no_page_edits_or_deletes_an_entry():
    names = [name for name in get_resolver().reverse_dict if isinstance(name, str)]
    crisis_names = [n for n in get_resolver("maillage.urls").namespace_dict["crisis"][1]
                    .reverse_dict if isinstance(n, str)]  # fmt: skip
    assert "log_correct" in crisis_names
    assert not [n for n in crisis_names + names if "edit" in n and "log" in n]
    assert not [n for n in crisis_names if "delete" in n]


def test_a_correction_is_a_new_entry_and_the_original_is_kept_struck_through(
    client_for, coordinator, nurse, home_cpts
):
    activation = crisis(home_cpts, coordinator)
    original = activations.add_entry(activation=activation, actor=coordinator,
                                     text="Gymnase Mozart ouvert")  # fmt: skip
    client = client_for(nurse)
    response = client.post(_url("log_correct", activation, original.public_id),
                           {"text": "Gymnase Pasteur, pas Mozart"})  # fmt: skip
    assert response.status_code == 302
    original.refresh_from_db()
    assert original.text == "Gymnase Mozart ouvert"
    correction = LogEntry.objects.get(corrects=original)
    local = activations.timezone.localtime(original.at)
    assert correction.text.startswith(f"Correction de l'entrée de {local:%H:%M}")
    assert correction.author == nurse
    body = html.unescape(client.get(_url("activation", activation)).content.decode())
    assert "<del>" in body and "corrigée" in body and "Gymnase Mozart ouvert" in body
    assert AuditEvent.objects.filter(action="crisis.log_correct").count() == 1


def test_an_empty_or_huge_entry_is_refused_next_to_the_field_and_nothing_written(
    client_for, coordinator, home_cpts
):
    activation = crisis(home_cpts, coordinator)
    client = client_for(coordinator)
    for text in ("", "   ", "x" * 5001):
        response = client.post(_url("log_entry", activation), {"text": text})
        assert response.status_code == 400
        body = html.unescape(response.content.decode())
        assert "Écrivez l'entrée" in body or "5000 caractères au plus" in body
    empty = client.post(_url("log_correct", activation,
                             activations.add_entry(activation=activation, actor=coordinator,
                                                   text="A").public_id), {"text": " "})
    assert empty.status_code == 400 and "Écrivez la correction" in empty.content.decode()
    assert LogEntry.objects.filter(activation=activation).count() == 1


def test_markup_is_escaped_and_nul_stripped(client_for, coordinator, home_cpts):
    activation = crisis(home_cpts, coordinator)
    entry = activations.add_entry(activation=activation, actor=coordinator,
                                  text="<script>alert(1)</script>\x00 fin")  # fmt: skip
    assert "\x00" not in entry.text
    body = client_for(coordinator).get(_url("activation", activation)).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


def test_a_plan_action_is_ticked_once_with_time_and_person(client_for, coordinator, gp,
                                                           home_cpts):  # fmt: skip
    actions = plan_actions(home_cpts, coordinator)
    activation = crisis(home_cpts, coordinator)
    client = client_for(coordinator)
    page = html.unescape(client.get(_url("activation", activation)).content.decode())
    assert "Réunir la cellule" in page and "Prévenir le Centre 15" in page
    code = actions[1][0]
    client.post(_url("action_done", activation), {"action": code})
    client.post(_url("action_done", activation), {"action": code})
    entry = LogEntry.objects.get(activation=activation, plan_action=code)
    assert entry.author == coordinator and "Prévenir le Centre 15" in entry.text
    page = html.unescape(client.get(_url("activation", activation)).content.decode())
    assert "Faite : Prévenir le Centre 15" in re.sub(r"<[^>]+>", "", page)
    assert f'value="{code}"' not in page and f'value="{actions[0][0]}"' in page
    # A professional writes in the log but does not tick the plan's actions.
    assert client_for(gp).post(_url("action_done", activation),
                               {"action": actions[0][0]}).status_code == 404  # fmt: skip


def test_an_unknown_action_is_refused(coordinator, home_cpts):
    plan_actions(home_cpts, coordinator)
    activation = crisis(home_cpts, coordinator)
    with pytest.raises(ValidationError):
        activations.action_done(activation=activation, actor=coordinator, code="sheet-nrbc:99")
    assert not LogEntry.objects.exists()


def test_an_exercise_page_carries_the_exercice_banner(client_for, coordinator, home_cpts):
    activation = exercise(home_cpts, coordinator)
    body = client_for(coordinator).get(_url("activation", activation)).content.decode()
    assert "crisis-exercise-banner" in body and "<strong>EXERCICE</strong>" in body
    real = crisis(home_cpts, coordinator)
    assert "crisis-exercise-banner" not in client_for(coordinator).get(
        _url("activation", real)).content.decode()
