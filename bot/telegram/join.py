"""Deep-link joining (``/start <code>``): the hook the subscriptions work fills in."""

from __future__ import annotations

import logging
import re

from knowledge.activity import Asker
from knowledge.core import KnowledgeBase
from knowledge.subscriptions import REFUSALS, Actor, Subscriptions

logger = logging.getLogger(__name__)

# Telegram deep-link payloads: up to 64 characters of A-Z, a-z, 0-9, _ and -.
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def is_join_code(text: str) -> bool:
    """Whether ``text`` has the shape of a deep-link payload."""
    return bool(CODE_RE.match(text))


async def join_by_code(kb: KnowledgeBase, asker: Asker, code: str) -> str | None:
    """Join the asker to the class or group behind ``code``.

    Returns the confirmation text to show the user, or None when the code is not recognised
    (the channel then answers politely that it is unknown). Only well-formed codes reach this
    function. In a group chat (chat id differs from user id) the whole group is registered,
    which only the class's homeroom teacher or a legal officer may do.
    """
    if asker.chat_id is None or asker.user_id is None:
        return None
    actor = Actor(asker.channel, asker.user_id, asker.chat_id, asker.chat_id != asker.user_id)
    if await Subscriptions(kb).audiences.by_code(code) is None:
        logger.debug("Unknown join code of length %d from %s", len(code), asker.channel)
        return None
    try:
        return await Subscriptions(kb).join(actor, code)
    except REFUSALS as exc:
        return str(exc)
