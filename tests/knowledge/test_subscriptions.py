"""Joining, permissions, rotation and bad input of subscriptions, on real databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from knowledge.audiences import EVERYONE, AudienceError, AudienceKind
from knowledge.content_schema import TipData
from knowledge.core import KnowledgeBase
from knowledge.delivery.ledger import TEXT_MAX
from knowledge.delivery.models import Broadcast, Delivery
from knowledge.schedule_store import Schedule
from knowledge.schedules import LOCAL
from knowledge.subscriptions import REFUSALS, Actor, Content, Subscriptions
from knowledge.tips_store import TipStore
from knowledge.users import Role, Roles
from tests.knowledge.delivery_support import fast_settings

# Thursday 3 December 2026, 10:00 in Hà Nội.
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=LOCAL).astimezone(UTC)
TEACHER = Actor("telegram", "100", "100")
OTHER_TEACHER = Actor("telegram", "101", "101")
OFFICER = Actor("telegram", "1", "1")
STUDENT = Actor("telegram", "200", "200")


def student(i: int) -> Actor:
    return Actor("telegram", str(300 + i), str(300 + i))


@pytest.fixture
async def subs(kb: KnowledgeBase) -> Subscriptions:
    roles = Roles(kb.sessions)
    await roles.grant("telegram", "100", Role.TEACHER, "test")
    await roles.grant("telegram", "101", Role.TEACHER, "test")
    await roles.grant("telegram", "1", Role.ADMIN, "test")
    tip = {"audience": "students", "sources": [{"document": "Luật", "number": "1/2020/QH14"}]}
    tips = [TipData(id=f"tip-t08-{i:02d}", topic="T08", text=f"Mẹo {i}", **tip) for i in range(3)]
    tips.append(TipData(id="tip-t01-01", topic="T01", text="Mẹo xe máy", **tip))
    await TipStore(kb.sessions).load_if_empty(tips)
    return Subscriptions(kb, fast_settings(quiet_hours="21:00-06:30"), now=lambda: NOW)


async def count(kb: KnowledgeBase, table: type) -> int:
    async with kb.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_teacher_sets_up_weekly_tips_for_a_class(subs: Subscriptions) -> None:
    audience = await subs.create_class(TEACHER, "10A1")
    for i in range(3):
        assert "đã đăng ký" in await subs.join(student(i), audience.code.lower())
    assert "từ trước" in await subs.join(student(0), audience.code)

    schedule, reply = await subs.schedule(TEACHER, "10a1", "thứ 2 07:00", Content(topic="T08"))
    assert "07:00 thứ Hai 07/12/2026" in reply
    assert [s.id for s in await subs.list_schedules(TEACHER)] == [schedule.id]
    [(_, members, schedules)] = await subs.classes(TEACHER)
    assert (members, schedules) == (3, 1)

    assert "tạm dừng" in await subs.set_active(TEACHER, schedule.id, False)
    assert "chạy lại" in await subs.set_active(TEACHER, schedule.id, True)


async def test_members_list_and_leave(subs: Subscriptions) -> None:
    audience = await subs.create_class(TEACHER, "10A1")
    await subs.join(STUDENT, audience.code)
    assert "lớp 10A1" in await subs.list_subscriptions(STUDENT)
    assert "10A1" in await subs.leave(STUDENT, "1")
    assert "chưa đăng ký" in await subs.list_subscriptions(STUDENT)
    with pytest.raises(REFUSALS):
        await subs.leave(STUDENT, "1")


async def test_a_teacher_reaches_only_their_own_classes(
    subs: Subscriptions, kb: KnowledgeBase
) -> None:
    mine = await subs.create_class(TEACHER, "10A1")
    theirs = await subs.create_class(OTHER_TEACHER, "11B2")
    await subs.join(STUDENT, theirs.code)

    for name in ("11B2", theirs.code, "tatca", "giaovien"):
        with pytest.raises(REFUSALS, match="chỉ gửi được cho lớp mình"):
            await subs.send_now(TEACHER, name, Content(text="Xin chào"))
        with pytest.raises(REFUSALS, match="chỉ gửi được cho lớp mình"):
            await subs.schedule(TEACHER, name, "thứ 2 07:00", Content())
    assert await count(kb, Broadcast) == 0 and await count(kb, Schedule) == 0
    assert mine.owner_user_id == "100"

    # The legal officer reaches any audience.
    broadcast, _ = await subs.send_now(OFFICER, theirs.code, Content(text="Thông báo"))
    assert broadcast.total == 1


async def test_a_student_cannot_use_teacher_commands(
    subs: Subscriptions, kb: KnowledgeBase
) -> None:
    audience = await subs.create_class(TEACHER, "10A1")
    await subs.join(STUDENT, audience.code)
    attempts = [
        subs.create_class(STUDENT, "10A9"),
        subs.send_now(STUDENT, "10A1", Content(text="spam")),
        subs.schedule(STUDENT, "10A1", "thứ 2 07:00", Content()),
        subs.list_schedules(STUDENT),
        subs.reports(STUDENT),
    ]
    for attempt in attempts:
        with pytest.raises(REFUSALS, match="chỉ dành cho giáo viên"):
            await attempt
    group = Actor("telegram", "200", "-500", in_group=True)
    with pytest.raises(REFUSALS, match="Chỉ giáo viên chủ nhiệm"):
        await subs.join(group, audience.code)
    assert await count(kb, Broadcast) == 0 and await count(kb, Schedule) == 0


async def test_the_homeroom_teacher_registers_the_class_group(subs: Subscriptions) -> None:
    audience = await subs.create_class(TEACHER, "10A1")
    group = Actor("telegram", "100", "-500", in_group=True)
    assert "Nhóm này đã được đăng ký" in await subs.join(group, audience.code)
    broadcast, _ = await subs.send_now(TEACHER, "10A1", Content(text="Chào cả lớp"))
    assert broadcast.total == 1


async def test_bad_input_is_refused_and_nothing_is_stored(
    subs: Subscriptions, kb: KnowledgeBase
) -> None:
    audience = await subs.create_class(TEACHER, "10A1")
    refusals = {
        "chưa có ai đăng ký": subs.send_now(TEACHER, "10A1", Content(text="Xin chào")),
        "không tồn tại": subs.join(STUDENT, "ZZZZ9999"),
        "đã qua": subs.schedule(TEACHER, "10A1", "01/12/2026 07:00", Content()),
        "không hợp lệ": subs.schedule(TEACHER, "10A1", "thứ 2 27:00", Content()),
        "giờ yên lặng": subs.schedule(TEACHER, "10A1", "thứ 2 22:00", Content()),
        "Không tìm thấy": subs.send_now(OFFICER, "NOPE2345", Content(text="x")),
        "dấu cách": subs.create_class(TEACHER, "10 A1"),
        "đã có lớp": subs.create_class(TEACHER, "10a1"),
        "chưa có mẹo": subs.send_now(TEACHER, "10A1", Content(topic="T99")),
        "Không có mẹo": subs.send_now(TEACHER, "10A1", Content(tip_id="tip-nope")),
    }
    for fragment, attempt in refusals.items():
        with pytest.raises(REFUSALS) as caught:
            await attempt
        assert fragment.lower() in str(caught.value).lower(), fragment

    await subs.join(STUDENT, audience.code)
    for text in ("", "   ", "x" * (TEXT_MAX + 1)):
        with pytest.raises(REFUSALS):
            await subs.send_now(TEACHER, "10A1", Content(text=text))
    assert await count(kb, Broadcast) == 0 and await count(kb, Delivery) == 0
    assert await count(kb, Schedule) == 0


async def test_an_expired_code_does_not_join(subs: Subscriptions) -> None:
    past = NOW - timedelta(days=1)
    audience = await subs.audiences.create(
        AudienceKind.STAFF, "Giáo viên THPT A", "test", expires_at=past
    )
    with pytest.raises(AudienceError, match="hết hạn"):
        await subs.join(STUDENT, audience.code)
    assert await subs.audiences.member_count(audience.id) == 0


async def test_a_staff_code_grants_its_role_but_never_lowers_one(subs: Subscriptions) -> None:
    staff = await subs.audiences.create(
        AudienceKind.STAFF, "Giáo viên THPT A", "test", grants_role=Role.TEACHER
    )
    assert "giáo viên" in await subs.join(STUDENT, staff.code)
    assert await subs.role(STUDENT) is Role.TEACHER
    await subs.join(OFFICER, staff.code)
    assert await subs.role(OFFICER) is Role.ADMIN


async def test_rotation_never_repeats_until_the_library_is_used_up(subs: Subscriptions) -> None:
    audience = await subs.create_class(TEACHER, "10A1")
    await subs.join(STUDENT, audience.code)
    other = await subs.create_class(OTHER_TEACHER, "11B2")
    await subs.join(student(1), other.code)

    sent = []
    for _ in range(6):
        broadcast, _ = await subs.send_now(TEACHER, "10A1", Content(topic="T08"))
        sent.append(broadcast.tip_id)
    assert len(set(sent[:3])) == 3 and set(sent[3:]) == set(sent[:3])
    # Another class keeps its own rotation.
    broadcast, _ = await subs.send_now(OTHER_TEACHER, "11B2", Content(topic="T08"))
    assert broadcast.tip_id is not None


async def test_officer_targets_and_quiet_hours_notice(kb: KnowledgeBase) -> None:
    await Roles(kb.sessions).grant("telegram", "1", Role.ADMIN, "test")
    await Roles(kb.sessions).grant("telegram", "100", Role.TEACHER, "test")
    night = datetime(2026, 12, 3, 22, 0, tzinfo=LOCAL).astimezone(UTC)
    subs = Subscriptions(kb, fast_settings(quiet_hours="21:00-06:30"), now=lambda: night)
    broadcast, reply = await subs.send_now(OFFICER, "giaovien", Content(text="Họp tổ"))
    assert broadcast.total == 1 and "06:30" in reply
    assert (await subs.target(OFFICER, "tatca")) == EVERYONE
