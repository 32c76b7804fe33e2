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


def test_board_never_sees_patients_and_everyone_else_logs_in_with_two_factors():
    class M:
        def __init__(self, role):
            self.role = role

    for role in Role:
        assert permissions.requires_two_factor(M(role)) == (role != Role.BOARD)
    for permission in permissions.REGISTRY.values():
        if permission is not permissions.member and Role.BOARD in permission.roles:
            assert not any("patient" in n for n in (permission.name,)), permission


def test_member_view_refuses_a_permission_named_by_a_string():
    with pytest.raises(TypeError):
        member_view("can_see_patients")
