"""Searching the bundled laws: answers, citations, status notes and the answer threshold."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from knowledge.documents.excerpt import MAX_EXCERPT_CHARS
from knowledge.documents.loader import bundled_documents
from knowledge.documents.search import DocumentIndex, SearchParams
from knowledge.documents.status import RANK_FACTOR, rank_factor, status_note
from knowledge.documents.structure import Article, Clause, DocumentMeta, LegalDocument
from knowledge.paths import bundled_data_dir
from knowledge.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
THRESHOLD = Settings(_env_file=None).document_threshold


def fixture_lines(name: str) -> list[str]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@pytest.fixture(scope="module")
def laws() -> DocumentIndex:
    """The bundled document base (17 laws), indexed once for the module."""
    return DocumentIndex(bundled_documents(bundled_data_dir()))


def test_bundled_base_has_every_law(laws: DocumentIndex) -> None:
    assert len(laws.documents) == 17
    assert laws.size == 2249


OUT_OF_SCOPE = fixture_lines("out_of_scope.txt")


def test_there_are_enough_out_of_scope_examples() -> None:
    assert len(OUT_OF_SCOPE) >= 30


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_chat_gets_no_article(laws: DocumentIndex, question: str) -> None:
    hits = laws.search(question, limit=1)
    assert not hits or hits[0].score < THRESHOLD, hits[0]


def test_out_of_scope_chat_without_diacritics_rarely_gets_an_article(laws: DocumentIndex) -> None:
    # Without diacritics, "liên quân" is "liên quan": a few may pass, most must not.
    leaks = [
        q
        for q in OUT_OF_SCOPE
        if (h := laws.search(strip_diacritics(q), 1)) and h[0].score >= THRESHOLD
    ]
    assert len(leaks) <= 2, leaks


def test_chat_style_legal_questions_mostly_get_an_article(laws: DocumentIndex) -> None:
    rows = [line.split("|") for line in fixture_lines("in_scope_chat.txt")]
    answered = [q for q, _, _ in rows if laws.search(q.strip(), 1)[0].score >= THRESHOLD]
    assert len(answered) >= 0.8 * len(rows)


@pytest.mark.parametrize(
    ("question", "number", "article"),
    [
        ("các hành vi bị nghiêm cấm về an ninh mạng", "24/2018/QH14", "8"),
        ("cac hanh vi bi nghiem cam ve an ninh mang", "24/2018/QH14", "8"),
        ("ai có quyền yêu cầu giải quyết ly hôn", "52/2014/QH13", "51"),
        ("kết hôn vs ng nước ngoài cần đk j", "52/2014/QH13", "126"),  # chat spelling
        ("người học có quyền được học vượt lớp không", "43/2019/QH14", "83"),
        ("cai nghiện ma túy tự nguyện tại gia đình", "73/2021/QH14", "30"),
    ],
)
def test_questions_find_their_article(
    laws: DocumentIndex, question: str, number: str, article: str
) -> None:
    best = laws.search(question, limit=1)[0]
    assert (best.number, best.article) == (number, article)
    assert best.score >= THRESHOLD


def test_missing_diacritics_find_the_same_articles(laws: DocumentIndex) -> None:
    for line in fixture_lines("in_scope_chat.txt"):
        question = line.split("|")[0].strip()
        with_marks = [(h.number, h.article) for h in laws.search(question, 5)]
        without = [(h.number, h.article) for h in laws.search(strip_diacritics(question), 5)]
        assert with_marks == without, question


def test_answer_is_the_best_clause_not_the_whole_article(laws: DocumentIndex) -> None:
    best = laws.search("người học có quyền được học vượt lớp không", limit=1)[0]

    assert best.clause == "3"
    assert best.text.startswith("Được học vượt lớp")
    assert best.article_title == "Quyền của người học"


def test_long_articles_are_cut(laws: DocumentIndex) -> None:
    for hit in laws.search("trách nhiệm của Ủy ban nhân dân cấp tỉnh về bảo vệ môi trường", 5):
        assert len(hit.text) <= 2 * MAX_EXCERPT_CHARS + 10


def test_title_only_match_shows_the_start_of_the_article(laws: DocumentIndex) -> None:
    best = laws.search("các hành vi bị nghiêm cấm về an ninh mạng", limit=1)[0]

    assert best.clause is None
    assert best.text.startswith("1. Sử dụng không gian mạng")


def test_scores_are_bounded_and_best_first(laws: DocumentIndex) -> None:
    hits = laws.search("vợ chồng ly hôn chia tài sản chung như thế nào", limit=10)

    assert len(hits) == 10
    scores = [h.score for h in hits]
    assert all(0.0 <= s <= 100.0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_article_cited_by_number_and_law(laws: DocumentIndex) -> None:
    best = laws.search("Điều 6 Luật Tiếp cận thông tin quy định gì?", limit=1)[0]

    assert (best.number, best.article) == ("104/2016/QH13", "6")
    assert best.score == 100.0


def test_named_law_is_preferred(laws: DocumentIndex) -> None:
    best = laws.search("theo Bộ luật dân sự, nơi cư trú của người chưa thành niên", limit=1)[0]
    assert best.number == "91/2015/QH13"
    best = laws.search("theo Luật Cư trú, nơi cư trú của người chưa thành niên", limit=1)[0]
    assert best.number == "68/2020/QH14"


def test_replaced_law_says_so_and_names_its_successor(laws: DocumentIndex) -> None:
    best = laws.search("cai nghiện ma túy tự nguyện tại gia đình", limit=1)[0]

    assert best.status == "replaced"
    assert best.status_note == (
        "Lưu ý: Luật Phòng, chống ma túy số 73/2021/QH14 đã được thay thế bởi "
        "Luật Phòng, chống ma túy 120/2025/QH15 từ ngày 01/07/2026; "
        "nội dung trên có thể không còn áp dụng."
    )


def test_amended_and_in_force_notes(laws: DocumentIndex) -> None:
    amended = laws.search("hồ sơ đăng ký thường trú gồm những gì", limit=1)[0]
    in_force = laws.search("ai có quyền yêu cầu giải quyết ly hôn", limit=1)[0]

    assert amended.status == "amended"
    assert "đã được sửa đổi, bổ sung bởi Luật 118/2025/QH15" in amended.status_note
    assert in_force.status == "in force" and in_force.status_note == ""


def test_status_note_before_the_change_takes_effect() -> None:
    meta = DocumentMeta(
        name="Luật Viên chức",
        number="58/2010/QH12",
        status="replaced",
        changed_by="Luật Viên chức 129/2025/QH15",
        change_effective=date(2026, 7, 1),
    )

    note = status_note(meta, today=date(2026, 6, 1))
    assert "sẽ được thay thế bởi Luật Viên chức 129/2025/QH15 từ ngày 01/07/2026" in note
    assert status_note(dataclasses.replace(meta, status="in force")) == ""
    expired = status_note(dataclasses.replace(meta, status="expired"), today=date(2027, 1, 1))
    assert "đã hết hiệu lực" in expired


def _law(number: str, status: str, text: str) -> LegalDocument:
    meta = DocumentMeta(
        name="Luật Phòng, chống ma túy",
        number=number,
        status=status,  # type: ignore[arg-type]
        changed_by="Luật Phòng, chống ma túy 120/2025/QH15" if status == "replaced" else None,
        change_effective=date(2026, 7, 1) if status == "replaced" else None,
    )
    article = Article("5", "Các hành vi bị nghiêm cấm", (Clause("1", text),))
    other = Article("6", "Phòng ngừa", (Clause("1", "Gia đình giáo dục con về tác hại."),))
    return LegalDocument(meta, (article, other))


def test_document_in_force_ranks_above_the_replaced_one() -> None:
    text = "Trồng cây có chứa chất ma túy, hướng dẫn trồng cây có chứa chất ma túy."
    old = _law("73/2021/QH14", "replaced", text)
    new = _law("120/2025/QH15", "in force", text)

    for documents in ([old, new], [new, old]):
        index = DocumentIndex(documents)
        first, second = index.search("trồng cây có chứa chất ma túy", limit=2)
        assert (first.number, first.status_note) == ("120/2025/QH15", "")
        assert second.number == "73/2021/QH14" and second.status_note


def test_a_better_match_from_a_replaced_law_still_wins() -> None:
    old = _law("73/2021/QH14", "replaced", "Trồng cây có chứa chất ma túy trái phép.")
    new = _law("120/2025/QH15", "in force", "Sản xuất, mua bán trái phép tiền chất.")

    best = DocumentIndex([old, new]).search("trồng cây có chứa chất ma túy", limit=1)[0]
    assert best.number == "73/2021/QH14"


def test_a_replaced_law_is_not_demoted_while_its_successor_is_missing() -> None:
    old = _law("73/2021/QH14", "replaced", "Trồng cây có chứa chất ma túy.")
    new = _law("120/2025/QH15", "in force", "Trồng cây có chứa chất ma túy.")

    assert rank_factor(old.meta, [old]) == 1.0
    assert rank_factor(old.meta, [old, new]) == RANK_FACTOR["replaced"]
    assert rank_factor(new.meta, [old, new]) == 1.0
    expired = dataclasses.replace(old.meta, status="expired", changed_by=None)
    assert rank_factor(expired, [old]) == RANK_FACTOR["expired"]


def test_a_list_question_answered_by_the_title_shows_the_article_whole() -> None:
    # "có" is also in clause 2's text; that must not make clause 2 the answer.
    duties = Article(
        "17",
        "Nghĩa vụ của viên chức trong hoạt động nghề nghiệp",
        (
            Clause("1", "Thực hiện công việc được giao bảo đảm thời gian và chất lượng."),
            Clause("2", "Chấp hành sự phân công của người có thẩm quyền."),
        ),
    )
    # Like every real law, most clauses have "có" somewhere.
    others = tuple(
        Article(str(18 + i), f"Quy định số {i}", (Clause("1", f"Cơ quan có trách nhiệm {i}."),))
        for i in range(12)
    )
    meta = DocumentMeta(name="Luật Viên chức", number="58/2010/QH12")
    index = DocumentIndex([LegalDocument(meta, (duties, *others))])

    hit = index.search("Viên chức có những nghĩa vụ gì trong hoạt động nghề nghiệp?", 1)[0]
    assert hit.article == "17" and hit.clause is None
    assert "1. Thực hiện" in hit.text and "2. Chấp hành" in hit.text


def test_pruned_search_agrees_with_exact_scoring(laws: DocumentIndex) -> None:
    # A tiny posting budget forces the two-pass search that large corpora use.
    pruned = DocumentIndex(laws.documents, SearchParams(budget=500, candidates=200))
    questions = [line.split("|")[0].strip() for line in fixture_lines("in_scope_chat.txt")]

    same = sum(
        [(h.number, h.article) for h in laws.search(q, 1)]
        == [(h.number, h.article) for h in pruned.search(q, 1)]
        for q in questions
    )
    assert same >= 0.9 * len(questions)


def test_empty_and_meaningless_questions(laws: DocumentIndex) -> None:
    assert laws.search("", 5) == []
    assert laws.search("???", 5) == []
    assert DocumentIndex([]).search("ma túy", 5) == []


def test_bundled_metadata_agrees_with_status_jsonl() -> None:
    """documents.yaml (what the bot reads) and status.jsonl (the source list) must agree."""
    import json

    from knowledge.documents.catalog import load_catalog

    folder = bundled_data_dir() / "documents"
    catalog = load_catalog(folder / "documents.yaml").by_number()
    with (folder / "status.jsonl").open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]

    assert {row["number"] for row in rows} == set(catalog)
    for row in rows:
        entry = catalog[row["number"]]
        assert entry.status == row["status"], row["number"]
        assert entry.label == row["label"], row["number"]
        effective = entry.change_effective.isoformat() if entry.change_effective else None
        assert effective == row["effective"], row["number"]
        if row["status"] == "replaced":
            assert entry.changed_by == row["by"], row["number"]


def test_building_in_small_chunks_gives_the_same_index(
    laws: DocumentIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from knowledge import lexical as index_module

    documents = laws.documents[:3]
    whole = DocumentIndex(documents).index
    monkeypatch.setattr(index_module, "CHUNK", 97)
    chunked = DocumentIndex(documents).index

    for name in ("terms", "offsets", "units", "idf"):
        assert np.array_equal(getattr(whole, name), getattr(chunked, name)), name
    assert np.allclose(whole.weights, chunked.weights)
