"""Test data and clients for the web column: a small knowledge base with two real laws, a
few FAQ entries (one citing an exact clause, one disabled, one with markup in it), tips,
and an ASGI client or a real server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import yaml

from bot.web.app import create_app
from bot.web.server import WebServer
from bot.web.settings import WebSettings
from bot.web.site import Site
from knowledge.core import KnowledgeBase
from knowledge.paths import bundled_data_dir
from knowledge.settings import Settings
from tests.conftest import SAMPLE_ENTRIES

EDUCATION_LAW = "43/2019/QH14"
YOUTH_LAW = "57/2020/QH14"
LAWS = (EDUCATION_LAW, YOUTH_LAW)

SAFE_SCHOOL = "Học sinh có quyền được học trong môi trường an toàn không?"
HOSTILE_QUESTION = "Viết <script>alert('x')</script> lên bảng lớp có bị kỷ luật không?"

WEB_ENTRIES: list[dict[str, Any]] = [
    {
        "id": "t13-moi-truong-an-toan",
        "topic": "T13",
        "audience": "students",
        "questions": [
            SAFE_SCHOOL,
            "trường có phải bảo đảm an toàn cho học sinh ko",
            "Bị bắt nạt ở trường thì nhà trường có trách nhiệm gì?",
            "quyền học trong môi trường lành mạnh",
        ],
        "answer": "Có. Người học được học tập trong môi trường giáo dục an toàn, lành mạnh.\n\n"
        "Căn cứ: Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 4.",
        "sources": [
            {"document": "Luật Giáo dục", "number": EDUCATION_LAW, "article": "83", "clause": "4"}
        ],
    },
    {
        "id": "t13-bang-lop",
        "topic": "T13",
        "audience": "students",
        "questions": [
            HOSTILE_QUESTION,
            "viết bậy lên bảng có bị phạt không",
            "Vẽ bậy lên tường lớp học có bị kỷ luật không?",
            "bôi bẩn bảng lớp <b>bị xử lý</b> thế nào",
        ],
        "answer": "Có thể bị nhắc nhở, phê bình theo nội quy <i>và</i> phải làm sạch.\n\n"
        "Căn cứ: Luật Giáo dục số 43/2019/QH14, Điều 85.",
        "sources": [{"document": "Luật Giáo dục", "number": EDUCATION_LAW, "article": "85"}],
    },
    {
        "id": "t26-an-da-tat",
        "topic": "T26",
        "audience": "everyone",
        "questions": [
            "Thanh niên là người bao nhiêu tuổi?",
            "bao nhiêu tuổi thì là thanh niên",
            "Độ tuổi thanh niên theo luật là gì?",
            "tuổi thanh niên",
        ],
        "answer": "Thanh niên là công dân từ đủ 16 tuổi đến 30 tuổi.\n\n"
        "Căn cứ: Luật Thanh niên số 57/2020/QH14, Điều 1.",
        "sources": [{"document": "Luật Thanh niên", "number": YOUTH_LAW, "article": "1"}],
        "status": "disabled",
    },
]

WEB_TIPS: list[dict[str, Any]] = [
    {
        "id": "tip-t13-web",
        "topic": "T13",
        "audience": "students",
        "text": "Bạn có quyền được học trong môi trường an toàn, lành mạnh.\n\n"
        "Căn cứ: Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 4.",
        "sources": [
            {"document": "Luật Giáo dục", "number": EDUCATION_LAW, "article": "83", "clause": "4"}
        ],
        "occasion": "school-start",
    },
    {
        "id": "tip-t26-web",
        "topic": "T26",
        "audience": "everyone",
        "text": "Thanh niên có quyền và nghĩa vụ học tập, lao động, tham gia công việc chung.\n\n"
        "Căn cứ: Luật Thanh niên số 57/2020/QH14, Điều 1.",
        "sources": [{"document": "Luật Thanh niên", "number": YOUTH_LAW, "article": "1"}],
    },
]


def web_data_dir(root: Path) -> Path:
    """A data directory with the sample and web entries, tips and two bundled laws."""
    bundled = bundled_data_dir()
    data = root / "data"
    for folder in ("faq", "tips", "documents"):
        (data / folder).mkdir(parents=True)
    for name in ("topics.yaml", "abbreviations.yaml"):
        (data / name).write_text((bundled / name).read_text("utf-8"), "utf-8")
    entries = yaml.safe_dump({"entries": SAMPLE_ENTRIES + WEB_ENTRIES}, allow_unicode=True)
    (data / "faq" / "web.yaml").write_text(entries, encoding="utf-8")
    tips = yaml.safe_dump({"tips": WEB_TIPS}, allow_unicode=True)
    (data / "tips" / "web.yaml").write_text(tips, encoding="utf-8")

    catalog = yaml.safe_load((bundled / "documents" / "documents.yaml").read_text("utf-8"))
    catalog["documents"] = [d for d in catalog["documents"] if d["number"] in LAWS]
    (data / "documents" / "documents.yaml").write_text(
        yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8"
    )
    with (bundled / "documents" / "corpus.jsonl").open(encoding="utf-8") as corpus:
        lines = [line for line in corpus if json.loads(line)["number"] in LAWS]
    (data / "documents" / "corpus.jsonl").write_text("".join(lines), encoding="utf-8")
    return data


async def open_web_kb(root: Path, database_url: str | None = None) -> KnowledgeBase:
    """The knowledge base on the web test data (SQLite under ``root`` by default)."""
    url = database_url or f"sqlite+aiosqlite:///{root / 'web.db'}"
    return await KnowledgeBase.open(
        Settings(database_url=url, data_dir=web_data_dir(root), _env_file=None)
    )


def web_settings(**values: Any) -> WebSettings:
    """Web settings for tests: no limiter unless asked, nothing read from the environment."""
    values.setdefault("rate_limit_per_minute", 0)
    return WebSettings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def asgi_client(
    kb: KnowledgeBase, settings: WebSettings | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the application in process."""
    site = await Site.load(kb, settings or web_settings())
    transport = httpx.ASGITransport(app=create_app(site))
    async with httpx.AsyncClient(transport=transport, base_url="http://column.test") as client:
        yield client


@contextlib.asynccontextmanager
async def running_site(
    kb: KnowledgeBase, settings: WebSettings | None = None, port: int = 0
) -> AsyncIterator[str]:
    """The application on a real server on 127.0.0.1 (any free port unless given); yields
    its base URL."""
    site = await Site.load(kb, settings or web_settings())
    server = WebServer(create_app(site), "127.0.0.1", port)
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await server.stop()
