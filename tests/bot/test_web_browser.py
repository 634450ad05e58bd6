"""The web column in a real browser (Debian's Chromium driven by Playwright): search and open
an entry, ask in the chat, pick a suggestion, the widget on a school's site on another
origin, and a site that is not allowed to frame the chat.

Skipped, with the reason, where /usr/bin/chromium or the playwright package is missing; CI
installs both. Set WEB_SCREENSHOTS_DIR to keep the screenshots (docs/screenshots/ holds the
ones taken on the bundled data: WEB_SCREENSHOTS_DIR=docs/screenshots pytest -k screenshots).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bot.web.server import WebServer
from knowledge.core import KnowledgeBase
from knowledge.settings import Settings
from tests.bot.fake_telegram import free_port
from tests.bot.web_support import (
    HOSTILE_QUESTION,
    SAFE_SCHOOL,
    open_web_kb,
    running_site,
    web_settings,
)

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
playwright_api = pytest.importorskip(
    "playwright.async_api", reason="the playwright package is not installed"
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
UNSURE = "học sinh có bị phạt"
TIMEOUT_MS = 10_000


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Any]:
    async with playwright_api.async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        await chromium.close()


class HostSites:
    """Two school websites on other origins: one on the allow-list, one not."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.allowed_port = free_port()
        self.other_port = free_port()

    @property
    def allowed(self) -> str:
        return f"http://127.0.0.1:{self.allowed_port}"

    @property
    def other(self) -> str:
        return f"http://127.0.0.1:{self.other_port}"

    def app(self) -> Starlette:
        column = self.column

        async def widget(request: Request) -> HTMLResponse:
            return HTMLResponse(
                "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
                "<title>Trường THCS Lê Lợi</title></head><body><h1>Tin tức nhà trường</h1>"
                "<p>Trang thử của một website trường.</p>"
                f'<script src="{column}/widget.js" async></script></body></html>'
            )

        async def frame(request: Request) -> HTMLResponse:
            return HTMLResponse(
                "<!doctype html><html lang='vi'><head><meta charset='utf-8'></head><body>"
                f'<iframe id="column" src="{column}/hoi?nhung=1" title="Hỏi đáp pháp luật"'
                ' width="400" height="600"></iframe></body></html>'
            )

        return Starlette(routes=[Route("/widget", widget), Route("/frame", frame)])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sites(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[str, HostSites]]:
    kb = await open_web_kb(tmp_path_factory.mktemp("web-browser"))
    port = free_port()
    hosts = HostSites(f"http://127.0.0.1:{port}")
    settings = web_settings(port=port, frame_ancestors=hosts.allowed)
    servers = [
        WebServer(hosts.app(), "127.0.0.1", hosts.allowed_port),
        WebServer(hosts.app(), "127.0.0.1", hosts.other_port),
    ]
    try:
        async with running_site(kb, settings, port=port) as base:
            for server in servers:
                await server.start()
            yield base, hosts
    finally:
        for server in servers:
            await server.stop()
        await kb.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context(viewport=PHONE, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    await context.close()
    assert errors == [], errors


async def ask(page: Any, question: str) -> Any:
    """Type a question in the chat, send it with Enter, return the bot's reply bubble."""
    replies = page.locator("#messages .msg.bot")
    before = await replies.count()
    await page.fill("#question", question)
    await page.press("#question", "Enter")
    await replies.nth(before).wait_for()
    return replies.nth(before)


async def test_search_then_open_an_entry_and_its_clause(
    page: Any, sites: tuple[str, HostSites]
) -> None:
    base, _ = sites
    await page.goto(f"{base}/")
    await page.fill("#q", "môi trường học an toàn")
    await page.press("#q", "Enter")
    await page.get_by_role("link", name=SAFE_SCHOOL).click()
    assert await page.locator("h1").inner_text() == SAFE_SCHOOL

    await page.get_by_role("link", name="Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 4").click()
    assert page.url == f"{base}/van-ban/43-2019-qh14/dieu-83#khoan-4"
    target = page.locator("section.clause:target")
    assert await target.get_attribute("id") == "khoan-4"
    assert "môi trường giáo dục an toàn" in await target.inner_text()


async def test_the_chat_answers_with_a_linked_citation(
    page: Any, sites: tuple[str, HostSites]
) -> None:
    base, _ = sites
    await page.goto(f"{base}/hoi")
    reply = await ask(page, SAFE_SCHOOL)
    assert "Căn cứ: Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 4." in await reply.inner_text()
    link = reply.locator(".citations a")
    assert await link.get_attribute("href") == "/van-ban/43-2019-qh14/dieu-83#khoan-4"

    await reply.get_by_role("button", name="👍 Hữu ích").click()
    thanks = page.locator("#messages .msg.bot").last
    await thanks.get_by_text("Cảm ơn bạn đã đánh giá!").wait_for()


async def test_a_suggestion_is_picked_and_the_officer_asked(
    page: Any, sites: tuple[str, HostSites]
) -> None:
    base, _ = sites
    await page.goto(f"{base}/hoi")
    reply = await ask(page, UNSURE)
    assert "Ý bạn là" in await reply.inner_text()
    options = reply.locator("button.option")
    assert await options.count() >= 2
    chosen = await options.first.inner_text()
    await options.first.click()

    answer = page.locator("#messages .msg.bot").nth(2)
    await answer.wait_for()
    assert "Căn cứ" in await answer.inner_text()
    user_bubbles = page.locator("#messages .msg.user")
    assert await user_bubbles.last.inner_text() == chosen

    await answer.get_by_role("button", name="Hỏi cán bộ pháp chế").click()
    passed_on = page.locator("#messages .msg.bot").nth(3)
    await passed_on.wait_for()
    assert f"“{UNSURE}”" in await passed_on.inner_text()


async def test_topics_are_buttons_and_markup_stays_text(
    page: Any, sites: tuple[str, HostSites]
) -> None:
    base, _ = sites
    await page.goto(f"{base}/hoi")
    await page.get_by_role("button", name="Xem các chủ đề").click()
    menu = page.locator("#messages .msg.bot").nth(1)
    await menu.wait_for()
    await menu.get_by_role("button", name="Quyền và nghĩa vụ của học sinh").click()
    await page.locator("#messages .msg.bot").nth(2).get_by_role("button").first.wait_for()

    await ask(page, HOSTILE_QUESTION)
    assert await page.locator("#messages .msg.user").last.inner_text() == HOSTILE_QUESTION
    assert await page.locator("#messages script, #messages img").count() == 0


async def test_the_keyboard_reaches_the_content_first(
    page: Any, sites: tuple[str, HostSites]
) -> None:
    base, _ = sites
    await page.goto(f"{base}/hoi")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent")
    assert focused == "Bỏ qua, đến nội dung chính"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "noi-dung"


async def test_the_widget_opens_the_chat_on_an_allowed_school_site(
    page: Any, sites: tuple[str, HostSites]
) -> None:
    _, hosts = sites
    await page.goto(f"{hosts.allowed}/widget")
    button = page.get_by_role("button", name="Hỏi đáp pháp luật")
    assert await button.get_attribute("aria-expanded") == "false"
    await button.click()
    await playwright_api.expect(button).to_have_attribute("aria-expanded", "true")

    chat = page.frame_locator("#legalbot-panel iframe")
    await chat.locator("#question").fill(SAFE_SCHOOL)
    await chat.locator("#question").press("Enter")
    reply = chat.locator("#messages .msg.bot").nth(1)
    await reply.wait_for()
    assert "Luật Giáo dục" in await reply.inner_text()
    # Links out of the frame open in a new tab rather than inside the school's page.
    assert await reply.locator(".citations a").get_attribute("target") == "_blank"

    # Escape inside the frame reaches the host page as a message, so it lands a moment later.
    await page.keyboard.press("Escape")
    await playwright_api.expect(button).to_have_attribute("aria-expanded", "false")
    assert await page.context.cookies() == []


async def test_a_site_off_the_allow_list_cannot_frame_the_chat(
    page: Any, sites: tuple[str, HostSites]
) -> None:
    _, hosts = sites
    await page.goto(f"{hosts.allowed}/frame")
    allowed = page.frame_locator("#column")
    await allowed.locator("#chat").wait_for()

    async with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
        await page.goto(f"{hosts.other}/frame")
    await page.wait_for_load_state("load")
    [frame] = [f for f in page.frames if f != page.main_frame]
    assert await frame.locator("#chat").count() == 0


async def test_screenshots_of_the_main_pages(
    browser: Any, tmp_path_factory: pytest.TempPathFactory, sites: tuple[str, HostSites]
) -> None:
    keep = os.environ.get("WEB_SCREENSHOTS_DIR")
    folder = Path(keep) if keep else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    if keep:
        # The documentation shows the real bundled content rather than the test entries.
        kb = await KnowledgeBase.open(
            Settings(
                database_url=f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('shots')}/b.db",
                _env_file=None,
            )
        )
        try:
            settings = web_settings(
                school_name="Trường THCS Lê Lợi",
                telegram_url="https://t.me/example_phapluat_bot",
                zalo_url="https://zalo.me/example",
            )
            async with running_site(kb, settings) as base:
                await _screenshots(browser, base, folder, "t18-tuoi-ket-hon")
        finally:
            await kb.close()
    else:
        await _screenshots(browser, sites[0], folder, "t13-moi-truong-an-toan")
    shots = sorted(folder.glob("*.png"))
    assert len(shots) == 8
    assert all(shot.stat().st_size > 5_000 for shot in shots)


async def _screenshots(browser: Any, base: str, folder: Path, entry_id: str) -> None:
    context = await browser.new_context(viewport=PHONE, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    tab = await context.new_page()
    pages = {
        "home": "/",
        "entry": f"/hoi-dap/{entry_id}",
        "search": "/tim-kiem?q=đội mũ bảo hiểm",
        "laws": "/van-ban",
        "article": "/van-ban/43-2019-qh14/dieu-83#khoan-4",
        "tips": "/meo-phap-luat",
    }
    for name, path in pages.items():
        await tab.goto(base + path)
        # The entry page whole, to show its legal basis linked to the clauses.
        await tab.screenshot(path=folder / f"{name}.png", full_page=name == "entry")

    await tab.goto(f"{base}/hoi")
    await ask(tab, "ko đội mũ bh bị phạt bn tiền")
    await ask(tab, UNSURE)
    await tab.screenshot(path=folder / "chat.png", full_page=True)

    await tab.set_viewport_size({"width": 1280, "height": 800})
    await tab.goto(f"{base}/")
    await tab.screenshot(path=folder / "home-desktop.png")
    await context.close()
