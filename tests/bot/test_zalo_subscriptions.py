"""Subscriptions on Zalo end to end: joining by code, a teacher's class and broadcast, the
delivery engine sending at Zalo's pace through 429s, and a report that names the channel."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.zalo import messages as zmsg
from bot.zalo.client import ZaloClient
from bot.zalo.sender import ZaloSender
from bot.zalo.subscriptions import looks_like_code
from knowledge import messages as msg
from knowledge import subscription_messages as smsg
from knowledge.audiences import AudienceKind, AudienceStore
from knowledge.core import KnowledgeBase
from knowledge.delivery import errors
from knowledge.users import Role, Roles
from tests.bot.fake_zalo import TOKEN, FakeUser, FakeZalo, free_port, running_bot, user

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

TEACHER = user(4301, "Cô Lan")
STUDENTS = [user(5300 + i, f"HS{i}") for i in range(3)]


@pytest.fixture(autouse=True)
def delivery_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIET_HOURS", "")
    monkeypatch.setenv("DELIVERY_POLL_SECONDS", "0.05")


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as server:
        yield server


async def said(fake: FakeZalo, sender: FakeUser, text: str) -> str:
    """Send a message and return the bot's last message after it."""
    before = len(fake.sent(sender.id))
    await fake.send(sender, text)
    return (await fake.wait_sent(sender.id, before + 1, timeout=10))[-1]


@pytest.mark.parametrize(
    ("text", "shaped"),
    [("AB3CD4EF", True), ("ab3cd4ef", True), (" AB3CD4EF ", True), ("AB3CD4E0", False)],
)
def test_what_looks_like_a_code(text: str, shaped: bool) -> None:
    assert looks_like_code(text) is shaped
    assert not looks_like_code("phapluat")  # an L: no code has one


@SQLITE_ONLY
async def test_joining_by_code_in_every_way(kb: KnowledgeBase, fake: FakeZalo) -> None:
    audience = await AudienceStore(kb.sessions).create(AudienceKind.CLASS, "10A1", "test")
    code = audience.code
    async with running_bot(kb, fake):
        first, second, third = STUDENTS
        # The code alone, as first message: the notice, then the confirmation.
        await fake.send(first, code.lower())
        notice, joined = await fake.wait_sent(first.id, 2)
        assert msg.DISCLAIMER in notice
        assert joined == smsg.JOINED.format(label=audience.label)

        await fake.send(second, f"/start {code}")
        welcome, joined = await fake.wait_sent(second.id, 2)
        assert msg.DISCLAIMER in welcome and joined.startswith("Bạn đã đăng ký")

        await said(fake, third, "/start")
        assert (await said(fake, third, f"/dangky {code}")).startswith("Bạn đã đăng ký")
        assert await said(fake, third, code) == smsg.JOINED_AGAIN.format(label=audience.label)
        listed = await said(fake, third, "/dangky")
        assert f"1. {audience.label} (mã {code})" in listed
        assert await said(fake, third, "/huy 1") == smsg.LEFT.format(label=audience.label)

        unknown = "ZZZZ2345"
        await fake.send(first, f"/start {unknown}")
        texts = await fake.wait_sent(first.id, 4)
        assert texts[-1] == smsg.UNKNOWN_CODE.format(code=unknown)
        # A code-shaped word that is no code is a question like any other.
        officer = kb.settings.legal_officer_contact
        assert await said(fake, first, unknown) == msg.UNANSWERED.format(officer=officer)


@SQLITE_ONLY
async def test_a_teacher_on_zalo_creates_sends_and_reads_the_report(
    kb: KnowledgeBase, fake: FakeZalo
) -> None:
    await Roles(kb.sessions).grant("zalo", TEACHER.id, Role.TEACHER, "test")
    async with running_bot(kb, fake):
        await said(fake, TEACHER, "/start")
        help_text = await said(fake, TEACHER, "/help")
        assert zmsg.HELP_TEACHER in help_text

        created = await said(fake, TEACHER, "/lopmoi 10A2")
        found = re.search(r"Mã tham gia: ([A-Z0-9]{8})", created)
        assert found is not None
        code = found.group(1)
        assert await said(fake, TEACHER, "/malop 10A2") == zmsg.CLASS_CODE.format(
            name="10A2", code=code
        )
        for student in STUDENTS:
            await fake.send(student, code)
            await fake.wait_sent(student.id, 2)
        fake.blocked.add(STUDENTS[2].id)
        # Zalo's quota runs out during the broadcast: the engine pauses and carries on.
        fake.fail("sendMessage", 429, "Quota exceeded", chat_id=STUDENTS[0].id)

        queued = await said(fake, TEACHER, "/gui 10A2 Nhớ đội mũ bảo hiểm khi đi xe đạp điện!")
        assert "3 người nhận" in queued
        for student in STUDENTS[:2]:
            texts = await fake.wait_sent(student.id, 3, timeout=15)
            assert texts[-1] == "Nhớ đội mũ bảo hiểm khi đi xe đạp điện!"
        await fake.wait_for(lambda: "Báo cáo tin" in fake.texts(TEACHER.id)[-1], timeout=15)
        report = fake.texts(TEACHER.id)[-1]
        assert "Đã nhận: 2/3" in report and "chặn bot" in report
        assert "Kênh: Zalo" in report

        # The student who blocked the bot is no longer counted.
        assert "2 người nhận" in await said(fake, TEACHER, "/lopcuatoi")
        report_again = await said(fake, TEACHER, "/baocao")
        assert "Kênh: Zalo" in report_again
    assert any(c.failed and c.result.code == 429 for c in fake.calls)


@SQLITE_ONLY
async def test_students_may_not_use_teacher_commands(kb: KnowledgeBase, fake: FakeZalo) -> None:
    async with running_bot(kb, fake):
        student = STUDENTS[0]
        await said(fake, student, "/start")
        for command in ("/lopmoi 10A3", "/gui 10A1 xin chào", "/lich", "/baocao", "/xoalich 1"):
            assert await said(fake, student, command) == smsg.TEACHERS_ONLY
        assert (await said(fake, student, "/huy 7")).startswith("Không có đăng ký")


async def test_the_sender_maps_zalo_errors_to_the_engine(fake: FakeZalo) -> None:
    chat = STUDENTS[0].id
    async with ZaloClient(TOKEN, fake.base_url) as client:
        sender = ZaloSender(client, backoff=0.5, max_backoff=1.0)
        await sender.send(chat, "a" * 4500)
        assert [len(t) for t in fake.texts(chat)] == [2000, 2000, 500]

        fake.fail("sendMessage", 429, "Quota exceeded", times=3)
        pauses = []
        for _ in range(3):
            with pytest.raises(errors.RetryAfter) as caught:
                await sender.send(chat, "một")
            pauses.append(caught.value.seconds)
        assert pauses == [0.5, 1.0, 1.0]

        fake.blocked.add(chat)
        with pytest.raises(errors.Blocked):
            await sender.send(chat, "một")
        fake.fail("sendMessage", 400, "Invalid text", http_status=200)
        with pytest.raises(errors.Permanent):
            await sender.send("khac", "một")
        fake.fail("sendMessage", 502, "Bad gateway")
        with pytest.raises(errors.Transient) as transient:
            await sender.send("khac", "một")
        assert not transient.value.maybe_delivered
        with pytest.raises(errors.Permanent):
            await sender.send("khac", " \n ")

    async with ZaloClient(TOKEN, f"http://127.0.0.1:{free_port()}") as closed:
        with pytest.raises(errors.Transient) as unreachable:
            await ZaloSender(closed).send(chat, "một")
        assert not unreachable.value.maybe_delivered

    def half_sent(request: httpx.Request) -> httpx.Response:
        if b"b" * 10 in request.content:
            raise httpx.ReadTimeout("no answer", request=request)
        return httpx.Response(200, json={"ok": True, "result": {"message_id": "x"}})

    transport = httpx.MockTransport(half_sent)
    async with ZaloClient(TOKEN, "http://127.0.0.1:9", transport=transport) as flaky:
        with pytest.raises(errors.Transient) as partly:
            await ZaloSender(flaky).send(chat, "a" * 2000 + " " + "b" * 100)
        assert partly.value.maybe_delivered
