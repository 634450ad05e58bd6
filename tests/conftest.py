"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from knowledge.core import KnowledgeBase
from knowledge.paths import bundled_data_dir
from knowledge.settings import Settings

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set"),
        ],
    ),
]


async def reset_postgres(url: str) -> None:
    """Drop everything in the test database so each test starts from an empty schema."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a fresh SQLite file, or the reset PostgreSQL test database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    assert POSTGRES_URL is not None
    await reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


SAMPLE_ENTRIES = [
    {
        "id": "t01-tuoi-xe-gan-may",
        "topic": "T01",
        "audience": "students",
        "questions": [
            "Bao nhiêu tuổi thì được đi xe gắn máy?",
            "15 tuổi chạy xe 50 phân khối có bị phạt không?",
            "Con tôi học lớp 10 đã đủ tuổi điều khiển xe gắn máy chưa?",
            "mấy tuổi được chạy xe dưới 50cc",
        ],
        "answer": "Từ đủ 16 tuổi bạn được điều khiển xe gắn máy.\n\n"
        "Căn cứ: Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15, Điều 59.",
        "sources": [
            {
                "document": "Luật Trật tự, an toàn giao thông đường bộ",
                "number": "36/2024/QH15",
                "article": "59",
            }
        ],
    },
    {
        "id": "t02-mu-bao-hiem",
        "topic": "T02",
        "audience": "students",
        "questions": [
            "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?",
            "ko đội mũ bh bị phạt bn tiền",
            "Ngồi sau xe máy không đội nón bảo hiểm có bị phạt không?",
            "mức phạt lỗi mũ bảo hiểm",
        ],
        "answer": "Người lái và người ngồi sau đều bị phạt từ 400.000 đến 600.000 đồng.\n\n"
        "Căn cứ: Nghị định 168/2024/NĐ-CP, Điều 7, khoản 2.",
        "sources": [
            {
                "document": "Nghị định 168/2024/NĐ-CP",
                "number": "168/2024/NĐ-CP",
                "article": "7",
                "clause": "2",
            }
        ],
    },
    {
        "id": "t15-dien-thoai-trong-lop",
        "topic": "T15",
        "audience": "students",
        "questions": [
            "Học sinh có được dùng điện thoại trong giờ học không?",
            "dùng đt trong lớp có bị phạt ko",
            "Thầy cô có quyền thu điện thoại của học sinh không?",
            "điện thoại trong giờ học",
        ],
        "answer": "Học sinh chỉ được dùng điện thoại trong giờ học khi giáo viên cho phép.\n\n"
        "Căn cứ: Thông tư 15/2026/TT-BGDĐT.",
        "sources": [{"document": "Thông tư 15/2026/TT-BGDĐT", "number": "15/2026/TT-BGDĐT"}],
        "review": "needs-check",
        "review_note": "Article number of the new charter not known.",
    },
]


@pytest.fixture
def sample_data_dir(tmp_path: Path) -> Path:
    """A data directory with three small FAQ entries and the bundled topics."""
    root = tmp_path / "data"
    (root / "faq").mkdir(parents=True)
    (root / "tips").mkdir()
    bundled = bundled_data_dir()
    for name in ("topics.yaml", "abbreviations.yaml"):
        (root / name).write_text((bundled / name).read_text(encoding="utf-8"), encoding="utf-8")
    (root / "faq" / "sample.yaml").write_text(
        yaml.safe_dump({"entries": SAMPLE_ENTRIES}, allow_unicode=True), encoding="utf-8"
    )
    return root


@pytest.fixture
async def kb(database_url: str, sample_data_dir: Path) -> AsyncIterator[KnowledgeBase]:
    """A knowledge base on the sample data, on each configured database."""
    base = await KnowledgeBase.open(
        Settings(database_url=database_url, data_dir=sample_data_dir, _env_file=None)
    )
    yield base
    await base.close()
