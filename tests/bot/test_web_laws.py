"""The law library behind the law pages and citation links, and the tips of the week."""

from __future__ import annotations

from datetime import date

import pytest

from bot.web.laws import LawLibrary, LawPage, clause_points, point_anchor, slugify
from bot.web.tips import TipLibrary
from knowledge.content_schema import Source, TipData
from knowledge.documents.structure import Article, Clause, DocumentMeta, LegalDocument


def document(number: str, status: str = "in force", **meta: object) -> LegalDocument:
    clauses = (Clause(None, "Lời dẫn."), Clause("1", "Khoản một:\na) điểm a;\nđ) điểm đ."))
    return LegalDocument(
        DocumentMeta(name="Luật Thử", number=number, status=status, **meta),  # type: ignore[arg-type]
        (Article("1", "Phạm vi", clauses), Article("2a", "Bổ sung", (Clause("1", "Một."),))),
    )


@pytest.mark.parametrize(
    ("number", "slug"),
    [
        ("43/2019/QH14", "43-2019-qh14"),
        ("168/2024/NĐ-CP", "168-2024-nd-cp"),
        ("Hiến pháp 2013", "hien-phap-2013"),
        ("///", "van-ban"),
    ],
)
def test_slugs_are_ascii_path_segments(number: str, slug: str) -> None:
    assert slugify(number) == slug


def test_points_d_and_dd_get_different_anchors() -> None:
    assert point_anchor("1", "d") == "khoan-1-diem-d"
    assert point_anchor("1", "đ") == "khoan-1-diem-dd"


def test_citations_link_only_to_what_exists() -> None:
    library = LawLibrary([document("01/2020/QH14")])
    assert library.link({"number": "01/2020/QH14"}) == "/van-ban/01-2020-qh14"
    assert library.link({"number": "01/2020/QH14", "article": "2a", "clause": "1"}) == (
        "/van-ban/01-2020-qh14/dieu-2a#khoan-1"
    )
    assert library.link({"number": "01/2020/QH14", "article": "99"}) is None
    assert library.link({"number": "02/2020/QH14", "article": "1"}) is None


def test_documents_whose_numbers_fold_alike_get_distinct_slugs() -> None:
    library = LawLibrary([document("01/2020/QH14"), document("01-2020-QH14")])
    assert sorted(p.slug for p in library.pages) == ["01-2020-qh14", "01-2020-qh14-1"]


def test_an_article_knows_its_neighbours() -> None:
    page = LawPage("x", document("01/2020/QH14"))
    found = page.article("2a")
    assert found is not None and found[1] is not None and found[2] is None
    assert page.article("3") is None


def test_a_clause_is_split_into_lead_and_anchored_points() -> None:
    rows = clause_points(Clause("1", "Khoản một:\na) điểm a;\nđ) điểm đ.\nĐoạn tiếp."))
    assert rows == [
        ("Khoản một:", "lead", None),
        ("a) điểm a;", "point", "khoan-1-diem-a"),
        ("đ) điểm đ.", "point", "khoan-1-diem-dd"),
        ("Đoạn tiếp.", "para", None),
    ]


def test_a_pending_replacement_is_labelled_as_still_in_force() -> None:
    later = date(2030, 1, 1)
    page = LawPage("x", document("01/2020/QH14", "replaced", change_effective=later))
    assert page.status_label(date(2029, 1, 1)) == "Còn hiệu lực, sắp được thay thế"
    assert page.status_label(date(2031, 1, 1)) == "Đã được thay thế"


def tip(number: int, occasion: str | None = None) -> TipData:
    return TipData(
        id=f"tip-{number:03d}",
        topic="T01",
        audience="everyone",
        text=f"Mẹo số {number}.\n\nCăn cứ: Luật Thử.",
        sources=[Source(document="Luật Thử", number="01/2020/QH14")],
        occasion=occasion,
    )


def test_tips_of_the_week_prefer_the_season_and_rotate_weekly() -> None:
    library = TipLibrary([tip(n) for n in range(10)] + [tip(50, "exams")])
    in_may = library.of_week(date(2026, 5, 4))
    assert in_may[0].id == "tip-050" and len(in_may) == 3
    monday, sunday, next_week = date(2026, 2, 2), date(2026, 2, 8), date(2026, 2, 9)
    assert library.of_week(monday) == library.of_week(sunday)
    assert library.of_week(monday) != library.of_week(next_week)
    assert all(t.occasion is None for t in library.of_week(monday))


def test_no_tips_no_picks() -> None:
    assert TipLibrary([]).of_week(date(2026, 1, 1)) == []
