"""The guided add/edit of knowledge.curation.wizard in a terminal.

Each prompt is printed with its buttons as numbered lines. A number picks a button; anything
else is typed text, which may span several lines and ends with an empty line (so an answer
can have paragraphs). ``/huybo`` or the end of input cancels.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from rich.console import Console

from bot.terminal import render_plain
from knowledge.content_schema import FaqEntryData
from knowledge.curation.wizard import EntryWizard, Prompt

CANCEL_WORDS = ("/huybo", "/huy", "/cancel")
TYPING_HINT = "(Gõ số để chọn; gõ nội dung rồi nhấn Enter thêm một lần ở dòng trống để gửi.)"


def show(console: Console, prompt: Prompt) -> None:
    """Print a prompt: the preview as users see it, then the text and numbered options."""
    if prompt.preview is not None:
        console.rule("Xem trước")
        console.print(render_plain(prompt.preview, hints=False), highlight=False)
        console.rule()
    console.print(prompt.text, highlight=False)
    for i, option in enumerate(prompt.options, start=1):
        console.print(f"  {i}. {option.label}", highlight=False)
    if not prompt.done:
        console.print(TYPING_HINT, style="dim", highlight=False)


async def _read(stdin: TextIO, options: int) -> str | None:
    """One submission: a single chosen number or command, or lines up to an empty one."""
    lines: list[str] = []
    while True:
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return "\n".join(lines) if lines else None
        line = line.rstrip("\n")
        if not lines:
            stripped = line.strip()
            if stripped in CANCEL_WORDS or (stripped.isdigit() and 1 <= int(stripped) <= options):
                return stripped
            if not stripped:
                continue
        elif not line.strip():
            return "\n".join(lines)
        lines.append(line)


async def run_wizard(
    wizard: EntryWizard, prompt: Prompt, console: Console, stdin: TextIO | None = None
) -> FaqEntryData | None:
    """Drive the wizard to its end; the saved entry, or None when cancelled."""
    stdin = stdin or sys.stdin
    while True:
        show(console, prompt)
        if prompt.done:
            return prompt.saved
        typed = await _read(stdin, len(prompt.options))
        if typed is None or typed in CANCEL_WORDS:
            prompt = wizard.cancel()
        elif typed.isdigit() and 1 <= int(typed) <= len(prompt.options):
            prompt = await wizard.choose(prompt.options[int(typed) - 1].payload)
        else:
            prompt = await wizard.text(typed)
