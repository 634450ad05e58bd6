"""The dialog quotes the document base when no FAQ entry answers, and only then."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge import messages as msg
from knowledge.activity import Asker
from knowledge.core import KnowledgeBase
from knowledge.db.models import QuestionLog, Unanswered
from knowledge.dialog import Conversation, Dialog, ReplyKind
from knowledge.settings import Settings

MINI = Path(__file__).parent / "fixtures" / "documents" / "mini"


@pytest.fixture
async def kb_with_laws(database_url: str, sample_data_dir: Path) -> AsyncIterator[KnowledgeBase]:
    """The sample FAQ plus a few real articles of three laws (one replaced, one amended).

    The threshold is calibrated on the bundled laws; ten articles carry less evidence per
    word, so this flow test uses a lower one.
    """
    shutil.copytree(MINI, sample_data_dir / "documents")
    settings = Settings(
        database_url=database_url,
        data_dir=sample_data_dir,
        document_threshold=40,
        _env_file=None,
    )
    base = await KnowledgeBase.open(settings)
    yield base
    await base.close()


def conversation() -> Conversation:
    return Conversation(Asker("test", "chat-1", "user-1"))


async def test_article_answers_when_the_faq_has_nothing(kb_with_laws: KnowledgeBase) -> None:
    reply = await Dialog(kb_with_laws).ask(
        conversation(), "cai nghiện ma túy tự nguyện tại gia đình là như thế nào"
    )

    assert reply.kind is ReplyKind.ARTICLE
    assert reply.status == "answered"
    assert reply.article is not None and reply.article.article == "30"
    assert reply.sources == [
        {
            "document": "Luật Phòng, chống ma túy",
            "number": "73/2021/QH14",
            "article": "30",
            "clause": reply.article.clause,
        }
    ]
    assert "Luật Phòng, chống ma túy số 73/2021/QH14" in reply.text
    assert "đã được thay thế bởi Luật Phòng, chống ma túy 120/2025/QH15" in reply.text
    assert msg.ARTICLE_NOTE in reply.text
    await kb_with_laws.activity.flush()
    async with kb_with_laws.sessions() as session:
        logged = (await session.scalars(select(QuestionLog.kind))).all()
    assert logged == ["article"]


async def test_faq_answer_comes_first(kb_with_laws: KnowledgeBase) -> None:
    reply = await Dialog(kb_with_laws).ask(conversation(), "ko đội mũ bảo hiểm bị phạt bn tiền")
    assert reply.kind is ReplyKind.ANSWER


async def test_below_the_threshold_goes_to_the_unanswered_log(kb_with_laws: KnowledgeBase) -> None:
    reply = await Dialog(kb_with_laws).ask(conversation(), "trận bóng đá tối qua ai thắng")

    assert reply.kind is ReplyKind.UNANSWERED
    await kb_with_laws.activity.flush()
    async with kb_with_laws.sessions() as session:
        questions = (await session.scalars(select(Unanswered.question))).all()
    assert questions == ["trận bóng đá tối qua ai thắng"]


async def test_a_clause_that_fits_beats_an_unsure_faq_match(kb_with_laws: KnowledgeBase) -> None:
    # The FAQ only half-matches ("học", "trong"): suggestions alone would hide the article.
    question = "người học có quyền được tôn trọng, bình đẳng về cơ hội học tập trong giờ học không"
    assert kb_with_laws.match(question).status == "suggest"

    reply = await Dialog(kb_with_laws).ask(conversation(), question)

    assert reply.kind is ReplyKind.ARTICLE and reply.status == "answered"
    assert reply.article is not None and reply.article.article == "83"
    # The FAQ entries stay on offer under the article, and a number picks one.
    assert [s.id for s in reply.suggestions] == ["t15-dien-thoai-trong-lop"]
    assert msg.ARTICLE_RELATED in reply.text
    assert [o.payload for o in reply.options] == ["e:t15-dien-thoai-trong-lop"]


async def test_a_clause_is_not_quoted_for_another_country(kb_with_laws: KnowledgeBase) -> None:
    question = "ở Nhật cai nghiện ma túy tự nguyện tại gia đình là như thế nào"
    assert kb_with_laws.documents is not None
    assert kb_with_laws.documents.search(question, 1)[0].article == "30"

    reply = await Dialog(kb_with_laws).ask(conversation(), question)

    assert reply.kind is not ReplyKind.ARTICLE and reply.status != "answered"


STORY = (
    "Anh họ em đang nghiện ma túy, cả nhà muốn giúp anh ấy cai nghiện tự nguyện tại gia "
    "đình chứ không muốn đưa đi trại, vậy cai nghiện tại gia đình là như thế nào ạ"
)


async def _open(database_url: str, data_dir: Path, **limits: float) -> KnowledgeBase:
    settings = Settings(database_url=database_url, data_dir=data_dir, _env_file=None, **limits)
    return await KnowledgeBase.open(settings)


async def test_entries_offered_only_to_a_long_story_do_not_raise_the_bar_for_the_law(
    database_url: str, sample_data_dir: Path
) -> None:
    shutil.copytree(MINI, sample_data_dir / "documents")
    probe = await _open(database_url, sample_data_dir)
    try:
        faq = probe.match(STORY).best
        assert probe.documents is not None
        clause = probe.documents.search(STORY, 1)[0].score
    finally:
        await probe.close()
    assert faq is not None
    # The clause passes the bar for "the FAQ has nothing" but not the one over suggestions.
    law = {"document_threshold": clause - 1, "document_over_suggestions_threshold": clause + 1}

    # Offered only because the story is long (its score is under the suggest threshold).
    weak = await _open(
        database_url,
        sample_data_dir,
        answer_threshold=99,
        suggest_threshold=faq.score / 0.9,
        **law,
    )
    try:
        assert weak.match(STORY).status == "suggest"
        reply = await Dialog(weak).ask(conversation(), STORY)
        assert reply.kind is ReplyKind.ARTICLE and reply.suggestions == []
    finally:
        await weak.close()

    # A suggestion over the threshold keeps the higher bar: the entries are offered instead.
    strong = await _open(
        database_url, sample_data_dir, answer_threshold=99, suggest_threshold=faq.score - 1, **law
    )
    try:
        reply = await Dialog(strong).ask(conversation(), STORY)
        assert reply.kind is ReplyKind.SUGGEST
    finally:
        await strong.close()
