"""What users are told when a quoted document was amended, replaced or has expired."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from knowledge.documents.structure import DocumentMeta, LegalDocument

# How much a document's match counts when ranking: a text in force ranks above a replaced
# one that matches as well, while a much better match from a replaced law still wins.
RANK_FACTOR = {"in force": 1.0, "amended": 0.97, "replaced": 0.9, "expired": 0.85}


def rank_factor(meta: DocumentMeta, documents: Sequence[LegalDocument]) -> float:
    """The ranking factor of a document among ``documents``.

    An amended or replaced text only gives way to the text that changed it: while that text
    is not in the base, demoting the old one would only let unrelated laws outrank it (the
    prohibited acts on cyberspace of Luật An ninh mạng 2018 lost to a clause on films
    shown online). Its status note still tells the user it has changed.
    """
    if meta.status in ("amended", "replaced"):
        by = meta.changed_by or ""
        if not any(d.meta.number in by for d in documents if d.meta.number != meta.number):
            return 1.0
    return RANK_FACTOR[meta.status]


def document_title(meta: DocumentMeta) -> str:
    """``Luật Giáo dục số 43/2019/QH14``, or ``Hiến pháp 2013`` when the number is a name."""
    if meta.number.startswith(meta.name):
        return meta.number
    return f"{meta.name} số {meta.number}"


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def status_note(meta: DocumentMeta, today: date | None = None) -> str:
    """One Vietnamese sentence on the document's status; empty for a document in force."""
    if meta.status == "in force":
        return ""
    today = today or date.today()
    title = document_title(meta)
    by = f" bởi {meta.changed_by}" if meta.changed_by else ""
    when = meta.change_effective
    pending = when is not None and when > today
    since = f" từ ngày {_day(when)}" if when else ""
    unsure = (
        " (thông tin này chưa được kiểm chứng đầy đủ)" if "unverified" in meta.status_label else ""
    )

    if meta.status == "replaced":
        if pending:
            return (
                f"Lưu ý: {title} sẽ được thay thế{by}{since}{unsure}; "
                "nội dung trên chỉ áp dụng đến trước ngày đó."
            )
        return (
            f"Lưu ý: {title} đã được thay thế{by}{since}{unsure}; "
            "nội dung trên có thể không còn áp dụng."
        )
    if meta.status == "amended":
        verb = "sẽ được sửa đổi, bổ sung" if pending else "đã được sửa đổi, bổ sung"
        return (
            f"Lưu ý: {title} {verb}{by}{since}{unsure}; "
            "nội dung trên có thể đã thay đổi, hãy đối chiếu văn bản mới."
        )
    return f"Lưu ý: {title} đã hết hiệu lực{since}{unsure}; nội dung trên không còn áp dụng."
