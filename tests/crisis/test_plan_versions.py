"""The plan's draft, its sections' history and its versions: what a save records, what a
version holds, how two versions compare section by section."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from maillage.core.models import AuditEvent
from maillage.crisis import frame, plan
from maillage.crisis.models import PlanRevision, PlanVersion

pytestmark = pytest.mark.django_db


def _save(cpts, user, section, body, **kwargs):
    return plan.save_section(cpts=cpts, section=section, body=body, author=user, **kwargs)


def test_saving_a_section_records_a_revision_and_an_audit_row(home_cpts, coordinator):
    revision = _save(home_cpts, coordinator, "referent", "Référent : Dr Martin")
    assert plan.draft(home_cpts)["referent"] == revision
    assert revision.author == coordinator and revision.body == "Référent : Dr Martin"
    event = AuditEvent.objects.get(action="crisis.plan_edit", object_id=revision.public_id)
    assert event.actor == coordinator and event.cpts == home_cpts


def test_saving_the_same_text_again_records_nothing(home_cpts, coordinator):
    _save(home_cpts, coordinator, "referent", "Référent : Dr Martin\nSuppléant : Mme Roux")
    again = _save(home_cpts, coordinator, "referent",
                  "Référent : Dr Martin\r\nSuppléant : Mme Roux\r\n")  # fmt: skip
    assert again is None
    assert PlanRevision.objects.filter(cpts=home_cpts, section="referent").count() == 1


def test_nul_bytes_are_stripped(home_cpts, coordinator):
    revision = _save(home_cpts, coordinator, "context", "Bourgoin\x00-Jallieu")
    assert revision.body == "Bourgoin-Jallieu"


def test_an_over_long_section_is_refused_with_a_clear_message(home_cpts, coordinator):
    with pytest.raises(ValidationError) as caught:
        _save(home_cpts, coordinator, "context", "x" * (plan.MAX_SECTION_CHARS + 1))
    assert "limité à 20 000 caractères" in caught.value.message_dict["body"][0]
    assert not PlanRevision.objects.filter(cpts=home_cpts).exists()


def test_an_unknown_section_is_refused(home_cpts, coordinator):
    with pytest.raises(ValidationError):
        _save(home_cpts, coordinator, "nope", "texte")


def test_a_save_over_someone_elses_newer_text_is_refused_and_keeps_both(
    home_cpts, coordinator, board_member
):
    first = _save(home_cpts, coordinator, "cell", "Salle du conseil")
    _save(home_cpts, coordinator, "cell", "Salle du conseil, repli : gymnase")
    with pytest.raises(ValidationError) as caught:
        _save(home_cpts, coordinator, "cell", "Mairie", base=str(first.public_id))
    assert "modifiée pendant votre saisie" in caught.value.message_dict["body"][0]
    assert plan.draft(home_cpts)["cell"].body == "Salle du conseil, repli : gymnase"


def test_history_lists_each_revision_newest_first_with_its_diff(home_cpts, coordinator):
    _save(home_cpts, coordinator, "communication", "Liste de diffusion\nSite web")
    _save(home_cpts, coordinator, "communication", "Liste de diffusion\nAffiches en mairie")
    rows = plan.history(home_cpts, "communication")
    assert [r.body for r, _ in rows] == ["Liste de diffusion\nAffiches en mairie",
                                          "Liste de diffusion\nSite web"]  # fmt: skip
    newest_diff = rows[0][1]
    assert ("removed", "Site web") in [(d.kind, d.text) for d in newest_diff]
    assert ("added", "Affiches en mairie") in [(d.kind, d.text) for d in newest_diff]
    assert all(d.kind == "added" for d in rows[1][1])


def test_a_version_snapshots_every_section_of_the_frame_in_order(home_cpts, coordinator):
    revision = _save(home_cpts, coordinator, "referent", "Dr Martin")
    version = plan.create_version(cpts=home_cpts, actor=coordinator, note="Première version")
    assert version.number == 1 and version.frame_version == frame.CURRENT
    assert [s["code"] for s in version.sections] == [s.code for s in frame.sections()]
    referent = next(s for s in version.sections if s["code"] == "referent")
    assert referent["body"] == "Dr Martin" and referent["revision"] == str(revision.public_id)
    assert referent["changed_by"] == coordinator.get_full_name()
    assert version.note == "Première version" and version.approved_at is None
    assert AuditEvent.objects.filter(action="crisis.plan_version",
                                     object_id=version.public_id).exists()  # fmt: skip


def test_versions_are_numbered_one_after_the_other(home_cpts, coordinator):
    _save(home_cpts, coordinator, "referent", "Dr Martin")
    plan.create_version(cpts=home_cpts, actor=coordinator)
    _save(home_cpts, coordinator, "referent", "Dr Roux")
    second = plan.create_version(cpts=home_cpts, actor=coordinator)
    assert second.number == 2


def test_a_draft_identical_to_the_newest_version_is_refused(home_cpts, coordinator):
    _save(home_cpts, coordinator, "referent", "Dr Martin")
    plan.create_version(cpts=home_cpts, actor=coordinator)
    with pytest.raises(ValidationError, match="identique à la version 1"):
        plan.create_version(cpts=home_cpts, actor=coordinator)
    assert PlanVersion.objects.filter(cpts=home_cpts).count() == 1


def test_an_empty_plan_makes_no_version(home_cpts, coordinator):
    with pytest.raises(ValidationError, match="Le plan est vide"):
        plan.create_version(cpts=home_cpts, actor=coordinator)


def test_comparing_versions_names_changed_sections_with_who_and_when(
    home_cpts, coordinator, gp
):
    _save(home_cpts, coordinator, "referent", "Dr Martin")
    _save(home_cpts, coordinator, "cell", "Salle du conseil")
    first = plan.create_version(cpts=home_cpts, actor=coordinator)
    edit = _save(home_cpts, gp, "cell", "Salle du conseil\nRepli : gymnase Pierre-de-Coubertin")
    second = plan.create_version(cpts=home_cpts, actor=coordinator)
    changes = {c.code: c for c in plan.compare_sections(home_cpts, first.sections,
                                                         second.sections)}  # fmt: skip
    assert [code for code, c in changes.items() if c.changed] == ["cell"]
    assert changes["cell"].revisions == [edit]
    assert [(d.kind, d.text) for d in changes["cell"].lines] == [
        ("same", "Salle du conseil"), ("added", "Repli : gymnase Pierre-de-Coubertin")]
    assert not changes["referent"].revisions


def test_the_plan_state_tells_the_yearly_update_and_what_the_draft_changed(
    home_cpts, coordinator, board_member
):
    _save(home_cpts, coordinator, "referent", "Dr Martin")
    version = plan.create_version(cpts=home_cpts, actor=coordinator)
    plan.approve_version(version=version, actor=board_member)
    _save(home_cpts, coordinator, "cell", "Salle du conseil")
    approved_on = version.approved_at.date()
    state = plan.state(home_cpts, today=approved_on + datetime.timedelta(days=366))
    assert state.approved == version and state.changed == ["cell"]
    assert state.update_due == approved_on + datetime.timedelta(days=365)
    assert state.overdue
    assert not plan.state(home_cpts, today=approved_on).overdue


# ------------------------------------------------------------------ the diff itself

lines = st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                 blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e"
                                                 "\x85\u2028\u2029"),
                         max_size=8), max_size=12)  # fmt: skip


@given(lines, lines)
def test_a_line_diff_holds_both_texts(old, new):
    diff = plan.line_diff("\n".join(old), "\n".join(new))
    assert [d.text for d in diff if d.kind != "added"] == "\n".join(old).splitlines()
    assert [d.text for d in diff if d.kind != "removed"] == "\n".join(new).splitlines()


@given(lines, lines)
def test_collapsing_keeps_every_change_and_counts_the_hidden_lines(old, new):
    full = plan.line_diff("\n".join(old), "\n".join(new))
    short = plan.collapse(full)
    assert [d for d in short if d.kind in ("added", "removed")] == [
        d for d in full if d.kind in ("added", "removed")]
    shown = sum(1 for d in short if d.kind == "same")
    assert shown + sum(d.count for d in short if d.kind == "gap") == sum(
        1 for d in full if d.kind == "same")
