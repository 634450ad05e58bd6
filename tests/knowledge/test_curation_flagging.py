"""When a cited law changes, every entry and tip citing it is flagged for review, audited."""

from __future__ import annotations

from sqlalchemy import select

from knowledge.core import KnowledgeBase
from knowledge.curation.citations import CitationChecker
from knowledge.curation.flagging import cites, flag_citing, review_note
from knowledge.documents.store import DocumentStore
from knowledge.documents.structure import Article, Clause, DocumentMeta, LegalDocument
from knowledge.tips_store import Tip
from tests.knowledge.curation_support import audit_rows

DECREE = "168/2024/NĐ-CP"

DECREE_DOCUMENT = LegalDocument(
    DocumentMeta(name="Nghị định 168/2024/NĐ-CP", number=DECREE, doc_type="Nghị định"),
    (Article("7", "Xử phạt người điều khiển xe mô tô", (Clause("2", "Phạt tiền ..."),)),),
)


async def add_tips(kb: KnowledgeBase) -> None:
    async with kb.sessions.begin() as session:
        for tip_id, number in (("tip-mu-01", DECREE), ("tip-khac-01", "36/2024/QH15")):
            session.add(
                Tip(
                    id=tip_id,
                    topic="T02",
                    audience="students",
                    text="Đội mũ bảo hiểm. Căn cứ: ...",
                    sources=[{"document": "x", "number": number, "article": "7", "clause": None}],
                )
            )


def test_citations_are_matched_by_number_whatever_the_case() -> None:
    assert cites([{"number": "168/2024/nđ-cp"}], DECREE)
    assert not cites([{"number": "16/2024/NĐ-CP"}], DECREE)
    note = review_note(DECREE, "replaced", "Nghị định 999/2027/NĐ-CP")
    assert note == (
        "Văn bản 168/2024/NĐ-CP đã bị thay thế bởi Nghị định 999/2027/NĐ-CP: "
        "cần rà soát lại nội dung và căn cứ."
    )


async def test_entries_and_tips_citing_a_changed_law_are_flagged(kb: KnowledgeBase) -> None:
    await add_tips(kb)
    note = review_note(DECREE, "amended", "Nghị định 1/2027/NĐ-CP")
    flagged = await flag_citing(kb, DECREE, note, "cli:lan")
    assert [e.id for e in flagged.entries] == ["t02-mu-bao-hiem"]
    assert flagged.tips == ["tip-mu-01"]

    entry = kb.entry("t02-mu-bao-hiem")
    assert entry is not None and (entry.review, entry.review_note) == ("needs-check", note)
    (change,) = [r for r in await audit_rows(kb, "faq.update") if r.actor == "cli:lan"]
    assert change.before is not None and change.before["review"] == "ok"
    assert change.after is not None and change.after["review_note"] == note
    (tip_change,) = await audit_rows(kb, "tip.flag")
    assert tip_change.target == "tip-mu-01" and tip_change.after == {
        "review": "needs-check",
        "review_note": note,
    }
    async with kb.sessions() as session:
        tips = {t.id: t.review for t in (await session.scalars(select(Tip))).all()}
    assert tips == {"tip-mu-01": "needs-check", "tip-khac-01": "ok"}

    # Flagging again adds nothing twice.
    await flag_citing(kb, DECREE, note, "cli:lan")
    assert len(await audit_rows(kb, "tip.flag")) == 1
    entry = kb.entry("t02-mu-bao-hiem")
    assert entry is not None and entry.review_note == note


async def test_the_document_base_feeds_the_citation_check(kb: KnowledgeBase) -> None:
    await DocumentStore(kb.sessions).add([DECREE_DOCUMENT], "test")
    await DocumentStore(kb.sessions).set_status(DECREE, "replaced", "x", None, "", "test")
    checker = await CitationChecker.load(kb.sessions)
    (source,) = checker.parse("Nghị định 168/2024/NĐ-CP, Điều 9")
    errors, warnings = checker.problems(source)
    assert [e.message for e in errors] == ["168/2024/NĐ-CP has no Điều 9 in the document base"]
    assert [w.vi for w in warnings] == [
        "văn bản 168/2024/NĐ-CP đã bị thay thế; nên dẫn văn bản mới"
    ]
