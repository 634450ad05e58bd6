"""Telegram's :class:`~knowledge.delivery.sender.Sender`, and adding Telegram to the engine.

The engine paces broadcasts a little under Telegram's limits (see :func:`broadcast_bot` for
why it sends with a bot of its own).
Telegram's errors are mapped to the engine's: RetryAfter → RetryAfter, Forbidden and the
"chat is gone" kinds of BadRequest → Blocked, timeouts and network errors → Transient
(``maybe_delivered`` when the request may have reached Telegram), anything else → Permanent.
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta

import httpx
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.telegram.conversations import CHANNEL
from knowledge.delivery import errors
from knowledge.delivery.engine import DeliveryEngine

logger = logging.getLogger(__name__)

# BadRequest descriptions that mean the chat can no longer be written to.
_GONE = (
    "chat not found",
    "user is deactivated",
    "bot was kicked",
    "bot is not a member",
    "have no rights to send",
    "not enough rights to send",
    "group chat was deactivated",
    "peer_id_invalid",
)
# Failures before the request left this machine: it cannot have been delivered.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _seconds(exc: RetryAfter) -> float:
    # The public ``retry_after`` warns about its type changing; the timedelta is stable.
    delay = getattr(exc, "_retry_after", None)
    return delay.total_seconds() if isinstance(delay, timedelta) else 1.0


class TelegramSender:
    """Sends plain text to a Telegram chat (escaped for the bot's HTML parse mode)."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: str, text: str) -> None:
        """Send one message; raise the engine's errors on failure."""
        try:
            await self._bot.send_message(
                int(chat_id),
                html.escape(text, quote=False),
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except RetryAfter as exc:
            raise errors.RetryAfter(_seconds(exc), str(exc)) from exc
        except Forbidden as exc:
            raise errors.Blocked(str(exc)) from exc
        except ChatMigrated as exc:
            # A group that became a supergroup: the member must re-register the new chat.
            raise errors.Blocked(f"group moved to {exc.new_chat_id}") from exc
        except BadRequest as exc:
            if any(marker in str(exc).lower() for marker in _GONE):
                raise errors.Blocked(str(exc)) from exc
            raise errors.Permanent(str(exc)) from exc
        except TimedOut as exc:
            maybe = not isinstance(exc.__cause__, _NOT_SENT)
            raise errors.Transient(str(exc), maybe_delivered=maybe) from exc
        except NetworkError as exc:
            # No cause: Telegram answered with a server error, so nothing was sent.
            cause = exc.__cause__
            maybe = cause is not None and not isinstance(cause, _NOT_SENT)
            raise errors.Transient(str(exc), maybe_delivered=maybe) from exc
        except TelegramError as exc:
            raise errors.Permanent(str(exc)) from exc
        except ValueError as exc:
            raise errors.Permanent(f"not a Telegram chat id: {chat_id!r}") from exc


def broadcast_bot(bot: Bot, pool_size: int) -> Bot:
    """A bot on the same token and Bot API server as ``bot``, without a rate limiter.

    Broadcasts go through a bot of their own: python-telegram-bot's rate limiter retries a
    429 by itself, pausing every request and then releasing them in one burst, which trips
    the limit again; the engine instead paces every send and re-spaces the queue after a
    RetryAfter.
    """
    prefix = bot.base_url.removesuffix(bot.token)
    # A read timeout leaves a message uncertain (it may have arrived): wait long rather
    # than resend a copy that is merely slow.
    request = HTTPXRequest(connection_pool_size=pool_size, read_timeout=30, write_timeout=30)
    return Bot(bot.token, base_url=prefix, request=request)


def join_delivery(engine: DeliveryEngine, bot: Bot) -> Bot:
    """Add Telegram to ``engine``, sending with a broadcast bot on the token of ``bot``.

    Returns the broadcast bot, not yet initialized: the caller opens it (``async with``)
    for as long as the engine may send.
    """
    settings = engine.settings
    sending = broadcast_bot(bot, settings.delivery_concurrency + 2)
    engine.add_channel(CHANNEL, TelegramSender(sending), settings.telegram_pacing())
    return sending
