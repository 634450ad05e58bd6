"""Delivery reports: counts of one broadcast by state and channel, as data and as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from knowledge.delivery.models import State
from knowledge.schedules import format_local

CHANNEL_LABELS = {"telegram": "Telegram", "zalo": "Zalo"}


@dataclass
class Report:
    """What became of one broadcast's copies."""

    id: int
    target: str
    target_label: str
    origin: str
    status: str
    created_at: datetime
    completed_at: datetime | None
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)
    # Copies that were in flight during a crash or timeout and were sent again.
    resent: int = 0

    def count(self, state: State) -> int:
        """Copies in ``state``."""
        return self.counts.get(state, 0)

    @property
    def pending(self) -> int:
        """Copies not yet final (waiting or in flight)."""
        return self.count(State.PENDING) + self.count(State.SENDING)

    def as_json(self) -> dict[str, Any]:
        """The shape of ``legalbot-admin broadcast report --json``."""
        return {
            "id": self.id,
            "total": self.total,
            "sent": self.count(State.SENT),
            "failed": self.count(State.FAILED),
            "blocked": self.count(State.BLOCKED),
            "pending": self.pending,
            "uncertain": self.count(State.UNCERTAIN),
            "resent_after_crash_or_timeout": self.resent,
            "status": self.status,
            "target": self.target,
            "target_label": self.target_label,
            "origin": self.origin,
            "channels": self.by_channel,
            "created_at": self.created_at.isoformat(),
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
        }

    def as_text(self) -> str:
        """A short Vietnamese report for the sender."""
        lines = [
            f"Báo cáo tin #{self.id} gửi {self.target_label} ({format_local(self.created_at)}):",
            f"- Đã nhận: {self.count(State.SENT)}/{self.total}",
        ]
        if self.count(State.BLOCKED):
            lines.append(f"- Đã chặn bot hoặc rời nhóm: {self.count(State.BLOCKED)}")
        if self.count(State.FAILED):
            lines.append(f"- Gửi lỗi: {self.count(State.FAILED)}")
        if self.count(State.UNCERTAIN):
            lines.append(f"- Không rõ đã nhận hay chưa: {self.count(State.UNCERTAIN)}")
        if self.pending:
            lines.append(f"- Đang chờ gửi: {self.pending}")
        if len(self.by_channel) > 1 or any(c not in CHANNEL_LABELS for c in self.by_channel):
            for channel, states in sorted(self.by_channel.items()):
                name = CHANNEL_LABELS.get(channel, channel)
                sent = states.get(State.SENT, 0)
                lines.append(f"- Qua {name}: {sent}/{sum(states.values())} đã nhận")
        elif self.by_channel:
            lines.append(f"- Kênh: {CHANNEL_LABELS[next(iter(self.by_channel))]}")
        return "\n".join(lines)
