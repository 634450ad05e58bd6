"""Zalo's :class:`~knowledge.delivery.sender.Sender` for the delivery engine, and its pace.

Tips, broadcasts and answers from the legal officer reach Zalo users through the same ledger
and engine as on Telegram. Zalo publishes no rate limit: the engine sends at
``ZALO_BROADCAST_RATE_PER_SECOND`` and pauses when Zalo answers 429, for a time that doubles
with each further 429 (Zalo names none). Zalo's errors map to the engine's: 429 → RetryAfter,
403 → Blocked, no connection → Transient (nothing sent), a broken or timed-out exchange and
5xx → Transient (maybe sent), any other refusal → Permanent.
"""

from __future__ import annotations

import logging

from bot.zalo.client import ZaloClient
from bot.zalo.errors import (
    ZaloApiError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloUnauthorized,
)
from bot.zalo.render import split_text
from bot.zalo.settings import ZaloSettings
from knowledge.delivery import errors
from knowledge.delivery.sender import ChannelPacing

logger = logging.getLogger(__name__)


def zalo_pacing(settings: ZaloSettings) -> ChannelPacing:
    """The engine's pace for Zalo: private chats only, one message a second to each."""
    return ChannelPacing(
        per_second=settings.broadcast_rate_per_second, chat_interval=1.0, group_per_minute=0
    )


class ZaloSender:
    """Sends plain text to a Zalo chat, in pieces of 2,000 characters when longer."""

    def __init__(
        self, client: ZaloClient, backoff: float = 1.0, max_backoff: float = 60.0
    ) -> None:
        self._client = client
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._step = 0

    def _retry_after(self) -> float:
        pause = min(self._max_backoff, self._backoff * 2**self._step)
        self._step += 1
        return pause

    async def send(self, chat_id: str, text: str) -> None:
        """Deliver ``text``; raise Blocked, RetryAfter, Transient or Permanent on failure."""
        chunks = split_text(text)
        if not chunks:
            raise errors.Permanent("empty text")
        for number, chunk in enumerate(chunks):
            # Once a piece went out, the message is partly delivered whatever happens next.
            sent_some = number > 0
            try:
                await self._client.send_message(chat_id, chunk)
            except ZaloRateLimited as exc:
                if sent_some:
                    raise errors.Transient(str(exc), maybe_delivered=True) from None
                raise errors.RetryAfter(self._retry_after(), str(exc)) from None
            except ZaloForbidden as exc:
                raise errors.Blocked(str(exc)) from None
            except ZaloNetworkError as exc:
                maybe = exc.maybe_sent or sent_some
                raise errors.Transient(str(exc), maybe_delivered=maybe) from None
            except ZaloUnauthorized as exc:
                # The token, not the message: worth retrying once the operator fixes it.
                raise errors.Transient(str(exc), maybe_delivered=sent_some) from None
            except ZaloApiError as exc:
                if exc.error_code >= 500:
                    raise errors.Transient(str(exc), maybe_delivered=sent_some) from None
                raise errors.Permanent(str(exc)) from None
        self._step = 0
