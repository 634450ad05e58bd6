"""The Vietnamese texts of the admin tools built from curation results (queue, statistics)."""

from __future__ import annotations

from knowledge.curation import messages as cm
from knowledge.curation.period import LOCAL
from knowledge.curation.queue import AnswerOutcome, QueueGroup
from knowledge.curation.stats import Counts, Statistics, as_utc


def day(group: QueueGroup, first: bool = False) -> str:
    moment = group.first_at if first else group.last_at
    return as_utc(moment).astimezone(LOCAL).strftime("%d/%m/%Y %H:%M") if moment else ""


def _share(counts: Counts) -> str:
    share = counts.answered_share
    return cm.NO_DATA if share is None else f"{share:.0%}"


def answered_text(outcome: AnswerOutcome, entry_id: str) -> str:
    """What the officer reads after answering a queued question."""
    if outcome.phrasing_added:
        phrasing = cm.QUEUE_PHRASING_ADDED
    elif outcome.phrasing_skipped:
        phrasing = cm.QUEUE_PHRASING_SKIPPED.format(reason=outcome.phrasing_skipped)
    else:
        phrasing = ""
    parts = [cm.QUEUE_ANSWERED.format(rows=outcome.rows, id=entry_id, phrasing=phrasing)]
    delivery = outcome.notified.describe()
    if delivery:
        parts.append(delivery)
    return "\n".join(parts)


def stats_text(stats: Statistics) -> str:
    """Statistics as one Vietnamese message."""
    parts = [
        cm.STATS.format(
            now=stats.generated_at.astimezone(LOCAL).strftime("%H:%M %d/%m/%Y"),
            today=stats.today.asked,
            today_share=_share(stats.today),
            week=stats.week.asked,
            week_share=_share(stats.week),
            open_groups=stats.open_groups,
            open_rows=stats.open_rows,
            pending=stats.pending_notifications,
        )
    ]
    top = [f"{i}. {q.question} ({q.count})" for i, q in enumerate(stats.top_questions, 1)]
    parts.append(cm.STATS_TOP.format(lines="\n".join(top) or cm.STATS_NONE))
    waiting = [
        f"{i}. {o.question[:150]} ({o.count})" for i, o in enumerate(stats.top_unanswered, 1)
    ]
    parts.append(cm.STATS_UNANSWERED.format(lines="\n".join(waiting) or cm.STATS_NONE))
    down = [
        f"{i}. {d.entry_id or ''} {d.question} (👎 {d.down})"
        for i, d in enumerate(stats.downvoted, 1)
    ]
    parts.append(cm.STATS_DOWNVOTES.format(lines="\n".join(down) or cm.STATS_NONE))
    return "\n\n".join(parts)
