"""The legal officer's tools in Telegram, end to end: python-telegram-bot's real HTTP stack
against the fake Bot API server, with the delivery engine running inside the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.telegram import messages as tmsg
from knowledge.core import KnowledgeBase
from knowledge.curation import messages as cm
from knowledge.db.models import AuditLog, Unanswered
from knowledge.users import Role, Roles
from tests.bot.fake_telegram import FakeTelegram, FakeUser, buttons, running_bot

OFFICER = FakeUser(700, "Cô Lan")
TEACHER = FakeUser(701, "Thầy Hùng")
STUDENT = FakeUser(4201, "Minh")
DOG = "Nuôi chó trong chung cư có cần đăng ký không?"
BIKE = "Đi xe đạp điện có cần bằng lái không?"


@pytest.fixture(autouse=True)
def delivery_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIET_HOURS", "")
    monkeypatch.setenv("DELIVERY_POLL_SECONDS", "0.05")


@pytest.fixture
async def fake(kb: KnowledgeBase) -> AsyncIterator[FakeTelegram]:
    roles = Roles(kb.sessions)
    await roles.grant("telegram", str(OFFICER.id), Role.ADMIN, "test")
    await roles.grant("telegram", str(TEACHER.id), Role.TEACHER, "test")
    async with FakeTelegram() as server, running_bot(kb, server):
        yield server


async def reply(fake: FakeTelegram, user: FakeUser, send: Any, expect: str) -> dict[str, Any]:
    """Do ``send`` (a coroutine) and return the first new message containing ``expect``."""
    before = len(fake.sent(user.id))
    await send

    def found() -> dict[str, Any] | None:
        for call in fake.sent(user.id)[before:]:
            if expect in call.result["text"]:
                result: dict[str, Any] = call.result
                return result
        return None

    await fake.wait_for(lambda: found() is not None, timeout=10)
    message = found()
    assert message is not None
    return message


async def delivered(fake: FakeTelegram, user: FakeUser, expect: str) -> str:
    """The message containing ``expect`` that the user received, once it is there."""
    await fake.wait_for(lambda: any(expect in t for t in fake.texts(user.id)), timeout=10)
    return next(t for t in fake.texts(user.id) if expect in t)


def data(message: dict[str, Any], label: str) -> str:
    """Callback data of the button whose label contains ``label``."""
    return next(d for text, d in buttons(message) if label in text)


async def test_students_and_teachers_do_not_get_the_tools(
    fake: FakeTelegram, kb: KnowledgeBase
) -> None:
    for user in (STUDENT, TEACHER):
        for command in ("/themcauhoi", "/thongke", "/choduyet"):
            message = await reply(fake, user, fake.send(user, command), tmsg.UNKNOWN_COMMAND)
            assert message["text"] == tmsg.UNKNOWN_COMMAND
    async with kb.sessions() as session:
        denied = (
            await session.scalars(select(AuditLog).where(AuditLog.action == "permission.denied"))
        ).all()
    # One refusal recorded per person (repeats within minutes are not re-audited).
    assert sorted((d.actor, d.after["role"]) for d in denied if d.after) == [
        ("telegram:4201", "student"),
        ("telegram:701", "teacher"),
    ]
    assert kb.entry("t17-nuoi-cho-trong-chung-cu-co-can") is None


async def test_an_officer_adds_an_entry_in_chat_and_students_get_it(
    fake: FakeTelegram, kb: KnowledgeBase
) -> None:
    say = fake.send
    menu = await reply(fake, OFFICER, say(OFFICER, "/admin"), "/themcauhoi")
    assert menu["text"] == cm.ADMIN_MENU

    await reply(fake, OFFICER, say(OFFICER, "/themcauhoi"), "bước 1/6")
    step = await reply(fake, OFFICER, say(OFFICER, DOG), "Bước 2/6")
    step = await reply(
        fake, OFFICER, say(OFFICER, "nuôi chó chung cư\nnuoi cho chung cu"), "Đã có 3 cách hỏi"
    )
    step = await reply(fake, OFFICER, fake.press(OFFICER, step, data(step, "Xong")), "Cần thêm")
    await reply(fake, OFFICER, say(OFFICER, "chó nuôi có phải khai báo không"), "Đã có 4")
    step = await reply(fake, OFFICER, fake.press(OFFICER, step, data(step, "Xong")), "Bước 3/6")
    await reply(
        fake,
        OFFICER,
        say(OFFICER, "Có, chó nuôi phải được <khai báo> với chính quyền cấp xã."),
        "Bước 4/6",
    )
    step = await reply(fake, OFFICER, say(OFFICER, "Nghị định 90/2026/NĐ-CP, Điều 3"), "Bước 5/6")
    step = await reply(fake, OFFICER, fake.press(OFFICER, step, "a|w:t:T17"), "Bước 6/6")
    step = await reply(fake, OFFICER, fake.press(OFFICER, step, data(step, "Mọi người")), "Lưu")
    preview = fake.texts(OFFICER.id)[-2]
    assert preview.startswith("Có, chó nuôi phải được <khai báo>")
    assert "Căn cứ: Nghị định 90/2026/NĐ-CP" in preview
    assert kb.entry("t17-nuoi-cho-trong-chung-cu-co-can") is None

    saved = await reply(fake, OFFICER, fake.press(OFFICER, step, data(step, "Lưu")), "Đã lưu")
    assert saved["text"] == cm.SAVED_NEW.format(id="t17-nuoi-cho-trong-chung-cu-co-can")

    answer = await reply(fake, STUDENT, say(STUDENT, "nuoi cho chung cu co phai dang ky ko"), "Có")
    assert answer["text"] == preview  # exactly what the preview showed
    async with kb.sessions() as session:
        created = (
            await session.scalars(select(AuditLog).where(AuditLog.action == "faq.create"))
        ).all()
    assert created[-1].actor == "telegram:700"
    assert fake.failed() == []


async def test_the_review_queue_round_trip_in_chat(fake: FakeTelegram, kb: KnowledgeBase) -> None:
    say = fake.send
    unanswered = await reply(fake, STUDENT, say(STUDENT, BIKE), "chưa có câu trả lời")
    assert "cán bộ pháp chế" in unanswered["text"]
    other = FakeUser(4202, "Hoa")
    await reply(
        fake, other, say(other, "đi xe đạp điện có cần bằng lái ko"), "chưa có câu trả lời"
    )

    queue = await reply(fake, OFFICER, say(OFFICER, "/choduyet"), "đang chờ trả lời")
    assert f"1. “{BIKE}” – 2 lượt hỏi" in queue["text"]
    detail = await reply(
        fake, OFFICER, fake.press(OFFICER, queue, data(queue, BIKE)), "từ 2 người"
    )
    search = await reply(
        fake, OFFICER, fake.press(OFFICER, detail, data(detail, "câu có sẵn")), "Gõ vài từ"
    )
    assert search["text"] == cm.QUEUE_ASK_ENTRY
    found = await reply(fake, OFFICER, say(OFFICER, "tuổi xe gắn máy"), cm.QUEUE_PICK_ENTRY)
    done = await reply(
        fake,
        OFFICER,
        fake.press(OFFICER, found, data(found, "t01-tuoi-xe-gan-may")),
        "Đã trả lời 2 lượt hỏi",
    )
    assert "thêm câu hỏi làm một cách hỏi" in done["text"]
    assert cm.QUEUE_NOTIFIED.format(sent=2) in done["text"]

    # Both askers receive the answer, delivered by the bot's delivery engine.
    for user in (STUDENT, other):
        text = await delivered(fake, user, "Cán bộ pháp chế đã trả lời")
        assert "Từ đủ 16 tuổi bạn được điều khiển xe gắn máy." in text
    async with kb.sessions() as session:
        rows = (await session.scalars(select(Unanswered))).all()
    assert {(r.status, r.answered_by) for r in rows} == {("answered", "telegram:700")}
    assert all(r.notified_at is not None for r in rows)
    empty = await reply(fake, OFFICER, say(OFFICER, "/choduyet"), cm.QUEUE_EMPTY)
    assert empty["text"] == cm.QUEUE_EMPTY


async def test_a_queued_question_gets_a_new_entry_written_in_chat(
    fake: FakeTelegram, kb: KnowledgeBase
) -> None:
    say = fake.send
    await reply(fake, STUDENT, say(STUDENT, DOG), "chưa có câu trả lời")
    queue = await reply(fake, OFFICER, say(OFFICER, "/choduyet"), "đang chờ trả lời")
    detail = await reply(fake, OFFICER, fake.press(OFFICER, queue, data(queue, DOG)), "từ 1 người")
    step = await reply(
        fake, OFFICER, fake.press(OFFICER, detail, data(detail, "Soạn câu trả lời mới")), DOG
    )
    step = await reply(
        fake, OFFICER, fake.press(OFFICER, step, data(step, "Dùng nguyên câu này")), "Bước 2/6"
    )
    step = await reply(
        fake,
        OFFICER,
        say(OFFICER, "nuôi chó chung cư\nnuoi cho chung cu\nchó nuôi có phải khai báo không"),
        "Đã có 4",
    )
    await reply(fake, OFFICER, fake.press(OFFICER, step, data(step, "Xong")), "Bước 3/6")
    step = await reply(
        fake,
        OFFICER,
        say(OFFICER, "Có, phải khai báo.\nCăn cứ: Nghị định 90/2026/NĐ-CP, Điều 3."),
        "Bước 5/6",  # the basis came with the answer
    )
    step = await reply(fake, OFFICER, fake.press(OFFICER, step, "a|w:t:T17"), "Bước 6/6")
    step = await reply(fake, OFFICER, fake.press(OFFICER, step, data(step, "Mọi người")), "Lưu")
    done = await reply(
        fake, OFFICER, fake.press(OFFICER, step, data(step, "Lưu")), "Đã trả lời 1 lượt hỏi"
    )
    assert "t17-nuoi-cho-trong-chung-cu-co-can" in done["text"]
    text = await delivered(fake, STUDENT, "Cán bộ pháp chế đã trả lời")
    assert "Có, phải khai báo." in text and DOG in text


async def test_search_edit_retire_and_statistics_in_chat(
    fake: FakeTelegram, kb: KnowledgeBase
) -> None:
    say = fake.send
    found = await reply(fake, OFFICER, say(OFFICER, "/timcauhoi mũ bảo hiểm"), "Kết quả")
    assert "t02-mu-bao-hiem [đang dùng]" in found["text"]
    menu = await reply(
        fake, OFFICER, fake.press(OFFICER, found, data(found, "t02-mu-bao-hiem")), "Chọn phần"
    )
    step = await reply(
        fake, OFFICER, fake.press(OFFICER, menu, data(menu, "Đối tượng")), "dành cho ai"
    )
    menu = await reply(
        fake, OFFICER, fake.press(OFFICER, step, data(step, "Mọi người")), "Chọn phần"
    )
    preview = await reply(fake, OFFICER, fake.press(OFFICER, menu, data(menu, "Xem trước")), "Lưu")
    await reply(
        fake, OFFICER, fake.press(OFFICER, preview, data(preview, "Lưu")), "Đã lưu thay đổi"
    )
    entry = kb.entry("t02-mu-bao-hiem")
    assert entry is not None and entry.audience == "everyone"

    disabled = await reply(fake, OFFICER, say(OFFICER, "/tatcauhoi t02-mu-bao-hiem"), "tạm ẩn")
    assert disabled["text"] == cm.ENTRY_DISABLED.format(id="t02-mu-bao-hiem")
    helmet = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"
    answer = await reply(fake, STUDENT, say(STUDENT, helmet), "")
    assert "400.000" not in answer["text"]
    await reply(fake, OFFICER, say(OFFICER, "/batcauhoi t02-mu-bao-hiem"), "hiện lại")
    answer = await reply(fake, STUDENT, say(STUDENT, helmet), "400.000")

    unknown = await reply(fake, OFFICER, say(OFFICER, "/suacauhoi khong-co"), "Không có câu")
    assert unknown["text"] == cm.ENTRY_UNKNOWN.format(id="khong-co")
    usage = await reply(fake, OFFICER, say(OFFICER, "/tatcauhoi"), "kèm mã")
    assert "/tatcauhoi" in usage["text"]

    stats = await reply(fake, OFFICER, say(OFFICER, "/thongke"), "Thống kê")
    assert "Hôm nay: 2 câu hỏi, trả lời được 50%" in stats["text"]
    assert fake.failed() == []


async def test_cancel_and_stale_buttons(fake: FakeTelegram, kb: KnowledgeBase) -> None:
    say = fake.send
    await reply(fake, OFFICER, say(OFFICER, "/themcauhoi"), "bước 1/6")
    cancelled = await reply(fake, OFFICER, say(OFFICER, "/huybo"), cm.CANCELLED)
    assert cancelled["text"] == cm.CANCELLED
    # After cancelling, text is a question to the bot again.
    await reply(fake, OFFICER, say(OFFICER, DOG), "chưa có câu trả lời")
    stale = {"chat": OFFICER.private_chat(), "message_id": 1, "date": 0, "text": "x"}
    await fake.press(OFFICER, stale, "a|k:0123456789abcdef0123456789abcdef")
    toasts = await fake.wait_answered(1)
    assert toasts[-1].params.get("text") == cm.BUTTON_STALE
