"""The guided add and edit of an FAQ entry, as a state machine no chat platform knows about.

A channel (Telegram today, Zalo or the web later) only shows each :class:`Prompt` and feeds
back what the officer typed (:meth:`EntryWizard.text`) or which button they pressed
(:meth:`EntryWizard.choose`). Adding goes main question → more phrasings → answer → legal
basis → topic → audience → a preview exactly as users will see it → save or cancel; editing
starts from a menu of the parts of an existing entry. Nothing is stored before "save", and
saving goes through the same checks as an import (schema, topic, known documents).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

from knowledge.activity import Asker
from knowledge.content_schema import (
    ANSWER_MAX,
    MIN_PHRASINGS,
    QUESTION_MAX,
    FaqEntryData,
    Source,
    Topic,
)
from knowledge.core import KnowledgeBase
from knowledge.curation import messages as cm
from knowledge.curation.citations import CitationError, basis_line
from knowledge.curation.entry_text import multiline, new_entry_id, same_text, split_basis
from knowledge.curation.validation import EntryChecker, Problem
from knowledge.dialog import Conversation, Dialog, Option, Reply
from knowledge.faq_store import snapshot
from knowledge.normalize import clean

logger = logging.getLogger(__name__)

PREFIX = "w:"
SAVE = "w:save"
CANCEL = "w:cancel"
DONE = "w:done"
USE_ASKED = "w:asked"
PREVIEW = "w:preview"
TOPICS_PER_PAGE = 8


class Step(StrEnum):
    """Where the wizard is."""

    QUESTION = "question"
    PHRASINGS = "phrasings"
    QUESTIONS = "questions"
    ANSWER = "answer"
    BASIS = "basis"
    TOPIC = "topic"
    AUDIENCE = "audience"
    PREVIEW = "preview"
    MENU = "menu"
    DONE = "done"


@dataclass
class Prompt:
    """What to show the officer: an optional preview (as users see it), then text and buttons.

    ``done`` is set once the wizard is over; ``saved`` is the stored entry when it was saved.
    """

    text: str
    options: list[Option] = field(default_factory=list)
    preview: Reply | None = None
    done: bool = False
    saved: FaqEntryData | None = None


class EntryWizard:
    """One officer adding or editing one entry."""

    def __init__(self, kb: KnowledgeBase, checker: EntryChecker, actor: str) -> None:
        self.kb = kb
        self.checker = checker
        self.actor = actor
        self.step = Step.QUESTION
        self.original: FaqEntryData | None = None
        self.asked: str | None = None
        self.entry_id = ""
        self.main = ""
        self.phrasings: list[str] = []
        self.body = ""
        self.basis = ""
        self.sources: list[Source] = []
        self.topic = ""
        self.audience = ""
        self.status = "active"
        self.review = "ok"
        self.review_note = ""
        self._return_to: Step | None = None
        self._topic_page = 1

    # Starting ---------------------------------------------------------------------------

    @classmethod
    def add(
        cls, kb: KnowledgeBase, checker: EntryChecker, actor: str, asked: str | None = None
    ) -> tuple[EntryWizard, Prompt]:
        """Start adding an entry; ``asked`` is a user's question from the review queue."""
        wizard = cls(kb, checker, actor)
        wizard.asked = clean(asked)[:QUESTION_MAX] if asked else None
        if wizard.asked:
            text = cm.ASK_QUESTION_FROM_QUEUE.format(question=wizard.asked)
            return wizard, Prompt(text, [Option(cm.BUTTON_USE_QUESTION, USE_ASKED)])
        return wizard, Prompt(cm.ASK_QUESTION)

    @classmethod
    def edit(
        cls, kb: KnowledgeBase, checker: EntryChecker, actor: str, entry: FaqEntryData
    ) -> tuple[EntryWizard, Prompt]:
        """Start editing an existing entry from its menu."""
        wizard = cls(kb, checker, actor)
        wizard.original = entry
        wizard.entry_id = entry.id
        wizard.main, wizard.phrasings = entry.questions[0], list(entry.questions[1:])
        wizard.body, wizard.basis = split_basis(entry.answer)
        wizard.sources = list(entry.sources)
        wizard.topic, wizard.audience = entry.topic, entry.audience
        wizard.status, wizard.review, wizard.review_note = (
            entry.status,
            entry.review,
            entry.review_note,
        )
        wizard._return_to = Step.MENU
        return wizard, wizard._menu()

    @property
    def editing(self) -> bool:
        """True when an existing entry is being edited."""
        return self.original is not None

    # Input ------------------------------------------------------------------------------

    async def text(self, text: str) -> Prompt:
        """The officer typed something."""
        if self.step is Step.DONE:
            return Prompt(cm.CANCELLED, done=True)
        handler = {
            Step.QUESTION: self._on_question,
            Step.PHRASINGS: self._on_phrasings,
            Step.QUESTIONS: self._on_questions,
            Step.ANSWER: self._on_answer,
            Step.BASIS: self._on_basis,
            Step.TOPIC: self._on_topic_text,
        }.get(self.step)
        if handler is None:
            return self._again(cm.CHOOSE_BUTTON)
        return handler(text)

    async def choose(self, payload: str) -> Prompt:
        """The officer pressed a button."""
        if self.step is Step.DONE:
            return Prompt(cm.CANCELLED, done=True)
        if payload == CANCEL:
            return self.cancel()
        if payload == SAVE and self.step is Step.PREVIEW:
            return await self._save()
        if payload == PREVIEW:
            return self._preview()
        if payload == USE_ASKED and self.step is Step.QUESTION and self.asked:
            return self._on_question(self.asked)
        if payload == DONE and self.step is Step.PHRASINGS:
            return self._phrasings_done()
        kind, _, value = payload.removeprefix(PREFIX).partition(":")
        if kind == "tp" and self.step is Step.TOPIC and value.isdigit():
            self._topic_page = int(value)
            return self._ask_topic()
        if kind == "t" and self.step is Step.TOPIC:
            return self._set_topic(value)
        if kind == "u" and self.step is Step.AUDIENCE and value in cm.AUDIENCE_NAMES:
            self.audience = value
            return self._after(Step.AUDIENCE)
        if kind == "m" and self.step in (Step.MENU, Step.PREVIEW):
            return self._open_part(value)
        return self._again(cm.CHOOSE_BUTTON)

    def cancel(self) -> Prompt:
        """Stop without saving."""
        self.step = Step.DONE
        return Prompt(cm.CANCELLED, done=True)

    # Steps ------------------------------------------------------------------------------

    def _on_question(self, text: str) -> Prompt:
        question = clean(text)
        if not question:
            return self._again(cm.EMPTY_TEXT)
        if len(question) > QUESTION_MAX:
            return self._again(
                cm.TOO_LONG_QUESTION.format(length=len(question), limit=QUESTION_MAX)
            )
        self.main = question
        if self.asked and same_text(self.asked) != same_text(question) and not self.phrasings:
            self.phrasings.append(self.asked)
        return self._after(Step.QUESTION)

    def _on_phrasings(self, text: str) -> Prompt:
        notes = []
        known = {same_text(q) for q in [self.main, *self.phrasings]}
        for line in multiline(text).split("\n"):
            phrasing = clean(line)
            if not phrasing:
                continue
            if len(phrasing) > QUESTION_MAX:
                notes.append(cm.TOO_LONG_QUESTION.format(length=len(phrasing), limit=QUESTION_MAX))
            elif same_text(phrasing) in known:
                notes.append(cm.DUPLICATE_PHRASING.format(text=phrasing))
            else:
                self.phrasings.append(phrasing)
                known.add(same_text(phrasing))
        return self._ask_phrasings(notes)

    def _phrasings_done(self) -> Prompt:
        missing = MIN_PHRASINGS - 1 - len(self.phrasings)
        if missing > 0:
            note = cm.PHRASINGS_NEED_MORE.format(missing=missing, total=MIN_PHRASINGS)
            return self._ask_phrasings([note])
        return self._after(Step.PHRASINGS)

    def _on_questions(self, text: str) -> Prompt:
        questions: list[str] = []
        for line in multiline(text).split("\n"):
            question = clean(line)
            if len(question) > QUESTION_MAX:
                notice = cm.TOO_LONG_QUESTION.format(length=len(question), limit=QUESTION_MAX)
                return self._again(notice)
            if question and same_text(question) not in {same_text(q) for q in questions}:
                questions.append(question)
        if len(questions) < MIN_PHRASINGS:
            missing = MIN_PHRASINGS - len(questions)
            return self._again(cm.PHRASINGS_NEED_MORE.format(missing=missing, total=MIN_PHRASINGS))
        self.main, self.phrasings = questions[0], questions[1:]
        return self._after(Step.QUESTIONS)

    def _on_answer(self, text: str) -> Prompt:
        body, typed_basis = split_basis(multiline(text))
        if not body:
            return self._again(cm.EMPTY_TEXT)
        if len(body) > ANSWER_MAX:
            return self._again(cm.TOO_LONG_ANSWER.format(length=len(body), limit=ANSWER_MAX))
        self.body = body
        if typed_basis and self._set_basis(typed_basis) is None:
            # The officer wrote the legal basis too: the basis step is not needed.
            return self._after(Step.BASIS)
        return self._after(Step.ANSWER)

    def _on_basis(self, text: str) -> Prompt:
        problem = self._set_basis(multiline(text))
        if problem is not None:
            return self._again(problem)
        return self._after(Step.BASIS)

    def _set_basis(self, text: str) -> str | None:
        """Parse and check a typed basis; the problem to show, or None when it was taken."""
        try:
            sources = self.checker.citations.parse(text)
        except CitationError as exc:
            return cm.BASIS_INVALID.format(problem=exc)
        errors = [e for s in sources for e in self.checker.citations.problems(s)[0]]
        if errors:
            return cm.BASIS_UNKNOWN.format(problems="\n".join(f"- {e.vi}" for e in errors))
        basis = basis_line(sources)
        if self.body and len(self.body) + 2 + len(basis) > ANSWER_MAX:
            length = len(self.body) + 2 + len(basis)
            return cm.TOO_LONG_ANSWER.format(length=length, limit=ANSWER_MAX)
        self.sources = sources
        self.basis = basis
        return None

    def _on_topic_text(self, text: str) -> Prompt:
        return self._set_topic(clean(text).upper())

    def _set_topic(self, code: str) -> Prompt:
        if code not in {t.code for t in self.kb.topics}:
            prompt = self._ask_topic()
            prompt.text = cm.TOPIC_UNKNOWN.format(code=code[:20]) + "\n\n" + prompt.text
            return prompt
        self.topic = code
        return self._after(Step.TOPIC)

    def _open_part(self, part: str) -> Prompt:
        if part == "r" and self.review == "needs-check":
            self.review, self.review_note = "ok", ""
            return self._menu() if self.editing else self._preview()
        step = {
            "q": Step.QUESTIONS,
            "a": Step.ANSWER,
            "b": Step.BASIS,
            "t": Step.TOPIC,
            "u": Step.AUDIENCE,
        }.get(part)
        if step is None:
            return self._again(cm.CHOOSE_BUTTON)
        if self._return_to is None:
            self._return_to = Step.PREVIEW
        return self._ask(step)

    # Moving on --------------------------------------------------------------------------

    _ORDER = (Step.QUESTION, Step.PHRASINGS, Step.ANSWER, Step.BASIS, Step.TOPIC, Step.AUDIENCE)

    def _after(self, done: Step) -> Prompt:
        """The next prompt once ``done`` was completed."""
        if self._return_to is Step.MENU:
            return self._menu()
        if self._return_to is Step.PREVIEW or done is Step.QUESTIONS:
            return self._preview()
        following = self._ORDER[self._ORDER.index(done) + 1 :]
        if not following:
            return self._preview()
        return self._ask(following[0])

    def _ask(self, step: Step) -> Prompt:
        self.step = step
        if step is Step.PHRASINGS:
            return self._ask_phrasings([])
        if step is Step.TOPIC:
            self._topic_page = 1
            return self._ask_topic()
        if step is Step.AUDIENCE:
            options = [Option(name, f"w:u:{code}") for code, name in cm.AUDIENCE_NAMES.items()]
            return Prompt(cm.ASK_AUDIENCE, [*options, *self._leave_options()])
        if step is Step.QUESTIONS:
            text = cm.EDIT_QUESTIONS.format(listing="\n".join([self.main, *self.phrasings]))
        elif step is Step.ANSWER:
            text = (
                cm.EDIT_ANSWER.format(answer=self.body)
                if self.body
                else cm.ASK_ANSWER.format(limit=ANSWER_MAX)
            )
        elif step is Step.BASIS:
            text = cm.EDIT_BASIS.format(basis=self.basis) if self.sources else cm.ASK_BASIS
        else:
            return self._again(cm.CHOOSE_BUTTON)
        return Prompt(text, self._leave_options())

    def _leave_options(self) -> list[Option]:
        """Cancel, and "back" when a single part is being changed."""
        back = self._return_to is Step.MENU or self._return_to is Step.PREVIEW
        options = [Option(cm.BUTTON_BACK, PREVIEW)] if back else []
        return [*options, self._cancel_option()]

    def _ask_phrasings(self, notes: list[str]) -> Prompt:
        self.step = Step.PHRASINGS
        needed = max(0, MIN_PHRASINGS - 1 - len(self.phrasings))
        parts = [*notes]
        if self.phrasings:
            listing = "\n".join(f"{i}. {q}" for i, q in enumerate([self.main, *self.phrasings], 1))
            parts.append(
                cm.PHRASINGS_SO_FAR.format(count=len(self.phrasings) + 1, listing=listing)
            )
        parts.append(cm.ASK_PHRASINGS.format(needed=needed))
        options = [Option(cm.BUTTON_DONE, DONE), self._cancel_option()]
        return Prompt("\n\n".join(parts), options)

    def _ask_topic(self) -> Prompt:
        self.step = Step.TOPIC
        topics = self.kb.topics
        suggested = self._suggested_topics() if self._topic_page == 1 else []
        pages = max(1, -(-len(topics) // TOPICS_PER_PAGE))
        page = min(max(self._topic_page, 1), pages)
        shown = topics[(page - 1) * TOPICS_PER_PAGE : page * TOPICS_PER_PAGE]
        options = [Option(f"★ {t.code} {t.name}", f"w:t:{t.code}") for t in suggested]
        options += [Option(f"{t.code} {t.name}", f"w:t:{t.code}") for t in shown]
        if page > 1:
            options.append(Option(cm.BUTTON_PREV, f"w:tp:{page - 1}"))
        if page < pages:
            options.append(Option(cm.BUTTON_NEXT, f"w:tp:{page + 1}"))
        return Prompt(cm.ASK_TOPIC, [*options, *self._leave_options()])

    def _suggested_topics(self) -> list[Topic]:
        """Topics of the entries closest to the question, best first (at most three)."""
        codes: list[str] = []
        for candidate in self.kb.match(self.main).candidates if self.main else []:
            entry = self.kb.entry(candidate.entry_id)
            if entry is not None and entry.topic not in codes:
                codes.append(entry.topic)
        by_code = {t.code: t for t in self.kb.topics}
        return [by_code[c] for c in codes[:3] if c in by_code]

    def _menu(self) -> Prompt:
        self.step = Step.MENU
        options = self._part_options()
        options += [Option(cm.BUTTON_PREVIEW, PREVIEW), self._cancel_option()]
        text = cm.EDIT_MENU.format(id=self.entry_id, question=self.main)
        return Prompt(text, options)

    def _part_options(self) -> list[Option]:
        options = [
            Option(cm.BUTTON_EDIT_MAIN, "w:m:q"),
            Option(cm.BUTTON_EDIT_ANSWER, "w:m:a"),
            Option(cm.BUTTON_EDIT_BASIS, "w:m:b"),
            Option(cm.BUTTON_EDIT_TOPIC, "w:m:t"),
            Option(cm.BUTTON_EDIT_AUDIENCE, "w:m:u"),
        ]
        if self.review == "needs-check":
            options.append(Option(cm.BUTTON_MARK_CHECKED, "w:m:r"))
        return options

    def _again(self, text: str) -> Prompt:
        """The same step again, with a notice."""
        if self.step is Step.MENU:
            prompt = self._menu()
        elif self.step is Step.PREVIEW:
            prompt = self._preview()
        else:
            prompt = self._ask(self.step) if self.step is not Step.QUESTION else self._question()
        prompt.text = f"{text}\n\n{prompt.text}"
        return prompt

    def _question(self) -> Prompt:
        if self.asked:
            text = cm.ASK_QUESTION_FROM_QUEUE.format(question=self.asked)
            return Prompt(text, [Option(cm.BUTTON_USE_QUESTION, USE_ASKED)])
        return Prompt(cm.ASK_QUESTION)

    @staticmethod
    def _cancel_option() -> Option:
        return Option(cm.BUTTON_CANCEL, CANCEL)

    # Preview and save -------------------------------------------------------------------

    def _raw(self) -> dict[str, object]:
        if not self.entry_id:
            self.entry_id = new_entry_id(self.kb, self.topic or "t00", self.main)
        answer = f"{self.body}\n\n{self.basis}" if self.basis else self.body
        return {
            "id": self.entry_id,
            "topic": self.topic,
            "audience": self.audience,
            "questions": [self.main, *self.phrasings],
            "answer": answer,
            "sources": [s.model_dump() for s in self.sources],
            "status": self.status,
            "review": self.review,
            "review_note": self.review_note,
        }

    def _preview(self) -> Prompt:
        checked = self.checker.check(self._raw())
        if checked.entry is None:
            return self._fix(checked.errors)
        self.step = Step.PREVIEW
        self._return_to = self._return_to or Step.PREVIEW
        entry = checked.entry
        reply = Dialog(self.kb)._answer(
            Conversation(Asker("preview")), entry, entry.main_question, 100.0
        )
        reply.feedback = reply.escalate = False
        text = cm.PREVIEW_CONFIRM.format(
            id=entry.id,
            topic=f"{entry.topic} ({self.kb.topic_name(entry.topic)})",
            audience=cm.AUDIENCE_NAMES[entry.audience],
            count=len(entry.questions),
        )
        if checked.warnings:
            warnings = "\n".join(f"- {w.message}" for w in checked.warnings)
            text = cm.PREVIEW_WARNINGS.format(warnings=warnings) + "\n\n" + text
        options = [Option(cm.BUTTON_SAVE, SAVE), *self._part_options(), self._cancel_option()]
        return Prompt(text, options, preview=reply)

    def _fix(self, errors: list[Problem]) -> Prompt:
        """Show what is wrong and go back to the step that can fix the first problem."""
        listing = "\n".join(f"- {p.vietnamese}" for p in errors)
        first = errors[0].field
        step = Step.ANSWER
        for prefix, target in (
            ("questions", Step.QUESTIONS),
            ("sources", Step.BASIS),
            ("topic", Step.TOPIC),
            ("audience", Step.AUDIENCE),
        ):
            if first.startswith(prefix):
                step = target
        self._return_to = self._return_to or Step.PREVIEW
        prompt = self._ask(step)
        prompt.text = cm.INVALID.format(problems=listing) + "\n\n" + prompt.text
        return prompt

    async def _save(self) -> Prompt:
        checked = self.checker.check(self._raw())
        if checked.entry is None:
            return self._fix(checked.errors)
        entry = checked.entry
        current = await self.kb.faq.get(entry.id)
        if self.original is None and current is not None:
            # Someone else took this id since the preview: pick another one.
            self.entry_id = ""
            return self._preview()
        if self.original is not None:
            if current is not None and snapshot(current) != snapshot(self.original):
                self.step = Step.DONE
                return Prompt(cm.CHANGED_MEANWHILE, done=True)
            if snapshot(entry) == snapshot(self.original):
                self.step = Step.DONE
                return Prompt(cm.EDIT_NOTHING, done=True)
        await self.kb.faq.save(entry, self.actor)
        await self.kb.refresh()
        self.step = Step.DONE
        logger.info(
            "FAQ entry %s %s by %s", entry.id, "edited" if self.editing else "added", self.actor
        )
        text = (cm.SAVED_EDIT if self.editing else cm.SAVED_NEW).format(id=entry.id)
        return Prompt(text, done=True, saved=entry)
