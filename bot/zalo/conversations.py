"""Per-user conversation state of the Zalo channel, kept in memory.

The dialog needs a little state between messages (the last question, the numbered options
last shown, which on Zalo is what gives the user's next number its meaning). It lives in a
bounded least-recently-used table keyed by (chat, user); nothing of it is stored, so after a
restart a number refers to nothing and gets a polite "ask again".
"""

from __future__ import annotations

from collections import OrderedDict

from knowledge.activity import Asker
from knowledge.dialog import Conversation

CHANNEL = "zalo"


class Conversations:
    """A bounded LRU table of conversations."""

    def __init__(self, max_size: int) -> None:
        self._max_size = max_size
        self._table: OrderedDict[tuple[str, str], Conversation] = OrderedDict()

    def __len__(self) -> int:
        return len(self._table)

    def get(self, chat_id: str, user_id: str) -> tuple[Conversation, bool]:
        """The conversation of a user in a chat, and whether it was created just now."""
        key = (chat_id, user_id)
        conversation = self._table.get(key)
        if conversation is not None:
            self._table.move_to_end(key)
            return conversation, False
        conversation = Conversation(Asker(CHANNEL, chat_id, user_id))
        self._table[key] = conversation
        if len(self._table) > self._max_size:
            self._table.popitem(last=False)
        return conversation, True
