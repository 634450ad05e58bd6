"""Plain-text rendering of dialog replies and the terminal chat loop."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from knowledge.activity import Asker
from knowledge.core import KnowledgeBase
from knowledge.dialog import Conversation, Dialog, Reply, ReplyKind

GOODBYE = "Tạm biệt! Chúc bạn học tốt."
PROMPT = "Bạn: "
PICK_HINT = "Gõ số để chọn."
ESCALATE_HINT = "Gõ /hoicanbo nếu bạn muốn chuyển câu hỏi cho cán bộ pháp chế."


def render_plain(reply: Reply, hints: bool = True) -> str:
    """Reply text with its options as numbered lines, as on channels without buttons."""
    lines = [reply.text]
    if reply.options:
        lines.append("")
        lines += [f"{i}. {option.label}" for i, option in enumerate(reply.options, start=1)]
        if hints:
            lines.append(PICK_HINT)
    if hints and reply.escalate and reply.kind == ReplyKind.SUGGEST:
        lines.append(ESCALATE_HINT)
    return "\n".join(lines)


async def chat(kb: KnowledgeBase, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """Talk to the dialog in the terminal until end of input (Ctrl-D)."""
    dialog = Dialog(kb)
    conversation = Conversation(Asker("terminal", "local", "local"))
    interactive = stdin.isatty()
    print(render_plain(dialog.welcome()), file=stdout)
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        if not line.strip():
            continue
        reply = await dialog.handle_text(conversation, line)
        print(f"\n{render_plain(reply)}\n", file=stdout, flush=True)
    print(f"\n{GOODBYE}", file=stdout)
