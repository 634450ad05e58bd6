"""The channel-agnostic dialog: every chat front end turns its messages into these calls.

A reply is plain text plus structured options (suggestions, topics, feedback, escalation);
each channel renders options its own way: inline buttons on Telegram, numbered lines on Zalo
and in the terminal, buttons on the web page.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from enum import StrEnum

from knowledge import messages as msg
from knowledge.activity import Asker
from knowledge.content_schema import FaqEntryData
from knowledge.core import ArticleHit, KnowledgeBase
from knowledge.language import looks_foreign
from knowledge.matcher import Candidate
from knowledge.normalize import clean, normalize
from knowledge.smalltalk import small_talk

logger = logging.getLogger(__name__)

TOPICS_PER_PAGE = 8
ENTRIES_PER_TOPIC_PAGE = 10


class ReplyKind(StrEnum):
    """What a reply is, so channels can decide how to present it."""

    ANSWER = "answer"
    ARTICLE = "article"
    SUGGEST = "suggest"
    UNANSWERED = "unanswered"
    INVALID = "invalid"
    INFO = "info"
    MENU = "menu"


@dataclass(frozen=True)
class Option:
    """A choice offered to the user; ``payload`` is what comes back when it is chosen."""

    label: str
    payload: str


@dataclass(frozen=True)
class Suggestion:
    """A suggested entry, in the shape of ``legalbot ask --json``."""

    id: str
    question: str
    score: float


@dataclass
class Reply:
    """Everything a channel needs to show one answer."""

    kind: ReplyKind
    text: str
    options: list[Option] = field(default_factory=list)
    status: str | None = None
    entry_id: str | None = None
    matched: str | None = None
    score: float | None = None
    sources: list[dict[str, str | None]] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    feedback: bool = False
    escalate: bool = False
    article: ArticleHit | None = None


@dataclass
class Conversation:
    """Per-chat state the dialog needs between messages."""

    asker: Asker
    last_question: str | None = None
    last_entry_id: str | None = None
    options: list[Option] = field(default_factory=list)


def entry_payload(entry_id: str) -> str:
    """Payload that opens an entry."""
    return f"e:{entry_id}"


class Dialog:
    """Turns questions, choices and commands into replies."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    # Commands -------------------------------------------------------------------------

    def welcome(self) -> Reply:
        """Greeting with the automated-assistant notice."""
        return Reply(ReplyKind.INFO, msg.WELCOME)

    def help(self) -> Reply:
        """How to use the bot."""
        return Reply(ReplyKind.INFO, msg.HELP)

    def topics(self, conversation: Conversation, page: int = 1) -> Reply:
        """One page of the topic list."""
        topics = [t for t in self.kb.topics if self.kb.active_entries(t.code)]
        pages = max(1, math.ceil(len(topics) / TOPICS_PER_PAGE))
        page = min(max(page, 1), pages)
        shown = topics[(page - 1) * TOPICS_PER_PAGE : page * TOPICS_PER_PAGE]
        options = [Option(t.name, f"t:{t.code}") for t in shown]
        if page > 1:
            options.append(Option("« Trang trước", f"p:{page - 1}"))
        if page < pages:
            options.append(Option("Trang sau »", f"p:{page + 1}"))
        conversation.options = options
        return Reply(ReplyKind.MENU, msg.TOPICS_INTRO.format(page=page, pages=pages), options)

    def topic_entries(self, conversation: Conversation, code: str) -> Reply:
        """The questions of one topic."""
        entries = self.kb.active_entries(code)
        if not entries:
            return Reply(ReplyKind.INVALID, msg.TOPIC_EMPTY)
        options = [
            Option(e.main_question, entry_payload(e.id)) for e in entries[:ENTRIES_PER_TOPIC_PAGE]
        ]
        conversation.options = options
        text = msg.TOPIC_ENTRIES_INTRO.format(name=self.kb.topic_name(code))
        return Reply(ReplyKind.MENU, text, options)

    # Questions ------------------------------------------------------------------------

    async def handle_text(self, conversation: Conversation, text: str) -> Reply:
        """A text message on a text-only channel: a command, a number picking an option, or a
        question."""
        stripped = clean(text)
        command = stripped.split(" ", 1)[0].lower() if stripped.startswith("/") else ""
        if command in ("/start", "/batdau"):
            return self.welcome()
        if command in ("/help", "/huongdan", "/trogiup"):
            return self.help()
        if command == "/chude":
            return self.topics(conversation)
        if command == "/hoicanbo":
            return await self.escalate(conversation)
        if (
            stripped.isdecimal()
            and stripped.isascii()
            and len(stripped) <= 3
            and conversation.options
        ):
            number = int(stripped)
            if not 1 <= number <= len(conversation.options):
                return Reply(
                    ReplyKind.INVALID,
                    msg.CHOICE_OUT_OF_RANGE.format(number=number, count=len(conversation.options)),
                    conversation.options,
                )
            return await self.choose(conversation, conversation.options[number - 1].payload)
        return await self.ask(conversation, stripped)

    async def ask(self, conversation: Conversation, text: str) -> Reply:
        """Answer a free-text question, suggest close ones, or pass it on."""
        question = clean(text)
        invalid = self._check_question(question)
        if invalid is not None:
            return invalid

        chat = small_talk(question)
        if chat is not None:
            return Reply(ReplyKind.INFO, msg.SMALL_TALK[chat.value], status="unanswered")

        key = normalize(question)
        conversation.last_question = question
        conversation.last_entry_id = None
        result = self.kb.match(question)

        if result.status == "answered" and result.best is not None:
            entry = self.kb.entry(result.best.entry_id)
            if entry is not None:
                reply = self._answer(conversation, entry, result.best.phrasing, result.best.score)
                await self._log(conversation, reply, entry.topic)
                return reply

        # An unsure FAQ match does not hide a clause of the law that fits the question well:
        # questions worded like the law itself find their article, not a loose FAQ entry
        # (bench/faq_matcher.py, dialog section). The FAQ entries stay offered under it.
        settings = self.kb.settings
        # Entries offered only because a long story lowers the bar (knowledge.matcher) do not
        # raise it for the law: the clause is weighed as if the FAQ had nothing.
        unsure = result.status == "suggest" and not result.lenient
        threshold = (
            settings.document_over_suggestions_threshold if unsure else settings.document_threshold
        )
        article = self._article(question, threshold)
        if article is not None:
            related = result.candidates if unsure else []
            reply = self._article_reply(conversation, article, related)
            await self._log(conversation, reply, None)
            return reply

        if result.status == "suggest":
            reply = self._suggest(conversation, result.candidates)
            await self._log(conversation, reply, None)
            return reply

        best = result.best
        await self.kb.activity.log_unanswered(
            conversation.asker,
            question,
            key,
            reason="no-match",
            best_entry_id=best.entry_id if best else None,
            best_score=best.score if best else None,
        )
        reply = Reply(
            ReplyKind.UNANSWERED,
            msg.UNANSWERED.format(officer=self.kb.settings.legal_officer_contact),
            status="unanswered",
            score=best.score if best else None,
        )
        conversation.options = []
        await self._log(conversation, reply, None)
        return reply

    def _check_question(self, question: str) -> Reply | None:
        if not question:
            return Reply(ReplyKind.INVALID, msg.EMPTY, status="unanswered")
        limit = self.kb.settings.max_question_chars
        if len(question) > limit:
            return Reply(ReplyKind.INVALID, msg.TOO_LONG.format(limit=limit), status="unanswered")
        if not any(ch.isalpha() for ch in question):
            return Reply(ReplyKind.INVALID, msg.NOT_UNDERSTOOD, status="unanswered")
        if looks_foreign(question):
            return Reply(ReplyKind.INVALID, msg.NOT_VIETNAMESE, status="unanswered")
        return None

    def _answer(
        self, conversation: Conversation, entry: FaqEntryData, matched: str, score: float
    ) -> Reply:
        text = entry.answer
        if entry.review == "needs-check":
            text = f"{text}\n\n{msg.NEEDS_CHECK_NOTE}"
        conversation.last_entry_id = entry.id
        conversation.options = []
        return Reply(
            ReplyKind.ANSWER,
            text,
            status="answered",
            entry_id=entry.id,
            matched=matched,
            score=score,
            sources=self.kb.source_dicts(entry.sources),
            feedback=True,
            escalate=True,
        )

    def _suggestions(self, candidates: list[Candidate]) -> list[Suggestion]:
        suggestions: list[Suggestion] = []
        for candidate in candidates:
            entry = self.kb.entry(candidate.entry_id)
            if entry is not None:
                suggestions.append(Suggestion(entry.id, entry.main_question, candidate.score))
        return suggestions

    def _suggest(self, conversation: Conversation, candidates: list[Candidate]) -> Reply:
        suggestions = self._suggestions(candidates)
        options = [Option(s.question, entry_payload(s.id)) for s in suggestions]
        conversation.options = options
        return Reply(
            ReplyKind.SUGGEST,
            f"{msg.SUGGEST_INTRO}",
            options,
            status="suggest",
            score=suggestions[0].score if suggestions else None,
            suggestions=suggestions,
            escalate=True,
        )

    def _article(self, question: str, threshold: float) -> ArticleHit | None:
        documents = self.kb.documents
        if documents is None:
            return None
        hits = documents.search(question, limit=1)
        if not hits or hits[0].score < threshold:
            return None
        hit = hits[0]
        # A question about another country or group than the clause names is not answered
        # by it, however many words they share (knowledge.scope).
        missing = self.kb.unexplained(question, hit.article_title, hit.text)
        if missing:
            logger.debug("Not quoting Điều %s: the question names %s", hit.article, missing)
            return None
        return hit

    def _article_reply(
        self, conversation: Conversation, hit: ArticleHit, related: list[Candidate] | None = None
    ) -> Reply:
        """The clause as the answer; ``related`` FAQ entries are offered under it."""
        where = f"Điều {hit.article}" + (f", khoản {hit.clause}" if hit.clause else "")
        # Constitutions are cited by name ("Hiến pháp 2013"), laws by name and number.
        law = f"{hit.document} số {hit.number}" if hit.number[:1].isdigit() else hit.number
        citation = f"{where} {law}"
        parts = [
            msg.ARTICLE_INTRO,
            "",
            f"{where} ({hit.article_title})" if hit.article_title else where,
        ]
        parts += [hit.text, "", f"{msg.BASIS_LABEL}: {citation}."]
        if hit.status_note:
            parts.append(hit.status_note)
        parts.append(msg.ARTICLE_NOTE)
        suggestions = self._suggestions(related or [])
        options = [Option(s.question, entry_payload(s.id)) for s in suggestions]
        if options:
            parts += ["", msg.ARTICLE_RELATED]
        conversation.options = options
        return Reply(
            ReplyKind.ARTICLE,
            "\n".join(parts),
            options,
            status="answered",
            score=hit.score,
            sources=[
                {
                    "document": hit.document,
                    "number": hit.number,
                    "article": hit.article,
                    "clause": hit.clause,
                }
            ],
            suggestions=suggestions,
            feedback=True,
            escalate=True,
            article=hit,
        )

    async def _log(self, conversation: Conversation, reply: Reply, topic: str | None) -> None:
        kind = {"answer": "faq", "article": "article"}.get(reply.kind.value)
        await self.kb.activity.log_question(
            conversation.asker,
            reply.status or "unanswered",
            kind,
            reply.entry_id,
            topic,
            reply.score,
        )

    # Choices, feedback, escalation ----------------------------------------------------

    async def choose(self, conversation: Conversation, payload: str) -> Reply:
        """Act on a chosen option (a suggestion, a topic, a page)."""
        kind, _, value = payload.partition(":")
        if kind == "e":
            entry = self.kb.entry(value)
            if entry is None or entry.status != "active":
                return Reply(ReplyKind.INVALID, msg.UNKNOWN_CHOICE)
            reply = self._answer(conversation, entry, entry.main_question, 100.0)
            await self._log(conversation, reply, entry.topic)
            return reply
        if kind == "t":
            return self.topic_entries(conversation, value)
        if kind == "p" and value.isdigit():
            return self.topics(conversation, int(value))
        return Reply(ReplyKind.INVALID, msg.UNKNOWN_CHOICE)

    async def feedback(self, conversation: Conversation, entry_id: str | None, vote: int) -> Reply:
        """Store a vote on the last answer."""
        await self.kb.activity.add_feedback(
            conversation.asker, entry_id, conversation.last_question or "", vote
        )
        text = msg.FEEDBACK_THANKS_UP if vote > 0 else msg.FEEDBACK_THANKS_DOWN
        return Reply(ReplyKind.INFO, text)

    async def escalate(self, conversation: Conversation) -> Reply:
        """Pass the last question to the legal officer."""
        question = conversation.last_question
        if not question:
            return Reply(ReplyKind.INVALID, msg.NOTHING_TO_ESCALATE)
        await self.kb.activity.log_unanswered(
            conversation.asker,
            question,
            normalize(question),
            reason="user-request",
            best_entry_id=conversation.last_entry_id,
            at_once=True,
        )
        shown = question if len(question) <= 120 else question[:117] + "…"
        text = msg.ESCALATED.format(question=shown, officer=self.kb.settings.legal_officer_contact)
        return Reply(ReplyKind.INFO, text)
