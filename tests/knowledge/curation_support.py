"""Helpers shared by the curation tests: a recording notifier and a few seeded rows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from knowledge.core import KnowledgeBase
from knowledge.db.models import AuditLog

# Tone marks that Windows-1258 keeps as combining characters after the base letter.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


@dataclass
class RecordingNotifier:
    """A Notifier that keeps what it was asked to send; ``fail`` makes it raise."""

    sent: list[tuple[str, str, str, str]] = field(default_factory=list)
    fail: bool = False

    async def notify(self, channel: str, chat_id: str, text: str, origin: str) -> None:
        if self.fail:
            raise RuntimeError("channel down")
        self.sent.append((channel, chat_id, text, origin))


def windows_1258(text: str) -> bytes:
    """``text`` as Vietnamese Windows (and old Excel) saves it: tone marks decomposed."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append((base + "".join(c for c in parts if c in _TONES)).encode("cp1258"))
    return b"".join(out)


async def audit_rows(kb: KnowledgeBase, action: str | None = None) -> list[AuditLog]:
    """Audit rows, oldest first (of one action when given)."""
    query = select(AuditLog).order_by(AuditLog.id)
    if action is not None:
        query = query.where(AuditLog.action == action)
    async with kb.sessions() as session:
        return list((await session.scalars(query)).all())


def naive_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without zone; compare in naive UTC."""
    return moment.replace(tzinfo=None)
