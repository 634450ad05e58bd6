"""The public pages: home, search, topics, entries, laws, tips, chat, embedding, errors, and
what the browser is told (escaping, Content-Security-Policy, no cookies)."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from bot.web.settings import WebSettings
from knowledge.core import KnowledgeBase
from tests.bot.web_support import (
    HOSTILE_QUESTION,
    SAFE_SCHOOL,
    asgi_client,
    open_web_kb,
    web_settings,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Hostile input without a slash, so it stays one path segment.
SCRIPT = "<img src=x onerror=alert(1)>"
SCHOOLS = (
    '{"thpt-nguyen-du": {"name": "Trường THPT Nguyễn Du", "primary_color": "#ffeb3b",'
    ' "frame_ancestors": ["https://thptnguyendu.edu.vn"],'
    ' "telegram_url": "https://t.me/nguyendu_phapluat_bot"}}'
)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def kb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[KnowledgeBase]:
    base = await open_web_kb(tmp_path_factory.mktemp("web-pages"))
    yield base
    await base.close()


@pytest.fixture(scope="module")
def settings() -> WebSettings:
    return web_settings(
        school_name="Trường THCS Lê Lợi",
        frame_ancestors="https://leloi.edu.vn",
        schools=SCHOOLS,
        zalo_url="https://zalo.me/123456789",
    )


@pytest_asyncio.fixture(loop_scope="module")
async def client(kb: KnowledgeBase, settings: WebSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(kb, settings) as http:
        yield http


def text_of(page: str) -> str:
    """Visible text, roughly: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# Home, topics, entries ---------------------------------------------------------------------


async def test_home_has_search_topics_tips_and_how_to_ask(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    page = response.text
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert 'action="/tim-kiem"' in page and '<label for="q">' in page
    assert 'href="/chu-de/T13"' in page
    assert "Bạn có quyền được học trong môi trường an toàn" in page
    assert 'href="https://zalo.me/123456789"' in page
    assert "Trường THCS Lê Lợi" in page
    assert "Trên Telegram" not in page  # no link configured for the default school


async def test_an_entry_page_links_its_basis_to_the_exact_clause(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/hoi-dap/t13-moi-truong-an-toan")
    page = response.text
    assert response.status_code == 200
    assert f"<h1>{SAFE_SCHOOL}</h1>" in page
    assert (
        '<a href="/van-ban/43-2019-qh14/dieu-83#khoan-4">'
        "Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 4</a>"
    ) in page
    assert 'value="http://column.test/hoi-dap/t13-moi-truong-an-toan"' in page


async def test_markup_in_curated_text_is_shown_not_run(client: httpx.AsyncClient) -> None:
    page = (await client.get("/hoi-dap/t13-bang-lop")).text
    assert "<script>alert" not in page and "<i>và</i>" not in page and "<b>bị" not in page
    assert "Viết &lt;script&gt;alert(" in page
    assert HOSTILE_QUESTION in text_of(page)


async def test_a_needs_check_entry_says_so(client: httpx.AsyncClient) -> None:
    page = (await client.get("/hoi-dap/t15-dien-thoai-trong-lop")).text
    assert "đang được cán bộ pháp chế rà soát" in page


@pytest.mark.parametrize("entry_id", ["no-such-entry", SCRIPT, "x" * 5000, "%00"])
async def test_unknown_entries_get_a_friendly_404(
    client: httpx.AsyncClient, entry_id: str
) -> None:
    response = await client.get(f"/hoi-dap/{entry_id}")
    assert response.status_code == 404
    assert "Không có câu hỏi nào với mã này" in response.text
    assert 'action="/tim-kiem"' in response.text
    assert "<img src=x" not in response.text


async def test_a_disabled_entry_page_says_it_is_withdrawn(client: httpx.AsyncClient) -> None:
    response = await client.get("/hoi-dap/t26-an-da-tat")
    assert response.status_code == 410
    assert "tạm ngừng hiển thị" in response.text
    assert "Thanh niên là công dân" not in response.text


async def test_disabled_entries_are_not_listed(client: httpx.AsyncClient) -> None:
    index = (await client.get("/chu-de")).text
    assert "t26-an-da-tat" not in index
    assert (await client.get("/chu-de/T26")).status_code == 404


async def test_a_topic_page_lists_its_questions(client: httpx.AsyncClient) -> None:
    page = (await client.get("/chu-de/T13")).text
    assert 'href="/hoi-dap/t13-moi-truong-an-toan"' in page
    assert 'href="/hoi-dap/t13-bang-lop"' in page


# Search ------------------------------------------------------------------------------------


async def test_search_finds_entries_topics_and_clauses(client: httpx.AsyncClient) -> None:
    page = (await client.get("/tim-kiem", params={"q": "môi trường giáo dục an toàn"})).text
    assert 'href="/hoi-dap/t13-moi-truong-an-toan"' in page
    assert 'href="/van-ban/43-2019-qh14/dieu-83#khoan-4"' in page


async def test_search_escapes_the_query(client: httpx.AsyncClient) -> None:
    query = f'"><script>alert(1)</script>{SCRIPT}'
    response = await client.get("/tim-kiem", params={"q": query})
    assert response.status_code == 200
    assert "<img src=x" not in response.text and "<script>alert" not in response.text
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img' in response.text


@pytest.mark.parametrize(
    ("query", "status", "fragment"),
    [
        ("", 200, "Bạn hãy gõ điều muốn tìm"),
        ("x" * 1001, 422, "dài quá"),
        ("zzqqxx", 200, "Chưa tìm thấy nội dung phù hợp"),
    ],
)
async def test_search_explains_empty_long_and_fruitless_queries(
    client: httpx.AsyncClient, query: str, status: int, fragment: str
) -> None:
    response = await client.get("/tim-kiem", params={"q": query})
    assert response.status_code == status
    assert fragment in response.text


async def test_search_floods_get_a_friendly_429(kb: KnowledgeBase) -> None:
    async with asgi_client(kb, web_settings(rate_limit_per_minute=1, rate_limit_burst=2)) as c:
        statuses = [
            (await c.get("/tim-kiem", params={"q": "xe máy"})).status_code for _ in range(3)
        ]
        last = await c.get("/tim-kiem", params={"q": "xe máy"})
    assert statuses == [200, 200, 429]
    assert "Bạn đang gửi nhiều yêu cầu quá nhanh" in last.text
    assert int(last.headers["retry-after"]) > 0


# Laws ----------------------------------------------------------------------------------------


async def test_the_law_list_shows_each_status(client: httpx.AsyncClient) -> None:
    page = (await client.get("/van-ban")).text
    assert 'href="/van-ban/43-2019-qh14"' in page and 'href="/van-ban/57-2020-qh14"' in page
    assert "Luật Giáo dục số 43/2019/QH14" in page
    assert "Đã được sửa đổi, bổ sung" in page
    assert "Còn hiệu lực" in page


async def test_a_law_page_lists_articles_with_anchors(client: httpx.AsyncClient) -> None:
    page = (await client.get("/van-ban/43-2019-qh14")).text
    assert '<li id="dieu-83"><a href="/van-ban/43-2019-qh14/dieu-83">' in page
    assert "Ngày có hiệu lực" in page and "01/07/2020" in page
    assert "Lưu ý: Luật Giáo dục số 43/2019/QH14" in page


async def test_an_article_page_anchors_every_clause(client: httpx.AsyncClient) -> None:
    page = (await client.get("/van-ban/43-2019-qh14/dieu-83")).text
    ids = re.findall(r'<section class="clause" id="([^"]+)"', page)
    assert ids == [f"khoan-{n}" for n in range(1, 11)]
    assert "Được học tập trong môi trường giáo dục an toàn, lành mạnh." in page
    assert 'rel="prev" href="/van-ban/43-2019-qh14/dieu-82"' in page
    assert 'rel="next" href="/van-ban/43-2019-qh14/dieu-84"' in page


async def test_points_get_their_own_anchors(client: httpx.AsyncClient) -> None:
    page = (await client.get("/van-ban/57-2020-qh14/dieu-8")).text
    assert re.search(r'<p class="point" id="khoan-2-diem-a">a\)', page)
    assert 'id="khoan-2-diem-c"' in page


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/van-ban/khong-co", "Không có văn bản này"),
        ("/van-ban/43-2019-qh14/dieu-9999", "không có điều luật"),
        (f"/van-ban/{SCRIPT}", "Không có văn bản này"),
    ],
)
async def test_unknown_laws_and_articles_are_404(
    client: httpx.AsyncClient, path: str, fragment: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert fragment in response.text


# Tips, chat, embedding -----------------------------------------------------------------------


async def test_tips_by_topic(client: httpx.AsyncClient) -> None:
    page = (await client.get("/meo-phap-luat")).text
    assert 'id="tip-t13-web"' in page and 'id="tip-t26-web"' in page
    one = (await client.get("/meo-phap-luat", params={"chu-de": "T26"})).text
    assert 'id="tip-t26-web"' in one and 'id="tip-t13-web"' not in one
    assert (await client.get("/meo-phap-luat", params={"chu-de": SCRIPT})).status_code == 404


async def test_the_chat_page_works_without_the_slash_commands(client: httpx.AsyncClient) -> None:
    page = (await client.get("/hoi")).text
    assert 'data-api="/api"' in page and 'src="/static/js/chat.js"' in page
    assert '<label for="question">' in page and 'role="log"' in page
    assert "/chude" not in page
    assert 'data-payload="p:1"' in page


async def test_the_embedded_chat_has_no_site_chrome(client: httpx.AsyncClient) -> None:
    page = (await client.get("/hoi", params={"nhung": "1"})).text
    assert 'class="site-nav"' not in page and 'class="embed-header"' in page
    assert 'data-embedded="true"' in page


async def test_the_embed_page_gives_three_snippets(client: httpx.AsyncClient) -> None:
    page = html.unescape((await client.get("/thpt-nguyen-du/nhung")).text)
    assert '<a href="http://column.test/thpt-nguyen-du/">' in page
    assert '<iframe src="http://column.test/thpt-nguyen-du/hoi?nhung=1"' in page
    assert '<script src="http://column.test/widget.js" data-school="thpt-nguyen-du" async>' in page
    assert "https://leloi.edu.vn" in page and "https://thptnguyendu.edu.vn" in page


async def test_the_widget_loader_is_served_as_a_script(client: httpx.AsyncClient) -> None:
    response = await client.get("/widget.js")
    assert response.headers["content-type"].startswith("text/javascript")
    assert "hoi?nhung=1" in response.text and "cookie" not in response.text.split("*/", 1)[1]


# Schools, headers, errors ------------------------------------------------------------------


async def test_a_school_has_its_own_pages_name_and_colours(client: httpx.AsyncClient) -> None:
    page = (await client.get("/thpt-nguyen-du/")).text
    assert "Trường THPT Nguyễn Du" in page
    assert 'href="/thpt-nguyen-du/chu-de/T13"' in page
    assert 'href="/thpt-nguyen-du/giao-dien.css"' in page and 'href="/static/css/site.css"' in page
    assert 'href="https://t.me/nguyendu_phapluat_bot"' in page
    theme = (await client.get("/thpt-nguyen-du/giao-dien.css")).text
    # A light yellow gets dark text on it and a darker shade for links on white.
    assert "--primary:#ffeb3b;--on-primary:#1a1a1a;" in theme
    assert "--link:#ffeb3b" not in theme


async def test_a_school_slug_without_slash_redirects(client: httpx.AsyncClient) -> None:
    response = await client.get("/thpt-nguyen-du")
    assert response.status_code == 308
    assert response.headers["location"] == "/thpt-nguyen-du/"


async def test_school_entry_pages_link_within_the_school(client: httpx.AsyncClient) -> None:
    page = (await client.get("/thpt-nguyen-du/hoi-dap/t13-moi-truong-an-toan")).text
    assert 'href="/thpt-nguyen-du/van-ban/43-2019-qh14/dieu-83#khoan-4"' in page


async def test_each_school_may_be_framed_only_by_its_allow_list(client: httpx.AsyncClient) -> None:
    default = (await client.get("/hoi")).headers["content-security-policy"]
    school = (await client.get("/thpt-nguyen-du/hoi")).headers["content-security-policy"]
    assert "frame-ancestors 'self' https://leloi.edu.vn" in default
    assert "thptnguyendu" not in default
    assert "frame-ancestors 'self' https://leloi.edu.vn https://thptnguyendu.edu.vn" in school
    assert "script-src 'self';" in default and "unsafe-inline" not in default


async def test_pages_set_no_cookie_and_no_inline_script(client: httpx.AsyncClient) -> None:
    for path in ("/", "/hoi", "/hoi-dap/t13-moi-truong-an-toan", "/van-ban", "/nhung"):
        response = await client.get(path)
        assert "set-cookie" not in response.headers
        assert response.headers["referrer-policy"] == "no-referrer"
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), path
        assert " style=" not in response.text.replace("style=&#34;", ""), path


async def test_unknown_pages_are_a_friendly_404(client: httpx.AsyncClient) -> None:
    for path in ("/khong-co-trang-nay", "/thpt-nguyen-du/khong-co", "/static/khong-co.css"):
        response = await client.get(path)
        assert response.status_code == 404, path
    page = (await client.get("/thpt-nguyen-du/khong-co")).text
    assert "Không tìm thấy trang" in page and "Trường THPT Nguyễn Du" in page


async def test_a_school_logo_file_is_served(kb: KnowledgeBase, tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    settings = web_settings(school_logo=str(logo))
    async with asgi_client(kb, settings) as c:
        page = (await c.get("/")).text
        response = await c.get("/logo")
    assert 'src="/logo"' in page
    assert response.headers["content-type"] == "image/svg+xml"


async def test_pages_survive_the_column_served_under_a_proxy_prefix(kb: KnowledgeBase) -> None:
    from bot.web.app import create_app
    from bot.web.site import Site

    app = create_app(await Site.load(kb, web_settings()))
    transport = httpx.ASGITransport(app=app, root_path="/phapluat")
    async with httpx.AsyncClient(transport=transport, base_url="http://column.test") as c:
        page = (await c.get("/phapluat/hoi")).text
        missing = await c.get("/phapluat/api/khong-co")
    assert 'data-api="/phapluat/api"' in page and 'href="/phapluat/static/css/site.css"' in page
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


async def test_the_home_page_shows_qr_codes_of_the_chat_links(client: httpx.AsyncClient) -> None:
    home = (await client.get("/")).text
    assert 'src="/ma-qr/zalo.svg"' in home and "ma-qr/telegram" not in home
    zalo = await client.get("/ma-qr/zalo.svg")
    assert zalo.headers["content-type"] == "image/svg+xml"
    assert zalo.text.startswith("<svg")
    assert (await client.get("/ma-qr/telegram.svg")).status_code == 404
    school = await client.get("/thpt-nguyen-du/ma-qr/telegram.svg")
    assert school.status_code == 200 and school.content != zalo.content
