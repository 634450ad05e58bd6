"""Who may use the admin tools in Telegram, and the callback data of their buttons.

Roles are read from knowledge.users and cached for ``ROLE_TTL`` seconds, so a grant or a
revocation from the command line applies within that time. A refusal is logged and audited
(knowledge.users.Roles.require) at most once per person every ``REFUSAL_LOG_INTERVAL``
seconds, so someone typing admin commands over and over does not flood the audit log.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from telegram import Chat, Update

from bot.telegram.conversations import CHANNEL
from bot.telegram.render import CallbackCodec
from knowledge.users import PermissionDenied, Role, Roles

logger = logging.getLogger(__name__)

PREFIX = "a|"
ROLE_TTL = 30.0
REFUSAL_LOG_INTERVAL = 600.0
# People remembered at most, for the role cache and the refusal times each.
REMEMBERED = 10_000


class AdminCodec(CallbackCodec):
    """Callback data of the admin tools: ``a|`` and the payload, or ``a|k:<key>`` when long."""

    def encode(self, payload: str) -> str:
        """Prefixed payload that fits in 64 bytes."""
        data = super().encode(PREFIX + payload)
        return data if data.startswith(PREFIX) else PREFIX + data

    def decode(self, data: str) -> str | None:
        """The payload, or None for data of someone else or a key this process forgot."""
        if not data.startswith(PREFIX):
            return None
        inner = data[len(PREFIX) :]
        if inner.startswith("k:"):
            full = super().decode(inner)
            return full[len(PREFIX) :] if full else None
        return inner


class AdminGate:
    """Answers "is this an admin in a private chat?" for each update."""

    def __init__(self, roles: Roles) -> None:
        self.roles = roles
        self._roles: OrderedDict[int, tuple[Role, float]] = OrderedDict()
        self._refused: OrderedDict[int, float] = OrderedDict()

    async def role(self, user_id: int) -> Role:
        """The user's role, from the cache while it is fresh."""
        cached = self._roles.get(user_id)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        role = await self.roles.role_of(CHANNEL, str(user_id))
        self._roles[user_id] = (role, now + ROLE_TTL)
        self._roles.move_to_end(user_id)
        if len(self._roles) > REMEMBERED:
            self._roles.popitem(last=False)
        return role

    async def admin(self, update: Update, action: str) -> bool:
        """Whether the update comes from an admin in a private chat; refusals are recorded."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != Chat.PRIVATE:
            return False
        if await self.role(user.id) is Role.ADMIN:
            return True
        last = self._refused.get(user.id, -REFUSAL_LOG_INTERVAL)
        if time.monotonic() - last < REFUSAL_LOG_INTERVAL:
            logger.debug("Admin tool %s refused to %s again", action, user.id)
            return False
        self._refused[user.id] = time.monotonic()
        if len(self._refused) > REMEMBERED:
            self._refused.popitem(last=False)
        try:
            await self.roles.require(CHANNEL, str(user.id), Role.ADMIN, action)
        except PermissionDenied:
            return False
        return True  # granted in the meantime
