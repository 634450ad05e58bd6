"""Load benchmark of the web column's ``POST /api/ask``, next to the cost of the bare matcher.

Usage (from the repository root, in the project's virtualenv):

    python bench/web_load.py                       # 100 clients: as fast as possible, then
                                                   # a steady 200 requests per second
    python bench/web_load.py --rate 300 --duration 10   # another steady rate
    python bench/web_load.py --json results.json   # also write the figures as JSON

The server runs as ``legalbot serve`` in a subprocess, exactly as an operator starts it, on
the bundled data and a fresh SQLite database, listening on 127.0.0.1 only, with
``WEB_RATE_LIMIT_PER_MINUTE=0``: the per-address rate limiter is switched off, since every
simulated client comes from the same address (the limiter itself costs a dictionary lookup).
No chat channel is configured. This process is the client: 100 keep-alive HTTP/1.1
connections written with asyncio streams (lighter than an HTTP library, so the client does
not compete for the two cores more than it must).

Two measurements follow a warm-up:

- closed loop: every connection sends its next question as soon as the previous answer
  arrives, for ``--duration`` seconds: the throughput the server reaches;
- open loop: requests are started on a fixed schedule at ``--rate`` per second, shared by the
  100 connections; latency runs from the scheduled start, so time spent waiting for a free
  connection counts (no coordinated omission).

Questions are the FAQ phrasings, the held-out paraphrases and the out-of-scope questions of
bench/data (the last reach the document search, the slowest path), varied in case and
diacritics. The bare cost is measured in this process before the load: the FAQ matcher
alone (``KnowledgeBase.match``) and the whole dialog (``Dialog.ask``, which also writes the
question log), one question at a time on the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
CLIENTS = 100


def questions_pool(seed: int = 7) -> list[str]:
    """FAQ phrasings, paraphrases and out-of-scope questions, some without diacritics."""
    pool: list[str] = []
    for path in sorted((ROOT / "faq_data" / "faq").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            pool += entry["questions"]
    for name in ("faq_paraphrases_dev.jsonl", "out_of_scope_dev.jsonl"):
        with (ROOT / "bench" / "data" / name).open(encoding="utf-8") as lines:
            pool += [json.loads(line)["question"] for line in lines if line.strip()]
    rng = random.Random(seed)
    varied = []
    for question in pool:
        if rng.random() < 0.3:
            flat = unicodedata.normalize("NFD", question.replace("đ", "d").replace("Đ", "D"))
            question = "".join(ch for ch in flat if unicodedata.category(ch) != "Mn").lower()
        varied.append(question)
    rng.shuffle(varied)
    return varied


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0-1) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(latencies: list[float], seconds: float, errors: int) -> dict[str, float]:
    """Requests per second and latency quantiles in milliseconds."""
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(seconds, 2),
        "rps": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p90_ms": round(percentile(latencies, 0.90) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else float("nan"),
    }


# The bare matcher ----------------------------------------------------------------------


async def bare_costs(database_url: str, questions: list[str]) -> dict[str, Any]:
    """The matcher and the whole dialog, one question at a time, in this process."""
    from knowledge.activity import Asker
    from knowledge.core import KnowledgeBase
    from knowledge.dialog import Conversation, Dialog
    from knowledge.settings import Settings

    kb = await KnowledgeBase.open(Settings(database_url=database_url, _env_file=None))
    try:
        dialog = Dialog(kb)
        match: list[float] = []
        cpu = time.process_time()
        for question in questions:
            started = time.perf_counter()
            kb.match(question)
            match.append(time.perf_counter() - started)
        match_cpu = time.process_time() - cpu
        ask: list[float] = []
        cpu = time.process_time()
        for question in questions:
            started = time.perf_counter()
            await dialog.ask(Conversation(Asker("bench")), question)
            ask.append(time.perf_counter() - started)
        ask_cpu = time.process_time() - cpu
    finally:
        await kb.close()
    count = len(questions)
    return {
        "matcher": summary(match, sum(match), 0) | {"cpu_ms": round(match_cpu * 1000 / count, 2)},
        "dialog": summary(ask, sum(ask), 0) | {"cpu_ms": round(ask_cpu * 1000 / count, 2)},
    }


# The HTTP client -----------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection that posts questions to /api/ask."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()

    async def ask(self, question: str) -> int:
        """Post one question; returns the HTTP status once the whole answer is read."""
        assert self.reader is not None and self.writer is not None
        body = json.dumps({"question": question}, ensure_ascii=False).encode()
        head = (
            f"POST /api/ask HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])


async def open_connections(port: int) -> list[Connection]:
    connections = [Connection(port) for _ in range(CLIENTS)]
    await asyncio.gather(*(c.open() for c in connections))
    return connections


async def closed_loop(
    connections: list[Connection], questions: list[str], seconds: float
) -> dict[str, float]:
    """Every connection asks again as soon as it is answered."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(number: int, connection: Connection) -> None:
        nonlocal errors
        turn = number
        while time.perf_counter() < deadline:
            question = questions[turn % len(questions)]
            turn += len(connections)
            started = time.perf_counter()
            status = await connection.ask(question)
            latencies.append(time.perf_counter() - started)
            errors += status != 200

    started = time.perf_counter()
    await asyncio.gather(*(client(n, c) for n, c in enumerate(connections)))
    return summary(latencies, time.perf_counter() - started, errors)


async def open_loop(
    connections: list[Connection], questions: list[str], rate: float, seconds: float
) -> dict[str, float]:
    """Requests start on a fixed schedule; latency counts from the scheduled time."""
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for connection in connections:
        idle.put_nowait(connection)
    latencies: list[float] = []
    errors = 0
    total = int(rate * seconds)
    tasks: set[asyncio.Task[None]] = set()

    async def one(question: str, scheduled: float) -> None:
        nonlocal errors
        connection = await idle.get()
        try:
            status = await connection.ask(question)
        finally:
            idle.put_nowait(connection)
        latencies.append(time.perf_counter() - scheduled)
        errors += status != 200

    begin = time.perf_counter()
    for number in range(total):
        scheduled = begin + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(questions[number % len(questions)], scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    return summary(latencies, time.perf_counter() - begin, errors)


# The server ----------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process so far (Linux), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measured(pid: int, phase: Any) -> dict[str, Any]:
    """A load phase's figures plus the server's CPU time per request: unlike latency, that
    does not depend on what else the machine is running."""
    before = cpu_seconds(pid)
    figures: dict[str, Any] = await phase
    after = cpu_seconds(pid)
    if before is not None and after is not None and figures["requests"]:
        figures["server_cpu_ms_per_request"] = round(
            (after - before) * 1000 / figures["requests"], 2
        )
        figures["server_cpu_share"] = round((after - before) / figures["seconds"], 2)
    return figures


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(database_url: str, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    """``legalbot serve`` with the limiter off and no chat channel."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEB_", "TELEGRAM_", "ZALO_"))}
    env |= {
        "DATABASE_URL": database_url,
        "WEB_HOST": HOST,
        "WEB_PORT": str(port),
        "WEB_RATE_LIMIT_PER_MINUTE": "0",
        "LOG_LEVEL": "WARNING",
    }
    log = (workdir / "server.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], env=env, cwd=workdir, stdout=log, stderr=log
    )


async def wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"legalbot serve exited with {server.returncode}")
        try:
            _, writer = await asyncio.open_connection(HOST, port)
            writer.close()
            await writer.wait_closed()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise TimeoutError("legalbot serve did not start")


async def main(args: argparse.Namespace) -> dict[str, Any]:
    questions = questions_pool()
    with tempfile.TemporaryDirectory(prefix="web-load-") as folder:
        workdir = Path(folder)
        database_url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        port = free_port()
        server = start_server(database_url, port, workdir)
        try:
            await wait_ready(port, server)
            bare = await bare_costs(database_url, questions[: args.bare])
            connections = await open_connections(port)
            await closed_loop(connections, questions, args.warmup)
            closed = await measured(server.pid, closed_loop(connections, questions, args.duration))
            steady = await measured(
                server.pid, open_loop(connections, questions, args.rate, args.duration)
            )
            for connection in connections:
                await connection.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return {
        "questions": len(questions),
        "clients": CLIENTS,
        "load_average_after": os.getloadavg()[0],
        "bare": bare,
        "closed_loop": closed,
        "open_loop": {"target_rps": args.rate, **steady},
    }


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop requests/s")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up")
    parser.add_argument("--bare", type=int, default=600, help="questions for the bare costs")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    figures = asyncio.run(main(args))
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    cli()
