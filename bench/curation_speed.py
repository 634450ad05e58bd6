"""Curation benchmark: import validation, review-queue grouping and the yearly report, at sizes
a province reaches in a year.

Usage (from the repository root, in the project's virtualenv):

    python bench/curation_speed.py                 # default sizes: 2-4 minutes, mostly seeding
    python bench/curation_speed.py --rows 5000 --open 5000 --questions 200000

1. Import: the bundled 240 entries written as CSV and as XLSX, repeated with new ids up to
   ``--rows`` rows (the import limit is 5,000), then read and validated in full.
2. Queue: ``--open`` unanswered rows made of the bundled phrasings with typos and without
   diacritics (so most group with others), grouped with rapidfuzz.
3. Report: ``--questions`` question-log rows, 20 units with 30 classes each and 40 members per
   class, and one tip a week delivered to every member, counted for one report year (SQLite).

Everything runs on this machine, against a temporary SQLite file; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from knowledge.audiences import Audience, AudienceMember  # noqa: E402
from knowledge.content import load_faq, load_topics  # noqa: E402
from knowledge.core import KnowledgeBase  # noqa: E402
from knowledge.curation.citations import CitationChecker, bundled_known_documents  # noqa: E402
from knowledge.curation.queue import group_rows  # noqa: E402
from knowledge.curation.report import build_report, report_xlsx  # noqa: E402
from knowledge.curation.validation import EntryChecker  # noqa: E402
from knowledge.db.models import QuestionLog, Unanswered  # noqa: E402
from knowledge.delivery.models import Broadcast, Delivery  # noqa: E402
from knowledge.documents.catalog import load_catalog  # noqa: E402
from knowledge.faq_io import FileFormat, export_bytes, read_faq_file  # noqa: E402
from knowledge.normalize import fold, normalize  # noqa: E402
from knowledge.paths import bundled_data_dir  # noqa: E402
from knowledge.settings import Settings  # noqa: E402


def bench_import(rows: int, workdir: Path) -> dict[str, Any]:
    """Seconds to read and validate ``rows`` entries from CSV and from XLSX."""
    bundled = load_faq(bundled_data_dir())
    entries = [
        e.model_copy(update={"id": f"{e.id[:80]}-{i // len(bundled)}"})
        for i, e in zip(range(rows), bundled * (rows // len(bundled) + 1), strict=False)
    ]
    catalog = load_catalog(bundled_data_dir() / "documents" / "documents.yaml").by_number()
    names = bundled_known_documents() | {n: c.name for n, c in catalog.items()}
    checker = EntryChecker(
        {t.code for t in load_topics(bundled_data_dir())}, CitationChecker(dict(names))
    )
    result: dict[str, Any] = {"rows": rows}
    for fmt in (FileFormat.csv, FileFormat.xlsx):
        path = workdir / f"faq.{fmt.value}"
        path.write_bytes(export_bytes(entries, fmt))
        started = time.perf_counter()
        read = read_faq_file(path, checker)
        elapsed = time.perf_counter() - started
        assert not read.errors, read.errors[:3]
        result[fmt.value] = {"seconds": round(elapsed, 2), "bytes": path.stat().st_size}
    return result


def _typo(text: str, rng: random.Random) -> str:
    words = (fold(text) if rng.random() < 0.5 else text).split()
    if len(words) > 3 and rng.random() < 0.5:
        del words[rng.randrange(len(words))]
    return " ".join(words)


def bench_queue(count: int) -> dict[str, Any]:
    """Seconds to group ``count`` open questions."""
    rng = random.Random(7)
    phrasings = [q for e in load_faq(bundled_data_dir()) for q in e.questions]
    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        question = _typo(rng.choice(phrasings), rng)
        rows.append(
            Unanswered(
                id=i + 1,
                question=question,
                normalized=normalize(question),
                channel="telegram",
                chat_id=str(i),
                user_id=str(i),
                created_at=now + timedelta(seconds=i),
            )
        )
    started = time.perf_counter()
    groups = group_rows(rows)
    elapsed = time.perf_counter() - started
    return {"open_rows": count, "groups": len(groups), "seconds": round(elapsed, 2)}


async def bench_report(questions: int, workdir: Path) -> dict[str, Any]:
    """Seconds to count a report year over a seeded database."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{workdir / 'report.db'}",
        data_dir=bundled_data_dir(),
        _env_file=None,
    )
    kb = await KnowledgeBase.open(settings)
    rng = random.Random(11)
    start = datetime(2025, 11, 30, 17, 0, tzinfo=UTC)
    members: list[str] = []
    try:
        async with kb.sessions.begin() as session:
            for u in range(20):
                unit = Audience(code=f"U{u:07d}", kind="unit", name=f"Trường {u}", created_by="b")
                session.add(unit)
                await session.flush()
                for c in range(30):
                    klass = Audience(
                        code=f"C{u:03d}{c:04d}",
                        kind="class",
                        name=f"Lớp {c}",
                        parent_id=unit.id,
                        created_by="b",
                    )
                    session.add(klass)
                    await session.flush()
                    chats = [str(100_000 + u * 10_000 + c * 100 + m) for m in range(40)]
                    members += chats
                    await session.execute(
                        insert(AudienceMember),
                        [
                            {
                                "audience_id": klass.id,
                                "channel": "telegram",
                                "chat_id": chat,
                                "user_id": chat,
                                "chat_kind": "person",
                                "active": True,
                                "joined_at": start,
                            }
                            for chat in chats
                        ],
                    )
            topics = [f"T{i:02d}" for i in range(1, 41)]
            statuses = ["answered"] * 6 + ["suggest", "unanswered"]
            await session.execute(
                insert(QuestionLog),
                [
                    {
                        "asked_at": start + timedelta(seconds=rng.randrange(365 * 86400)),
                        "channel": "telegram",
                        "user_id": rng.choice(members),
                        "status": rng.choice(statuses),
                        "topic": rng.choice(topics),
                    }
                    for _ in range(questions)
                ],
            )
            deliveries = 0
            for week in range(52):
                tip = Broadcast(
                    target="all",
                    target_label="x",
                    text="tip",
                    tip_id=f"tip-{week}",
                    origin="schedule",
                )
                session.add(tip)
                await session.flush()
                sent = start + timedelta(weeks=week, hours=1)
                await session.execute(
                    insert(Delivery),
                    [
                        {
                            "broadcast_id": tip.id,
                            "channel": "telegram",
                            "chat_id": chat,
                            "state": "sent",
                            "finished_at": sent,
                        }
                        for chat in members
                    ],
                )
                deliveries += len(members)

        started = time.perf_counter()
        report = await build_report(kb, 2026)
        counted = time.perf_counter() - started
        started = time.perf_counter()
        workbook = report_xlsx(report, kb)
        written = time.perf_counter() - started
        total = report.rows()[-1]
        assert total.questions == questions and total.tips == deliveries
        return {
            "units": 20,
            "members": len(members),
            "questions": questions,
            "deliveries": deliveries,
            "count_seconds": round(counted, 2),
            "xlsx_seconds": round(written, 3),
            "xlsx_bytes": len(workbook),
        }
    finally:
        await kb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="rows of the import file")
    parser.add_argument("--open", type=int, default=5000, help="open questions to group")
    parser.add_argument("--questions", type=int, default=200_000, help="question-log rows")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results = {
            "import": bench_import(args.rows, workdir),
            "queue": bench_queue(args.open),
            "report": asyncio.run(bench_report(args.questions, workdir)),
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
