"""The permissions are defined once; the table of docs/ is generated from them."""

from pathlib import Path

import pytest

from maillage.core import permissions
from maillage.core.access import member_view
from maillage.core.roles import Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_docs_table_is_generated_from_the_registry():
    assert DOC.read_text(encoding="utf-8") == permissions.markdown_table(), (
        "docs/permissions.md is stale: python -m maillage.core.permissions > docs/permissions.md"
    )


def test_board_and_funders_never_see_patients_and_everyone_else_logs_in_with_two_factors():
    class M:
        def __init__(self, role):
            self.role = role

    for role in Role:
        assert permissions.requires_two_factor(M(role)) == (role not in (Role.BOARD,
                                                                         Role.FUNDER))
        assert not permissions.see_patients(M(role)) or role not in (Role.BOARD, Role.FUNDER)
    for permission in permissions.REGISTRY.values():
        if permission is not permissions.member and {Role.BOARD, Role.FUNDER} & permission.roles:
            assert "patient" not in permission.name, permission


def test_a_funder_sees_the_contract_and_nothing_of_the_cpts_itself():
    class M:
        role = Role.FUNDER

    allowed = {name for name, p in permissions.REGISTRY.items() if p(M())}
    assert allowed == {"open_home", "see_contract", "reads_audited", "search_communes"}


def test_member_view_refuses_a_permission_named_by_a_string():
    with pytest.raises(TypeError):
        member_view("can_see_patients")
