"""Per-user conversation state of the Telegram channel, kept in memory.

The dialog needs a little state between messages (the last question, the options last
shown). It lives here in a bounded least-recently-used table keyed by (chat, user), so in a
class group each member has their own. Nothing of it is stored: after a restart, or once
``TELEGRAM_MAX_CONVERSATIONS`` other users have spoken since, a user's state is simply
fresh, which at worst turns an old button or "/hoicanbo" into a polite "ask again".
"""

from __future__ import annotations

from collections import OrderedDict

from knowledge.activity import Asker
from knowledge.dialog import Conversation

CHANNEL = "telegram"


class Conversations:
    """A bounded LRU table of conversations."""

    def __init__(self, max_size: int) -> None:
        self._max_size = max_size
        self._table: OrderedDict[tuple[int, int], Conversation] = OrderedDict()

    def __len__(self) -> int:
        return len(self._table)

    def get(self, chat_id: int, user_id: int) -> Conversation:
        """The conversation of a user in a chat, created on first use."""
        key = (chat_id, user_id)
        conversation = self._table.get(key)
        if conversation is None:
            conversation = Conversation(Asker(CHANNEL, str(chat_id), str(user_id)))
            self._table[key] = conversation
            if len(self._table) > self._max_size:
                self._table.popitem(last=False)
        else:
            self._table.move_to_end(key)
        return conversation
