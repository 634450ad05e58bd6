"""Subscriptions end to end: python-telegram-bot's real HTTP stack against a rate-limiting
fake Bot API server, with the delivery engine running inside the bot as in ``legalbot run``."""

from __future__ import annotations

import re

import pytest
from telegram import Bot

from bot.telegram.sender import TelegramSender
from knowledge.core import KnowledgeBase
from knowledge.delivery import errors
from knowledge.users import Role, Roles
from tests.bot.fake_telegram import TOKEN, FakeUser, group_chat, running_bot
from tests.bot.fake_telegram_limits import FakeTelegramLimits

TEACHER = FakeUser(4201, "Cô Lan")
STUDENTS = [FakeUser(5300 + i, f"HS{i}") for i in range(3)]


@pytest.fixture(autouse=True)
def delivery_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIET_HOURS", "")
    monkeypatch.setenv("DELIVERY_POLL_SECONDS", "0.05")
    # python-telegram-bot warns when a RetryAfter is built unless told to use timedelta.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def last_text(fake: FakeTelegramLimits, user: FakeUser, count: int) -> str:
    await fake.wait_sent(user.id, count, timeout=10)
    return fake.texts(user.id)[-1]


async def test_teacher_class_join_link_send_and_report(kb: KnowledgeBase) -> None:
    await Roles(kb.sessions).grant("telegram", str(TEACHER.id), Role.TEACHER, "test")
    async with FakeTelegramLimits(scale=100) as fake, running_bot(kb, fake):
        await fake.send(TEACHER, "/lopmoi 10A1")
        created = await last_text(fake, TEACHER, 1)
        code = re.search(r"Mã tham gia: ([A-Z0-9]+)", created)
        assert code is not None and f"?start={code.group(1)}" in created
        await fake.wait_for(lambda: len(fake.photos) == 1)
        assert fake.photos[0]["bytes"] > 500

        for i, student in enumerate(STUDENTS):
            if i == 2:
                await fake.send(student, f"/dangky {code.group(1).lower()}")
                assert "đã đăng ký" in await last_text(fake, student, 1)
            else:
                # The deep link https://t.me/<bot>?start=<code> arrives as /start <code>.
                await fake.send(student, f"/start {code.group(1)}")
                assert "lớp 10A1" in await last_text(fake, student, 2)
        fake.blocked.add(STUDENTS[1].id)

        await fake.send(TEACHER, "/gui 10A1 Nhớ đội mũ <bảo hiểm> & đi đúng làn!")
        assert "3 người nhận" in await last_text(fake, TEACHER, 2)
        assert await last_text(fake, STUDENTS[0], 3) == "Nhớ đội mũ <bảo hiểm> & đi đúng làn!"
        report = await last_text(fake, TEACHER, 3)
        assert "Đã nhận: 2/3" in report and "chặn bot" in report and "Telegram" in report

        await fake.send(TEACHER, "/lopcuatoi")
        assert "10A1: mã" in await last_text(fake, TEACHER, 4)
        assert "2 người nhận" in fake.texts(TEACHER.id)[-1]


async def test_weekly_schedule_and_refusals_in_chat(kb: KnowledgeBase) -> None:
    await Roles(kb.sessions).grant("telegram", str(TEACHER.id), Role.TEACHER, "test")
    student = STUDENTS[0]
    async with FakeTelegramLimits(scale=100) as fake, running_bot(kb, fake):
        await fake.send(TEACHER, "/lopmoi 10A1")
        await fake.wait_sent(TEACHER.id, 1)
        await fake.send(
            TEACHER, "/lich 10A1 thứ 2 07:00 | Tuần này: không đi xe máy khi chưa đủ tuổi."
        )
        assert "Đã đặt lịch #1" in await last_text(fake, TEACHER, 2)
        await fake.send(TEACHER, "/lich 10A1 thứ 2 23:00 | Khuya quá")
        assert "giờ yên lặng" not in await last_text(fake, TEACHER, 3)  # quiet hours are off
        await fake.send(TEACHER, "/lich 10A1 mỗi khi trời mưa")
        assert "chưa hiểu lịch" in await last_text(fake, TEACHER, 4)
        await fake.send(TEACHER, "/tamdung 1")
        assert "Đã tạm dừng lịch #1" in await last_text(fake, TEACHER, 5)
        await fake.send(TEACHER, "/lich")
        listing = await last_text(fake, TEACHER, 6)
        assert "#1 lớp 10A1" in listing and "đang tạm dừng" in listing

        await fake.send(student, "/lopmoi 10A9")
        assert "chỉ dành cho giáo viên" in await last_text(fake, student, 1)
        await fake.send(student, "/gui 10A1 spam")
        assert "chỉ dành cho giáo viên" in await last_text(fake, student, 2)
        await fake.send(student, "/start ZZZZ9999")
        assert "không được nhận ra" in await last_text(fake, student, 4)
        await fake.send(student, "/help")
        assert "/dangky" in await last_text(fake, student, 5)
        assert "/lopmoi" not in fake.texts(student.id)[-1]
        await fake.send(TEACHER, "/help")
        assert "/lopmoi" in await last_text(fake, TEACHER, 7)

        group = group_chat(-100777)
        await fake.send(student, "/dangky ABCDEFGH", chat=group)
        assert "không tồn tại" in await last_text(fake, FakeUser(-100777), 1)


async def test_sender_maps_telegram_errors_over_http() -> None:
    async with FakeTelegramLimits(scale=1, chat_burst=1) as fake:
        bot = Bot(TOKEN, base_url=fake.base_url)
        async with bot:
            sender = TelegramSender(bot)
            await sender.send("42", "Một")
            with pytest.raises(errors.RetryAfter) as waited:
                await sender.send("42", "Hai")
            assert waited.value.seconds == 1
            fake.blocked.add(43)
            with pytest.raises(errors.Blocked):
                await sender.send("43", "Ba")
            fake.flaky[44] = 1
            with pytest.raises(errors.Transient) as flaky:
                await sender.send("44", "Bốn")
            assert flaky.value.maybe_delivered is False
            with pytest.raises(errors.Permanent):
                await sender.send("45", "x" * 5000)
        assert fake.received == {42: 1}
        assert fake.too_many == 1
