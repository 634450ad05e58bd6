"""Roles and permissions (knowledge.users): who may change answers, who may broadcast."""

from __future__ import annotations

import logging

import pytest

from knowledge.core import KnowledgeBase
from knowledge.users import (
    LastAdminError,
    Permission,
    PermissionDenied,
    Role,
    Roles,
    allows,
)
from tests.knowledge.curation_support import audit_rows


def test_only_admins_edit_the_faq_and_teachers_broadcast_only_to_their_own() -> None:
    assert allows(Role.ADMIN, Permission.FAQ_EDIT)
    for role in (Role.TEACHER, Role.STAFF, Role.STUDENT):
        assert not allows(role, Permission.FAQ_EDIT)
        assert not allows(role, Permission.REVIEW)
        assert not allows(role, Permission.BROADCAST_ALL)
    assert allows(Role.TEACHER, Permission.BROADCAST_OWN)
    assert not allows(Role.STUDENT, Permission.BROADCAST_OWN)
    assert all(allows(Role.ADMIN, p) for p in Permission)


async def test_anyone_without_a_role_is_a_student(kb: KnowledgeBase) -> None:
    assert await Roles(kb.sessions).role_of("telegram", "4201") is Role.STUDENT


async def test_a_student_cannot_add_entries_and_the_refusal_is_audited(
    kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    roles = Roles(kb.sessions)
    with caplog.at_level(logging.WARNING, "knowledge.users"), pytest.raises(PermissionDenied):
        await roles.require("telegram", "4201", Permission.FAQ_EDIT, "faq.add")
    assert "Refused faq.add to telegram:4201 (student)" in caplog.text
    (denied,) = await audit_rows(kb, "permission.denied")
    assert denied.actor == "telegram:4201"
    assert denied.after == {"role": "student", "attempted": "faq.add"}


async def test_a_teacher_cannot_edit_the_faq_or_broadcast_to_everyone(kb: KnowledgeBase) -> None:
    roles = Roles(kb.sessions)
    await roles.grant("telegram", "77", Role.TEACHER, "cli:root", "Cô Lan, 10A1")
    with pytest.raises(PermissionDenied):
        await roles.require("telegram", "77", Permission.FAQ_EDIT)
    with pytest.raises(PermissionDenied):
        await roles.require("telegram", "77", Permission.BROADCAST_ALL)
    assert await roles.require("telegram", "77", Permission.BROADCAST_OWN) is Role.TEACHER
    assert await roles.require("telegram", "77", Role.TEACHER) is Role.TEACHER
    with pytest.raises(PermissionDenied):
        await roles.require("telegram", "77", Role.ADMIN)


async def test_grants_and_revocations_are_audited_with_before_and_after(
    kb: KnowledgeBase,
) -> None:
    roles = Roles(kb.sessions)
    assert await roles.grant("telegram", "1", Role.ADMIN, "cli:root") is None
    assert await roles.grant("zalo", "z9", Role.TEACHER, "telegram:1", "Thầy Hùng") is None
    assert await roles.grant("zalo", "z9", Role.STAFF, "telegram:1") is Role.TEACHER
    assert await roles.revoke("zalo", "z9", "telegram:1") is Role.STAFF
    assert await roles.revoke("zalo", "z9", "telegram:1") is None

    rows = [r for r in await audit_rows(kb) if r.action.startswith("role.")]
    assert [(r.action, r.actor, r.target, r.before, r.after) for r in rows] == [
        ("role.grant", "cli:root", "telegram:1", None, {"role": "admin", "note": ""}),
        ("role.grant", "telegram:1", "zalo:z9", None, {"role": "teacher", "note": "Thầy Hùng"}),
        (
            "role.grant",
            "telegram:1",
            "zalo:z9",
            {"role": "teacher"},
            {"role": "staff", "note": "Thầy Hùng"},
        ),
        ("role.revoke", "telegram:1", "zalo:z9", {"role": "staff", "note": "Thầy Hùng"}, None),
    ]
    grants = await roles.grants()
    assert [(g.channel, g.external_id, g.role) for g in grants] == [("telegram", "1", Role.ADMIN)]
    assert await roles.members("telegram", Role.ADMIN) == ["1"]


async def test_the_last_admin_cannot_be_removed(kb: KnowledgeBase) -> None:
    roles = Roles(kb.sessions)
    await roles.grant("telegram", "1", Role.ADMIN, "cli:root")
    with pytest.raises(LastAdminError):
        await roles.revoke("telegram", "1", "cli:root")
    with pytest.raises(LastAdminError):
        await roles.grant("telegram", "1", Role.TEACHER, "cli:root")
    await roles.grant("telegram", "2", Role.ADMIN, "cli:root")
    assert await roles.revoke("telegram", "1", "telegram:2") is Role.ADMIN
    assert await roles.role_of("telegram", "1") is Role.STUDENT
