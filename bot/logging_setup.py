"""Logging configuration, done once at the entry point."""

from __future__ import annotations

import logging
import re

_TOKEN_RE = re.compile(r"bot\d+:[A-Za-z0-9_-]{20,}|bot[A-Za-z0-9_-]{30,}")


class RedactTokens(logging.Filter):
    """Replace anything shaped like a bot token in a log record by ``bot<redacted>``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "bot" in message and _TOKEN_RE.search(message):
            record.msg = _TOKEN_RE.sub("bot<redacted>", message)
            record.args = None
        return True


def configure_logging(level: str) -> None:
    """Log to stderr at ``level``; keep HTTP client loggers quiet because URLs hold tokens."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
