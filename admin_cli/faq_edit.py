"""``faq add``, ``faq edit``, ``faq disable`` and ``faq enable``.

``add`` and ``edit`` take the entry's parts as options, for scripts; without any of them they
run the same guided conversation as the chat (questions, answer, basis, topic, audience,
preview, save). Everything is validated like an import and audited.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from admin_cli.actor import cli_actor
from admin_cli.common import console, fail, run_with_kb
from admin_cli.wizard_prompt import run_wizard
from bot.terminal import render_plain
from knowledge.activity import Asker
from knowledge.content_schema import FaqEntryData
from knowledge.core import KnowledgeBase
from knowledge.curation.citations import CitationError
from knowledge.curation.entries import answer_with_basis, set_active
from knowledge.curation.entry_text import new_entry_id, split_basis
from knowledge.curation.validation import EntryChecker, Problem
from knowledge.curation.wizard import EntryWizard
from knowledge.dialog import Conversation, Dialog

QuestionOpt = Annotated[
    list[str] | None,
    typer.Option("--question", "-q", help="A phrasing; repeat it, the main question first."),
]
AnswerOpt = Annotated[
    str | None, typer.Option(help="The answer; a 'Căn cứ:' line is added from --source.")
]
AnswerFileOpt = Annotated[
    Path | None, typer.Option(help="Read the answer from this UTF-8 text file.")
]
SourceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--source", "-s", help="A legal basis, e.g. 'Luật Giáo dục số 43/2019/QH14, Điều 83'."
    ),
]
TopicOpt = Annotated[str | None, typer.Option(help="Topic code, e.g. T05.")]
ActorOpt = Annotated[str | None, typer.Option(help="Name for the audit log (default: you).")]


class AudienceChoice(StrEnum):
    """Who an entry is for."""

    students = "students"
    staff = "staff"
    everyone = "everyone"


class ReviewChoice(StrEnum):
    """Review marks."""

    ok = "ok"
    needs_check = "needs-check"


AudienceOpt = Annotated[AudienceChoice | None, typer.Option(help="Who the entry is for.")]


def _read_answer(answer: str | None, answer_file: Path | None) -> str | None:
    if answer_file is None:
        return answer
    if answer is not None:
        raise fail("give --answer or --answer-file, not both", 2)
    try:
        return answer_file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {answer_file} as UTF-8 text: {exc}", 2) from exc


def _problems(problems: list[Problem]) -> str:
    return "\n".join(f"  {p.field}: {p.message}" for p in problems)


def _preview(kb: KnowledgeBase, entry: FaqEntryData) -> None:
    reply = Dialog(kb)._answer(Conversation(Asker("cli")), entry, entry.main_question, 100.0)
    console.rule(f"{entry.id} as users see it")
    console.print(render_plain(reply, hints=False), highlight=False)
    console.rule()


async def _store(
    kb: KnowledgeBase, checker: EntryChecker, raw: dict[str, Any], actor: str, new: bool
) -> FaqEntryData:
    checked = checker.check(raw)
    if checked.entry is None:
        raise fail(f"the entry is not valid, nothing was saved:\n{_problems(checked.errors)}")
    for warning in checked.warnings:
        console.print(f"[yellow]Warning:[/] {warning.field}: {warning.message}", highlight=False)
    entry = checked.entry
    if new and await kb.faq.get(entry.id) is not None:
        raise fail(f"an entry {entry.id!r} exists already; use `faq edit {entry.id}`")
    await kb.faq.save(entry, actor)
    await kb.refresh()
    return entry


def add(
    question: QuestionOpt = None,
    answer: AnswerOpt = None,
    answer_file: AnswerFileOpt = None,
    source: SourceOpt = None,
    topic: TopicOpt = None,
    audience: AudienceOpt = None,
    entry_id: Annotated[
        str | None, typer.Option("--id", help="The entry id (default: made from the question).")
    ] = None,
    needs_check: Annotated[
        str | None, typer.Option(help="Flag the entry for review with this note.")
    ] = None,
    actor: ActorOpt = None,
) -> None:
    """Add an entry from options, or step by step when no option is given."""
    who = cli_actor(actor)
    text = _read_answer(answer, answer_file)
    given = {"--question": question, "--answer": text, "--source": source}
    given |= {"--topic": topic, "--audience": audience}
    if not any(given.values()):
        run_with_kb(lambda kb: _guided(kb, who, None))
        return
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise fail(f"missing {', '.join(missing)} (or give no option to be guided)", 2)
    assert question and text and source and topic and audience

    async def _add(kb: KnowledgeBase) -> FaqEntryData:
        checker = await EntryChecker.for_kb(kb)
        try:
            sources = checker.citations.parse("\n".join(source))
        except CitationError as exc:
            raise fail(f"--source: {exc}", 2) from exc
        raw: dict[str, Any] = {
            "id": entry_id or new_entry_id(kb, topic.upper(), question[0]),
            "topic": topic.upper(),
            "audience": audience.value,
            "questions": question,
            "answer": answer_with_basis(text, sources),
            "sources": [s.model_dump() for s in sources],
        }
        if needs_check:
            raw |= {"review": "needs-check", "review_note": needs_check}
        entry = await _store(kb, checker, raw, who, new=True)
        _preview(kb, entry)
        return entry

    entry = run_with_kb(_add)
    console.print(f"Added {entry.id}.")


async def _guided(kb: KnowledgeBase, actor: str, entry: FaqEntryData | None) -> None:
    checker = await EntryChecker.for_kb(kb)
    if entry is None:
        wizard, prompt = EntryWizard.add(kb, checker, actor)
    else:
        wizard, prompt = EntryWizard.edit(kb, checker, actor, entry)
    await run_wizard(wizard, prompt, console)


def edit(
    entry_id: Annotated[str, typer.Argument(help="The entry to change.")],
    question: QuestionOpt = None,
    add_question: Annotated[
        list[str] | None, typer.Option(help="Add a phrasing (repeatable).")
    ] = None,
    answer: AnswerOpt = None,
    answer_file: AnswerFileOpt = None,
    source: SourceOpt = None,
    topic: TopicOpt = None,
    audience: AudienceOpt = None,
    review: Annotated[ReviewChoice | None, typer.Option(help="Set the review mark.")] = None,
    note: Annotated[str | None, typer.Option(help="Review note (with --review).")] = None,
    actor: ActorOpt = None,
) -> None:
    """Change parts of an entry from options, or step by step when no option is given."""
    who = cli_actor(actor)
    text = _read_answer(answer, answer_file)
    options = [question, add_question, text, source, topic, audience, review, note]

    async def _edit(kb: KnowledgeBase) -> FaqEntryData | None:
        entry = await kb.faq.get(entry_id)
        if entry is None:
            raise fail(f"no FAQ entry with id {entry_id!r}")
        if not any(o is not None for o in options):
            await _guided(kb, who, entry)
            return None
        checker = await EntryChecker.for_kb(kb)
        raw = entry.model_dump(mode="json")
        if question:
            raw["questions"] = question
        raw["questions"] = [*raw["questions"], *(add_question or [])]
        body, basis = split_basis(entry.answer)
        if source:
            try:
                sources = checker.citations.parse("\n".join(source))
            except CitationError as exc:
                raise fail(f"--source: {exc}", 2) from exc
            raw["sources"] = [s.model_dump() for s in sources]
            raw["answer"] = answer_with_basis(text if text is not None else body, sources)
        elif text is not None:
            # Without new sources the old "Căn cứ:" line stays, unless the text brings one.
            raw["answer"] = text.strip() if split_basis(text)[1] else f"{text.strip()}\n\n{basis}"
        if topic:
            raw["topic"] = topic.upper()
        if audience:
            raw["audience"] = audience.value
        if review is not None:
            raw["review"] = review.value
            raw["review_note"] = (note or "") if review is ReviewChoice.needs_check else ""
        elif note is not None:
            raw["review_note"] = note
        if raw == entry.model_dump(mode="json"):
            console.print("Nothing changed.")
            return entry
        saved = await _store(kb, checker, raw, who, new=False)
        _preview(kb, saved)
        return saved

    saved = run_with_kb(_edit)
    if saved is not None:
        console.print(f"Saved {saved.id}.")


def _set_status(entry_id: str, active: bool, actor: str | None) -> None:
    async def _set(kb: KnowledgeBase) -> bool | None:
        return await set_active(kb, entry_id, active, cli_actor(actor))

    changed = run_with_kb(_set)
    state = "active" if active else "disabled"
    if changed is None:
        raise fail(f"no FAQ entry with id {entry_id!r}")
    console.print(f"{entry_id} is {'now ' if changed else 'already '}{state}.")


def disable(
    entry_id: Annotated[str, typer.Argument(help="The entry to retire.")],
    actor: ActorOpt = None,
) -> None:
    """Stop answering with an entry (kept, and can be enabled again)."""
    _set_status(entry_id, False, actor)


def enable(
    entry_id: Annotated[str, typer.Argument(help="The entry to restore.")],
    actor: ActorOpt = None,
) -> None:
    """Answer with a disabled entry again."""
    _set_status(entry_id, True, actor)
