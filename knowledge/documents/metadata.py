"""Metadata read from the text of a document: type, name, number, issuer and dates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from knowledge.documents.lines import is_caps
from knowledge.documents.structure import Article

DOC_TYPES = (
    "Bộ luật",
    "Luật",
    "Hiến pháp",
    "Pháp lệnh",
    "Nghị quyết",
    "Nghị định",
    "Thông tư liên tịch",
    "Thông tư",
    "Quyết định",
    "Chỉ thị",
)
_TYPE_BY_CAPS = {t.upper(): t for t in DOC_TYPES}
_NUMBER_RE = re.compile(r"\b(\d{1,4}/\d{4}/[A-ZĐ][A-ZĐa-zđ0-9\-]*)")
_DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_SHORT_DATE_RE = re.compile(r"ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})", re.IGNORECASE)
_EFFECTIVE_RE = re.compile(
    r"có hiệu lực(?: thi hành)?(?: kể)? từ\s+ngày\s+"
    r"(?:(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})|(\d{1,2})/(\d{1,2})/(\d{4}))",
    re.IGNORECASE,
)
_ISSUERS = {
    "QUỐC HỘI": "Quốc hội",
    "ỦY BAN THƯỜNG VỤ QUỐC HỘI": "Ủy ban Thường vụ Quốc hội",
    "CHÍNH PHỦ": "Chính phủ",
    "THỦ TƯỚNG CHÍNH PHỦ": "Thủ tướng Chính phủ",
    "BỘ GIÁO DỤC VÀ ĐÀO TẠO": "Bộ Giáo dục và Đào tạo",
}
_ISSUER_BY_SUFFIX = {
    "QH": "Quốc hội",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "NĐ-CP": "Chính phủ",
    "NQ-CP": "Chính phủ",
    "QĐ-TTg": "Thủ tướng Chính phủ",
    "TT-BGDĐT": "Bộ Giáo dục và Đào tạo",
}
_IGNORED_CAPS = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM")


@dataclass(frozen=True)
class TextMetadata:
    """What the text itself says about the document; every field may be missing."""

    doc_type: str | None = None
    name: str | None = None
    number: str | None = None
    issuer: str | None = None
    issued: date | None = None
    effective: date | None = None

    @property
    def year(self) -> int | None:
        """Year of the number, else of the issue date."""
        if self.number:
            match = re.search(r"/(\d{4})/", self.number)
            if match:
                return int(match.group(1))
        return self.issued.year if self.issued else None


def _date(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _first_date(lines: Iterable[str]) -> date | None:
    for line in lines:
        match = _DATE_RE.search(line) or _SHORT_DATE_RE.search(line)
        if match:
            return _date(*match.groups())
    return None


def sentence_case(text: str) -> str:
    """``GIÁO DỤC`` → ``Giáo dục``; used for names printed in capitals."""
    lowered = text.strip().lower()
    return lowered[:1].upper() + lowered[1:]


def _type_and_name(preamble: Sequence[str]) -> tuple[str | None, str | None]:
    for i, line in enumerate(preamble):
        if not is_caps(line) or line in _IGNORED_CAPS:
            continue
        for caps, doc_type in _TYPE_BY_CAPS.items():
            if line == caps or line.startswith(caps + " "):
                rest = line[len(caps) :].strip()
                if not rest and i + 1 < len(preamble) and is_caps(preamble[i + 1]):
                    rest = preamble[i + 1]
                if doc_type == "Hiến pháp":
                    return doc_type, doc_type
                return doc_type, f"{doc_type} {sentence_case(rest)}" if rest else None
    return None, None


def _issuer(preamble: Sequence[str], number: str | None) -> str | None:
    for line in preamble[:8]:
        if line in _ISSUERS:
            return _ISSUERS[line]
    if number:
        suffix = number.rsplit("/", 1)[-1]
        for key, issuer in _ISSUER_BY_SUFFIX.items():
            if suffix == key or (suffix.startswith(key) and suffix[len(key) :].isdigit()):
                return issuer
    return None


def effective_date(articles: Sequence[Article]) -> date | None:
    """The date the document takes effect, from its article on entry into force."""
    for article in reversed(articles):
        for clause in article.clauses:
            match = _EFFECTIVE_RE.search(clause.text)
            if match:
                parts = match.groups()
                return _date(*parts[:3]) if parts[0] else _date(*parts[3:])
    return None


def read_metadata(
    preamble: Sequence[str], closing: Sequence[str], articles: Sequence[Article]
) -> TextMetadata:
    """Metadata found in the preamble, the closing formula and the final articles."""
    number = next((m.group(1) for line in preamble if (m := _NUMBER_RE.search(line))), None)
    doc_type, name = _type_and_name(preamble)
    # The closing formula gives the day of adoption; the place-and-date line gives it too.
    issued = _first_date(closing) or _first_date(preamble)
    if number is None and doc_type == "Hiến pháp" and issued is not None:
        number = f"Hiến pháp {issued.year}"
    return TextMetadata(
        doc_type=doc_type,
        name=name,
        number=number,
        issuer=_issuer(preamble, number),
        issued=issued,
        effective=effective_date(articles),
    )
