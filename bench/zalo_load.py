"""Zalo channel load benchmark: simulated users against the fake Zalo Bot API server.

Usage (from the repository root, in the project's virtualenv):

    python bench/zalo_load.py                             # 1,000 users x 5 questions, 50/s,
                                                          # webhook
    python bench/zalo_load.py --mode both                 # webhook, then long polling
    python bench/zalo_load.py --rate 0                    # all at once
    python bench/zalo_load.py --users 50 --questions 2 --rate 100   # a quick look

The bot runs as ``legalbot run`` in a subprocess, exactly as an operator starts it, on the
bundled data and a fresh SQLite database, with ``ZALO_BASE_URL`` pointing at the fake Zalo Bot
API server (tests/bot/fake_zalo.py) in this process. Each simulated user writes in a private
chat and asks its questions in rounds, so the load is spread over all chats; events arrive at
``--rate`` per second. Questions are the phrasings of faq_data/faq/*.yaml and the paraphrases
of bench/data, varied (lower case, no diacritics).

Latency is measured inside the fake server, from the moment a user's event is queued (webhook:
about to be posted; polling: ready for getUpdates) to the moment the bot's sendMessage with
the first message of its reply arrives: the whole round trip through the webhook, the
background handling and the client. Before the run, this process computes every expected
reply with the same dialog and renderer on its own copy of the bundled data; each chat must
then receive exactly those messages (a user's first reply is preceded by the automated-assistant
notice). Replies are found by content rather than position, because Zalo, like the fake,
posts webhooks concurrently and two events of one chat can overtake each other in transit. An
event whose reply is missing counts as lost; a message matching no event (a second answer to a
retried event, a wrong answer) counts as unexpected.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.zalo.render import render  # noqa: E402
from knowledge.activity import Asker  # noqa: E402
from knowledge.core import KnowledgeBase  # noqa: E402
from knowledge.dialog import Conversation, Dialog  # noqa: E402
from knowledge.settings import Settings  # noqa: E402
from tests.bot.fake_zalo import (  # noqa: E402
    TOKEN,
    WEBHOOK_SECRET,
    FakeUser,
    FakeZalo,
    free_port,
    user,
)

FIRST_USER = 10_000_000


def questions_pool() -> list[str]:
    """Realistic questions: FAQ phrasings and held-out paraphrases, as users type them."""
    pool: list[str] = []
    for path in sorted((ROOT / "faq_data" / "faq").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            pool += entry["questions"]
    for path in sorted((ROOT / "bench" / "data").glob("faq_paraphrases_*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            pool += [json.loads(line)["question"] for line in lines if line.strip()]
    # A few phrasings start with a command ("/hoicanbo dùng thế nào"): those are commands
    # to the bot, whose reply depends on the conversation so far, not questions.
    return [question for question in pool if not question.lstrip().startswith("/")]


def without_diacritics(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Mn")


def vary(question: str, rng: random.Random) -> str:
    """The way a pupil might type it: as written, lower case, or without diacritics."""
    roll = rng.random()
    if roll < 0.4:
        return question
    if roll < 0.7:
        return question.lower().rstrip("?.! ")
    return without_diacritics(question).lower()


async def expected_replies(questions: set[str], workdir: Path) -> dict[str, list[str]]:
    """The messages the bot should send for each question, from the same dialog and renderer."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{workdir / 'expected.db'}")
    kb = await KnowledgeBase.open(settings)
    try:
        dialog = Dialog(kb)
        replies = {}
        for question in sorted(questions):
            reply = await dialog.ask(Conversation(Asker("bench")), question)
            replies[question] = render(reply)
        notice = render(dialog.welcome())
    finally:
        await kb.close()
    replies[""] = notice
    return replies


def bot_environment(fake: FakeZalo, mode: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "TELEGRAM_"))}
    env |= {
        "ZALO_BOT_TOKEN": TOKEN,
        "ZALO_BASE_URL": fake.base_url,
        "ZALO_MODE": mode,
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATA_DIR", None)
    if mode == "webhook":
        port = free_port()
        env |= {
            "ZALO_WEBHOOK_LISTEN": "127.0.0.1",
            "ZALO_WEBHOOK_PORT": str(port),
            "ZALO_WEBHOOK_URL": f"http://127.0.0.1:{port}/zalo/webhook",
            "ZALO_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
    return env


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(mode: str, users: int, questions: int, rate: float) -> dict[str, Any]:
    """One load run; returns its figures."""
    rng = random.Random(20261203)
    pool = questions_pool()
    people = [user(FIRST_USER + i, f"HS{i}") for i in range(users)]
    plan: list[tuple[FakeUser, str]] = [
        (person, vary(rng.choice(pool), rng))
        for _ in range(questions)
        for person in rng.sample(people, len(people))
    ]

    with tempfile.TemporaryDirectory() as workdir:
        started_expecting = time.perf_counter()
        expected = await expected_replies({text for _, text in plan}, Path(workdir))
        print(
            f"{mode}: {len(expected) - 1} distinct replies computed in "
            f"{time.perf_counter() - started_expecting:.1f} s",
            file=sys.stderr,
        )
        async with FakeZalo() as fake:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=bot_environment(fake, mode, Path(workdir)),
                cwd=workdir,
                stderr=asyncio.subprocess.PIPE,
            )
            ready = "setWebhook" if mode == "webhook" else "getUpdates"
            await fake.wait_for(lambda: ready in fake.requested, timeout=120)
            cpu_before = _cpu_seconds(process.pid)

            asked: dict[str, list[tuple[str, str]]] = {}
            started = time.perf_counter()
            for k, (person, text) in enumerate(plan):
                if rate > 0:
                    delay = started + k / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                message_id = await fake.send(person, text)
                asked.setdefault(person.id, []).append((message_id, text))
            pushed = time.perf_counter()

            total = sum(len(expected[t]) for _, t in plan) + len(asked) * len(expected[""])
            with contextlib.suppress(TimeoutError):
                await fake.wait_for(lambda: fake.messages_sent >= total, timeout=300)
            await asyncio.sleep(1.0)  # would a duplicate still come?
            bot_cpu = _cpu_seconds(process.pid) - cpu_before

            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)

    return _figures(mode, users, questions, rate, plan, asked, expected, fake, started, pushed) | {
        # From the first event to the last reply (start-up excluded), delivery engine included.
        "bot_cpu_seconds": round(bot_cpu, 1),
        "bot_cpu_ms_per_event": round(bot_cpu * 1000 / len(plan), 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "bot_exit_code": process.returncode,
        "bot_stderr_tail": stderr.decode(errors="replace")[-800:],
    }


def _figures(
    mode: str,
    users: int,
    questions: int,
    rate: float,
    plan: list[tuple[FakeUser, str]],
    asked: dict[str, list[tuple[str, str]]],
    expected: dict[str, list[str]],
    fake: FakeZalo,
    started: float,
    pushed: float,
) -> dict[str, Any]:
    received: dict[str, list[tuple[float, str]]] = {}
    for call in fake.sent():
        received.setdefault(call.params["chat_id"], []).append((call.at, call.params["text"]))

    latencies: list[float] = []
    lost = unexpected = 0
    for chat, events in asked.items():
        messages = received.get(chat, [])
        used = [False] * len(messages)
        notice = _take(messages, used, expected[""])
        for n, (message_id, text) in enumerate(events):
            at = _take(messages, used, expected[text])
            if at is None:
                lost += 1
                if lost <= 3:
                    print(f"chat {chat}: no reply to {text!r}", file=sys.stderr)
                continue
            # A user's first reply is preceded by the notice: the reply started with it.
            first = min(at, notice) if n == 0 and notice is not None else at
            latencies.append((first - fake.arrivals[message_id]) * 1000)
        unexpected += used.count(False)
        for (_, text), was_used in zip(messages, used, strict=True):
            if not was_used and unexpected <= 3:
                print(f"chat {chat}: unexpected {text[:200]!r}", file=sys.stderr)

    last = max((c.at for c in fake.sent()), default=pushed)
    return {
        "mode": mode,
        "users": users,
        "questions_per_user": questions,
        "offered_rate": rate or None,
        "events": len(plan),
        "messages_sent": len(fake.sent()),
        "lost": lost,
        "unexpected_messages": unexpected,
        "refused_by_api": sum(1 for c in fake.failed() if c.method != "getUpdates"),
        "webhook_non_200": sum(1 for s in fake.webhook_statuses if s != 200),
        "arrival_rate": round(len(plan) / max(pushed - started, 1e-9), 1),
        "replies_per_second": round(len(latencies) / max(last - started, 1e-9), 1),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 1) if latencies else None,
            "p90": round(percentile(latencies, 0.90), 1) if latencies else None,
            "p99": round(percentile(latencies, 0.99), 1) if latencies else None,
            "max": round(max(latencies), 1) if latencies else None,
        },
    }


def _take(messages: list[tuple[float, str]], used: list[bool], texts: list[str]) -> float | None:
    """Find a reply's messages, in order, among a chat's unused ones; mark them used and
    return when the first arrived (None when the reply is not there)."""
    found: list[int] = []
    for text in texts:
        start = found[-1] + 1 if found else 0
        index = next(
            (i for i in range(start, len(messages)) if not used[i] and messages[i][1] == text),
            None,
        )
        if index is None:
            return None
        found.append(index)
    for index in found:
        used[index] = True
    return messages[found[0]][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--mode", choices=["polling", "webhook", "both"], default="webhook")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--rate", type=float, default=50.0, help="events per second; 0: burst")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()

    modes = ["webhook", "polling"] if args.mode == "both" else [args.mode]
    results = []
    for mode in modes:
        result = asyncio.run(run(mode, args.users, args.questions, args.rate))
        results.append(result)
        shown = {k: v for k, v in result.items() if k != "bot_stderr_tail"}
        print(json.dumps(shown, ensure_ascii=False))
        if result["bot_exit_code"] != 0 or result["lost"] or result["unexpected_messages"]:
            print(result["bot_stderr_tail"], file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    failed = any(r["lost"] or r["unexpected_messages"] or r["bot_exit_code"] for r in results)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
